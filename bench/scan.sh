#!/usr/bin/env bash
# End-to-end scan benchmark: generate a Django project of about 2,000
# modules and 500,000 lines (bench/scangen), scan it with djangoguard, then
# with Debian's bandit on the same tree, and report wall time, files/s,
# peak memory and the ratio.
#
#   bench/scan.sh [APPS] [WORKDIR]     # defaults: 100 apps, a temp dir
#
# djangoguard runs RUNS times (default 5) and its median wall time is the
# one compared with bandit's (one run: it takes about a minute); the best
# and worst runs are printed too, because on a shared VM the time the kernel
# takes to hand out fresh memory varies from run to run.
#
# Needs /usr/bin/time (Debian package "time") and /usr/bin/bandit
# (Debian package "bandit"); BANDIT=0 skips bandit.
set -euo pipefail

APPS=${1:-100}
WORK=${2:-$(mktemp -d /tmp/djg-scanbench.XXXXXX)}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROJECT="$WORK/project"
BIN="$WORK/djangoguard"

command -v /usr/bin/time >/dev/null || { echo "scan.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

echo "== generating $APPS apps in $PROJECT"
rm -rf "$PROJECT"
(cd "$ROOT" && go run ./bench/scangen -out "$PROJECT" -apps "$APPS")
PYFILES=$(find "$PROJECT" -name '*.py' | wc -l)
PYLINES=$(find "$PROJECT" -name '*.py' -print0 | xargs -0 cat | wc -l)
ALLFILES=$(find "$PROJECT" -type f | wc -l)

echo "== building djangoguard"
(cd "$ROOT" && go build -o "$BIN" ./cmd/djangoguard)

# measure CMD...: prints "wall_seconds peak_kb" of the command.
measure() {
	local out="$WORK/time.$$"
	/usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null 2>"$WORK/stderr.$$" || true
	tail -n 1 "$out"
}

RUNS=${RUNS:-5}
echo "== djangoguard scan (all rules, JSON report), $RUNS runs"
DG_TIMES=()
DG_KB=0
for ((i = 0; i < RUNS; i++)); do
	read -r w kb < <(measure "$BIN" scan "$PROJECT" --no-progress --format json --output "$WORK/djangoguard.json")
	DG_TIMES+=("$w")
	if ((kb > DG_KB)); then DG_KB=$kb; fi
done
read -r DG_WALL DG_BEST DG_WORST < <(printf '%s\n' "${DG_TIMES[@]}" | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)], t[1], t[NR] }')
DG_FINDINGS=$(grep -o '"rule_id"' "$WORK/djangoguard.json" | wc -l)
echo "== djangoguard scan, code rules only (--select DJG2)"
read -r DG2_WALL DG2_KB < <(measure "$BIN" scan "$PROJECT" --no-progress --select DJG2 --format json --output "$WORK/djangoguard-2xx.json")

BANDIT_WALL=""
if [[ "${BANDIT:-1}" != 0 ]]; then
	command -v /usr/bin/bandit >/dev/null || { echo "scan.sh: /usr/bin/bandit is missing (apt-get install bandit)" >&2; exit 2; }
	echo "== bandit -r (same tree)"
	read -r BANDIT_WALL BANDIT_KB < <(measure /usr/bin/bandit -q -r "$PROJECT" -f json -o "$WORK/bandit.json")
fi

rate() { awk -v n="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.0f", n / t; else print "inf" }'; }
echo
echo "project: $PYFILES Python modules, $PYLINES lines of Python, $ALLFILES files in all"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'djangoguard (all rules):  %6.2f s wall (median of %d; best %.2f, worst %.2f), %6s Python files/s, %6s lines/s, peak RSS %d MiB, %s findings\n' \
	"$DG_WALL" "$RUNS" "$DG_BEST" "$DG_WORST" "$(rate "$PYFILES" "$DG_WALL")" "$(rate "$PYLINES" "$DG_WALL")" $((DG_KB / 1024)) "$DG_FINDINGS"
printf 'djangoguard (DJG2xx):     %6.2f s wall, %6s Python files/s, peak RSS %d MiB\n' \
	"$DG2_WALL" "$(rate "$PYFILES" "$DG2_WALL")" $((DG2_KB / 1024))
if [[ -n "$BANDIT_WALL" ]]; then
	printf 'bandit:                   %6.2f s wall, %6s Python files/s, peak RSS %d MiB\n' \
		"$BANDIT_WALL" "$(rate "$PYFILES" "$BANDIT_WALL")" $((BANDIT_KB / 1024))
	awk -v b="$BANDIT_WALL" -v d="$DG_WALL" -v lo="$DG_WORST" -v hi="$DG_BEST" \
		'BEGIN { printf "speed-up over bandit:     %.1fx on the median (%.1fx worst run, %.1fx best run; goal: 50x)\n", b / d, b / lo, b / hi }'
fi
echo "reports and the project are in $WORK"
