#!/usr/bin/env bash
# Benchmark: djangoguard's pure-Go Python parser against CPython's ast.parse
# on the same files, same machine, one run.
#
#   bench/python-parse.sh [ROUNDS]
#
# Corpus: every .py file of the Python 3.11 standard library under
# /usr/lib/python3.11 (site-packages and dist-packages excluded) and of
# Debian's python3-django (/usr/lib/python3/dist-packages/django). Both
# sides parse from bytes held in memory, on one core; the best of ROUNDS
# passes (default 3) is reported. Results go to stdout and bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
py=/usr/bin/python3
out=bench/out
mkdir -p "$out"

if [ ! -d /usr/lib/python3/dist-packages/django ] && [ "$(id -u)" = 0 ]; then
  echo "installing python3-django (the Django corpus)..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-django >/dev/null 2>&1 || true
fi

list="$out/python-parse-files.txt"
{
  find /usr/lib/python3.11 \( -name site-packages -o -name dist-packages \) -prune -o -name '*.py' -print
  [ -d /usr/lib/python3/dist-packages/django ] && find /usr/lib/python3/dist-packages/django -name '*.py' -print
} | sort > "$list"
echo "corpus: $(wc -l < "$list") files, $(xargs cat < "$list" | wc -c) bytes" >&2

go build -o "$out/pyparse" ./bench/pyparse

cat > "$out/cpython-parse.py" <<'PYEOF'
import ast, resource, sys, time
rounds = int(sys.argv[1])
paths = [l.strip() for l in open(sys.argv[2]) if l.strip()]
srcs = []
for p in paths:
    try:
        srcs.append(open(p, 'rb').read())
    except OSError:
        pass
total = sum(map(len, srcs))
keep = []
rejected = 0
for s in srcs:
    try:
        keep.append(ast.parse(s))
    except (SyntaxError, ValueError):
        rejected += 1
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
del keep
best = best_cpu = None
for _ in range(rounds):
    t = time.perf_counter()
    c = time.process_time()
    for s in srcs:
        try:
            ast.parse(s)
        except (SyntaxError, ValueError):
            pass
    d = time.perf_counter() - t
    c = time.process_time() - c
    best = d if best is None or d < best else best
    best_cpu = c if best_cpu is None or c < best_cpu else best_cpu
print("py_files=%d" % len(srcs))
print("py_rejected=%d" % rejected)
print("py_seconds=%.3f" % best)
print("py_mb_per_s=%.2f" % (total / 1e6 / best))
print("py_cpu_seconds=%.3f" % best_cpu)
print("py_cpu_mb_per_s=%.2f" % (total / 1e6 / best_cpu))
print("py_peak_rss=%d kB" % peak)
PYEOF
pin=()
command -v taskset >/dev/null 2>&1 && pin=(taskset -c 0)
py_res="$("${pin[@]}" "$py" "$out/cpython-parse.py" "$rounds" "$list")"
go_res="$("${pin[@]}" "$out/pyparse" -rounds "$rounds" < "$list")"

echo "$go_res" > "$out/python-parse-go.txt"
echo "$py_res" > "$out/python-parse-cpython.txt"
get() { echo "$1" | sed -n "s/^$2=//p"; }
gomb=$(get "$go_res" go_cpu_mb_per_s)
pymb=$(get "$py_res" py_cpu_mb_per_s)
ratio=$(awk -v a="$gomb" -v b="$pymb" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
cat <<REPORT
Python parser benchmark ($(get "$go_res" go_files) files, $(get "$go_res" go_bytes) bytes, best of $rounds, one core)
  djangoguard (Go):      $(get "$go_res" go_cpu_mb_per_s) MB/s of CPU time ($(get "$go_res" go_cpu_seconds) s CPU, $(get "$go_res" go_seconds) s wall = $(get "$go_res" go_mb_per_s) MB/s; $(get "$go_res" go_rejected) files rejected)
  CPython ast.parse:     $(get "$py_res" py_cpu_mb_per_s) MB/s of CPU time ($(get "$py_res" py_cpu_seconds) s CPU, $(get "$py_res" py_seconds) s wall = $(get "$py_res" py_mb_per_s) MB/s; $(get "$py_res" py_rejected) files rejected)
  ratio (Go / CPython):  ${ratio}x (CPU time; wall-clock figures above are sensitive to other load)
  allocations per file:  $(get "$go_res" go_allocs_per_file) ($(get "$go_res" go_alloc_bytes_per_file) bytes)
  all ASTs kept alive:   Go heap $(get "$go_res" go_heap_all_asts_mb) MB, peak RSS $(get "$go_res" go_peak_rss); CPython peak RSS $(get "$py_res" py_peak_rss)
REPORT
