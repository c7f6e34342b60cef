#!/usr/bin/env bash
# Install (if needed), start (or reuse) the Debian PostgreSQL cluster and create the
# gongxiao role and databases. Idempotent; run as root (CI is).
# Progress goes to stderr; the last stdout line is GONGXIAO_TEST_DATABASE_URL=...
set -euo pipefail

say() { echo "postgres.sh: $*" >&2; }
as_postgres() { (cd / && runuser -u postgres -- "$@"); }  # cd /: postgres can't read root's cwd

{  # everything in here writes to stderr only, so stdout carries just the URL
  if ! command -v pg_ctlcluster >/dev/null; then
    say "installing PostgreSQL from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q && apt-get install -y -q postgresql
  fi

  # The cluster Debian made (or a new one); several? take the newest version.
  read -r ver name port status _ < <(pg_lsclusters --no-header | sort -V -k1,1 | tail -n 1) || true
  if [[ -z ${ver:-} ]]; then
    ver=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
    name=main
    say "creating cluster $ver/$name"
    pg_createcluster "$ver" "$name"
    read -r ver name port status _ < <(pg_lsclusters --no-header "$ver" "$name")
  fi

  if [[ $status != online* ]]; then
    say "starting cluster $ver/$name on port $port"
    # /run is a tmpfs: on a fresh boot the socket directory may be missing.
    install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    if ! pg_ctlcluster "$ver" "$name" start; then
      say "start failed; last lines of its log:"
      tail -n 30 "/var/log/postgresql/postgresql-$ver-$name.log" >&2 || true
      pg_ctlcluster "$ver" "$name" stop -m immediate 2>/dev/null || true
      exit 1
    fi
  else
    say "reusing running cluster $ver/$name on port $port"
  fi

  for _ in $(seq 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 1
  done
  pg_isready -h 127.0.0.1 -p "$port" || { say "not accepting TCP connections on 127.0.0.1:$port"; exit 1; }

  # Role and databases; ALTER resets the password in case someone changed it.
  as_postgres psql -q -X -v ON_ERROR_STOP=1 -p "$port" -d postgres <<'SQL'
SELECT 'CREATE ROLE gongxiao' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gongxiao')
\gexec
ALTER ROLE gongxiao LOGIN CREATEDB PASSWORD 'gongxiao';
-- make bench checkpoints between benchmarks, so one's dirty pages do not stall the next.
GRANT pg_checkpoint TO gongxiao;
SELECT format('CREATE DATABASE %I OWNER gongxiao', db)
  FROM unnest(ARRAY['gongxiao', 'gongxiao_test']) AS db
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = db)
\gexec
SQL

  # Debian's pg_hba.conf allows scram-sha-256 on 127.0.0.1; prove the URL works.
  url=postgresql://gongxiao:gongxiao@127.0.0.1:$port/gongxiao_test
  psql -X -q -At "$url" -c 'select 1' >/dev/null || { say "password login over TCP failed for $url"; exit 1; }
  say "ready: $url"
} >&2

echo "GONGXIAO_TEST_DATABASE_URL=$url"
