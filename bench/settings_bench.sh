#!/bin/sh
# Times the project model of a generated project of 200 settings and app
# modules (a 100-deep chain of star imports between settings modules, 100
# app URLconfs chained by include()): parsing, static evaluation of every
# settings module, production choice and the URLconf walk.
#
#   bench/settings_bench.sh [benchtime]     (default 20x)
#
# ns/op is wall time per load; on a busy machine compare with the CPU
# profile total (go tool pprof -top /tmp/settings_bench.cpu).
set -eu
cd "$(dirname "$0")/.."
benchtime=${1:-20x}
go test -run '^$' -bench 'BenchmarkLoadGeneratedProject' -benchtime "$benchtime" \
	-cpuprofile /tmp/settings_bench.cpu ./internal/project
go tool pprof -top -nodecount=1 /tmp/settings_bench.cpu 2>/dev/null | grep -E 'Duration|Total samples' || true
