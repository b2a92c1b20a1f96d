#!/bin/sh
# Benchmark of `djangoguard probe`: 200 probes of a local site (http -> https
# redirect, A+ headers, a CA generated for the run, TLS scan included) at
# concurrency 20. Prints probes/s and the p50/p99 latency of one probe.
#
#   bench/probe.sh            # one round of 200 probes
#   ROUNDS=3 bench/probe.sh   # three rounds
set -eu
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-1}"
go test ./internal/live -run '^$' -bench '^BenchmarkProbeLocal$' -benchtime "${ROUNDS}x" -count 1 |
	grep -E 'Benchmark|probes/s|ok|FAIL'
