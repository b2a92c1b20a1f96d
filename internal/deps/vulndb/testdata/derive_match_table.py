#!/usr/bin/python3
"""Derive the expected advisory IDs of match_table.txt from the PyPA
advisory database YAML, independently of djangoguard's Go code: PEP 440
ordering comes from Python's `packaging` library (Debian python3-packaging)
and the OSV range rules are applied as the OSV schema describes them.

Usage: derive_match_table.py ADVISORY_DB_DIR < queries > match_table.txt
Each query line is "package version"; each output line adds the IDs.
"""
import os
import re
import sys

import yaml
from packaging.version import Version


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def affected(events, v):
    def key(e):
        val = next(iter(e.values()))
        return (-1, Version("0")) if val == "0" else (0, Version(val))

    hit = False
    limit = [Version(e["limit"]) for e in events if "limit" in e]
    if limit and v >= min(limit):
        return False
    for e in sorted(events, key=key):
        (k, val), = e.items()
        if k == "introduced" and (val == "0" or v >= Version(val)):
            hit = True
        elif k == "fixed" and v >= Version(val):
            hit = False
        elif k == "last_affected" and v > Version(val):
            hit = False
    return hit


def main():
    root = os.path.join(sys.argv[1], "vulns")
    for line in sys.stdin:
        line = line.split("#")[0].strip()
        if not line:
            continue
        pkg, ver = line.split()
        v = Version(ver)
        ids = []
        d = os.path.join(root, norm(pkg))
        for fn in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            rec = yaml.safe_load(open(os.path.join(d, fn)))
            if rec.get("withdrawn"):
                continue
            for a in rec.get("affected", []):
                if norm(a["package"]["name"]) != norm(pkg):
                    continue
                hit = any(Version(str(x)) == v for x in a.get("versions") or [])
                for r in a.get("ranges") or []:
                    if r["type"] == "ECOSYSTEM" and affected(
                        [{k: str(x) for k, x in e.items()} for e in r["events"]], v
                    ):
                        hit = True
                if hit:
                    ids.append(rec["id"])
                    break
        print(pkg, ver, " ".join(sorted(set(ids))) or "-")


main()
