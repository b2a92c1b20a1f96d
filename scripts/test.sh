#!/usr/bin/env bash
# The test command: installs what the tests need (Debian packages, when
# missing), then checks formatting, vets, runs staticcheck and every test.
# Usage: bash scripts/test.sh [go test flags...]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use: the real Django (3.2) for `manage.py check
# --deploy` and for live servers to probe, a WSGI server and nginx to serve
# them, openssl for TLS fixtures, chromium for the dashboard tests, bandit for
# the speed comparison, PostgreSQL for the multi-worker store tests, and
# CPython's own test suite (hard Python files) for the parser's differential test.
PACKAGES=(python3 python3-django python3-gunicorn nginx openssl ca-certificates
          chromium chromium-driver bandit postgresql libpython3.11-testsuite)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
STATICCHECK="$(go env GOPATH)/bin/staticcheck"
if [ ! -x "$STATICCHECK" ] || ! "$STATICCHECK" -version 2>/dev/null | grep -q '(0.8.2)'; then
  GOFLAGS= go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
"$STATICCHECK" ./...

echo "== go test"
go test -count=1 "$@" ./...

echo "== parser differential counts (CPython 3.11 ast.dump vs ours)"
go test -count=1 -v -run 'TestDifferentialCPython$' ./internal/python/ | grep -E 'differential|^(ok|FAIL)' || true

echo "== go test -race (packages with concurrency)"
go test -count=1 -race -short "$@" ./internal/discover ./internal/scan ./internal/coderules ./internal/taint \
  ./internal/templaterules ./internal/views ./internal/live ./internal/store ./internal/server \
  ./internal/deps ./internal/deps/vulndb
