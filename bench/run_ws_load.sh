#!/usr/bin/env bash
# Connections on hearthd (docs/benchmarks.md): starts BUILD_DIR/examples/hearthd on 127.0.0.1
# with a new database in a temporary folder, waits until /health answers, runs
# BUILD_DIR/bench/hearth_ws_load against it, then stops hearthd and removes the folder.
#
# usage: bench/run_ws_load.sh BUILD_DIR [hearth_ws_load options...]
#   e.g. bench/run_ws_load.sh build --connections 10000 --subscribers 1000 --rate 20 --duration 30
# hearthd runs in dev mode (--dev: hello by handle, unverified) with --allow-signup and no demo
# seed: a benchmark on loopback, never a deployment. Its settings are passed explicitly below
# (HEARTHD_THREADS overrides --threads). The generator's JSON lines go to stdout, followed by one
# line of hearthd's own peak RSS and CPU time; the exit status is the generator's.
set -euo pipefail

if [[ $# -lt 1 || $1 == --* ]]; then
  echo "usage: $0 BUILD_DIR [hearth_ws_load options...]" >&2
  exit 2
fi
build_dir=$1
shift

hearthd=$build_dir/examples/hearthd
generator=$build_dir/bench/hearth_ws_load
for program in "$hearthd" "$generator"; do
  if [[ ! -x $program ]]; then
    echo "run_ws_load.sh: $program not found; build it first" >&2
    exit 1
  fi
done

# Every connection is a descriptor in each process: the generator's client socket and hearthd's
# server socket. Raise the soft limit as far as the hard one allows.
connections=10000
args=("$@")
for ((i = 0; i < ${#args[@]}; ++i)); do
  if [[ ${args[i]} == --connections ]]; then connections=${args[i + 1]:-$connections}; fi
done
hard=$(ulimit -Hn)
if [[ $hard != unlimited ]]; then ulimit -n "$hard"; else ulimit -n 1048576 2>/dev/null || true; fi
needed=$((connections + 200))
if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt $needed ]]; then
  echo "run_ws_load.sh: $connections connections need $needed open files per process;" \
    "the limit is $(ulimit -n) (hard: $hard). Raise it (ulimit -Hn as root, or" \
    "/etc/security/limits.conf) or ask for fewer connections." >&2
  exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/hearth-ws-load.XXXXXX")
pid=
# shellcheck disable=SC2317  # run by the EXIT trap
stop() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    # hearthd closes every connection and waits up to 5 s for the clients.
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap stop EXIT

max_connections=$((connections + 100))
if ((max_connections < 20000)); then max_connections=20000; fi
"$hearthd" --dev --allow-signup --no-seed --static "" --listen 127.0.0.1:0 \
  --db "$dir/ws_load.db" --threads "${HEARTHD_THREADS:-2}" --max-connections "$max_connections" \
  --send-queue-bytes 4194304 --idle-timeout-seconds 60 \
  >"$dir/hearthd.out" 2>"$dir/hearthd.err" &
pid=$!

# hearthd prints "hearthd: serving http://127.0.0.1:PORT/" once it listens (port 0: a free one).
port=
for _ in $(seq 300); do
  port=$(sed -n 's|^hearthd: serving http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$dir/hearthd.out")
  [[ -n $port ]] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "run_ws_load.sh: hearthd did not start:" >&2
    cat "$dir/hearthd.err" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z $port ]]; then
  echo "run_ws_load.sh: hearthd did not say where it listens within 30 s" >&2
  exit 1
fi
# GET /health with bash's own /dev/tcp (no curl needed): its status line must say 200.
health() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
    IFS= read -r -t 2 status_line <&3 || exit 1
    [[ $status_line == "HTTP/1.1 200"* ]]
  ) 2>/dev/null
}
healthy=
for _ in $(seq 100); do
  if health; then
    healthy=1
    break
  fi
  sleep 0.1
done
if [[ -z $healthy ]]; then
  echo "run_ws_load.sh: hearthd's /health did not answer on port $port" >&2
  exit 1
fi

status=0
"$generator" --host 127.0.0.1 --port "$port" "$@" || status=$?

# hearthd's own figures, before it stops: peak RSS (VmHWM) and CPU time (utime + stime).
if [[ -r /proc/$pid/status ]]; then
  rss=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  cpu=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}')
  echo "{\"phase\": \"hearthd\", \"peak_rss_kib\": ${rss:-0}, \"cpu_seconds\": $cpu," \
    "\"threads\": ${HEARTHD_THREADS:-2}}"
fi
exit "$status"
