#!/usr/bin/env bash
# Installs the Debian packages the differential test of internal/python
# reads: python3-django (the Django corpus) and libpython3.11-testsuite
# (CPython's own test files under /usr/lib/python3.11/test). Idempotent;
# does nothing when not root or when apt-get is missing.
set -u
need=()
[ -d /usr/lib/python3/dist-packages/django ] || need+=(python3-django)
[ -f /usr/lib/python3.11/test/test_grammar.py ] || need+=(libpython3.11-testsuite)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-corpus: cannot install ${need[*]} (not root or no apt-get)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || {
  apt-get update -qq >/dev/null 2>&1
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1
} || echo "install-corpus: apt-get install ${need[*]} failed" >&2
exit 0
