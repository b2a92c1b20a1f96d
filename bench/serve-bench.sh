#!/bin/sh
# Scans per minute of `djangoguard serve` workers against local targets:
# 300 queued scans of local sites drained through PostgreSQL by one worker
# process, then by two (4 scans at once each). Needs Debian's postgresql 15
# (the benchmark starts a throw-away server on 127.0.0.1).
#   bench/serve-bench.sh            # 3 rounds each
#   COUNT=1 bench/serve-bench.sh
set -eu
cd "$(dirname "$0")/.."
go test -run '^$' -bench 'BenchmarkWorkers' -benchtime 1x -count "${COUNT:-3}" ./internal/server/ 2>&1 | grep -v 'level='
