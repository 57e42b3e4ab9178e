# Shared by the bench scripts that start servers (sourced, POSIX sh): free loopback ports,
# bounded waits, and one clean-up that runs however the script ends (Ctrl-C, a failure).

# A loopback port nothing listens on now (the kernel's pick).
free_port() {
  ${BIN:-.venv/bin}/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_ready URL [SECONDS]: until URL answers 2xx, or fail after SECONDS (default 60).
wait_ready() {
  _deadline=$(( $(date +%s) + ${2:-60} ))
  until curl -sf "$1" >/dev/null; do
    if [ "$(date +%s)" -ge "$_deadline" ]; then echo "not ready after ${2:-60} s: $1" >&2; exit 1; fi
    sleep 0.2
  done
}

# Processes to stop and commands to run at exit: add with `PIDS="$PIDS $!"` and
# `CLEANUP="$CLEANUP; command"`.
PIDS=""
CLEANUP=":"
_bench_exit() {
  status=$?
  set +e  # a stopped server's status (143) must not end the clean-up half-way
  # shellcheck disable=SC2086
  [ -n "$PIDS" ] && { kill $PIDS 2>/dev/null; wait $PIDS 2>/dev/null; }
  eval "$CLEANUP"
  exit $status
}
trap _bench_exit EXIT
trap 'exit 130' INT TERM
