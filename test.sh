#!/usr/bin/env bash
# Runs every Drawbridge test: unit, integration (SQLite and PostgreSQL), browser.
# PostgreSQL: uses DRAWBRIDGE_TEST_POSTGRES if set; otherwise starts a throwaway server on 127.0.0.1
# from the Debian postgresql package and removes it afterwards.
set -euo pipefail
cd "$(dirname "$0")"

# What the tests need from Debian: Chromium (browser tests), PostgreSQL (provider tests), npm (front-end build).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ -n "${DRAWBRIDGE_TEST_POSTGRES:-}" ] || need+=(postgresql)
command -v npm >/dev/null 2>&1 || need+=(npm)
dpkg -s fonts-liberation >/dev/null 2>&1 || need+=(fonts-liberation)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "test.sh: please install: ${need[*]} (sudo apt-get install ${need[*]})" >&2
    exit 2
  fi
fi
dotnet tool restore >/dev/null

cleanup() { :; }
if [ -z "${DRAWBRIDGE_TEST_POSTGRES:-}" ]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
    echo "test.sh: PostgreSQL is not installed (apt-get install postgresql), or set DRAWBRIDGE_TEST_POSTGRES" >&2
    exit 2
  fi
  pgdir=$(mktemp -d /tmp/drawbridge-pg.XXXXXX)
  as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres "$pgdir"
  as_pg "'$pgbin/initdb' -D '$pgdir/data' -A trust -U postgres >/dev/null"
  # A port below the kernel's ephemeral range (32768 and up), so no client connection holds it; another server may
  # still, so a few ports are tried.
  started=
  for attempt in 1 2 3 4 5; do
    port=$(( 20000 + RANDOM % 12000 ))
    if as_pg "'$pgbin/pg_ctl' -D '$pgdir/data' -o \"-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c fsync=off -c synchronous_commit=off -c max_connections=300\" -l '$pgdir/log' -w start >/dev/null"; then
      started=1
      break
    fi
  done
  if [ -z "$started" ]; then
    echo "test.sh: PostgreSQL did not start on five ports; its log:" >&2
    cat "$pgdir/log" >&2
    exit 1
  fi
  cleanup() { as_pg "'$pgbin/pg_ctl' -D '$pgdir/data' -m immediate stop >/dev/null" || true; rm -rf "$pgdir"; }
  export DRAWBRIDGE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Include Error Detail=true"
fi
trap cleanup EXIT

results=$(mktemp -d /tmp/drawbridge-results.XXXXXX)
status=0
dotnet test Drawbridge.slnx -c Release --logger "trx" --results-directory "$results" "$@" || status=$?

# One closing line for the whole run, counted from the test result files.
passed=0; failed=0; skipped=0
for f in "$results"/*.trx; do
  [ -e "$f" ] || continue
  line=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line"); passed=$((passed + ${p:-0}))
  f2=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line"); failed=$((failed + ${f2:-0}))
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$line"); skipped=$((skipped + ${n:-0}))
done
rm -rf "$results"
echo "Tests: $passed passed, $failed failed, $skipped skipped"
exit $status
