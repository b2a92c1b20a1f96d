# Reads file paths, one per line, on stdin; writes one JSON line per path:
# {"path": ..., "dump": ..., "dump_attrs": ..., "error": ...}
# Used by the differential test (run with /usr/bin/python3).
import ast, json, sys

def main():
    out = sys.stdout
    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        rec = {"path": path, "dump": None, "dump_attrs": None, "error": None}
        try:
            with open(path, "rb") as f:
                src = f.read()
            tree = ast.parse(src)
            rec["dump"] = ast.dump(tree)
            rec["dump_attrs"] = ast.dump(tree, include_attributes=True)
        except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError) as e:
            if isinstance(e, SyntaxError):
                rec["error"] = "%s:%s:%s: %s" % (type(e).__name__, e.lineno, e.offset, e.msg)
            else:
                rec["error"] = "%s: %s" % (type(e).__name__, e)
        out.write(json.dumps(rec) + "\n")
    out.flush()

main()
