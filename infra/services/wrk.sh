#!/usr/bin/env bash
# Install (if needed) wrk, the HTTP load generator of `make bench` (bench.http_rate): a
# client in C costs the 2-core machine a fraction of what Python scanners would, so the
# server's figure is not the client's. Idempotent; run as root (CI is).
set -euo pipefail
if ! command -v wrk >/dev/null; then
  echo "wrk.sh: installing wrk from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q --no-install-recommends wrk; } >&2
fi
command -v wrk
