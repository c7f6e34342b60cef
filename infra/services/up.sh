#!/usr/bin/env bash
# Start (or reuse) the real services the tests use and print one NAME=value line
# per service, nothing else, for:  eval "$(infra/services/up.sh | sed 's/^/export /')"
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Each script ends with its NAME=value line; their progress is on stderr.
pg=$(bash "$here/postgres.sh" | tail -n 1)
kafka=$(bash "$here/kafka.sh" | tail -n 1)
browser=$(bash "$here/browser.sh" | tail -n 1)
printf '%s\n' "$pg" "$kafka" "$browser"
