#!/usr/bin/env bash
# Runs the whole comparison, the HTTP row included: installs wrk (Debian's package) if it is
# missing, builds the bench in release mode, and passes any arguments on to weft-benches.
#   bash benches/run.sh                 # every workload, 30 rounds, 3 wrk runs of 5 s each
#   bash benches/run.sh --only http_hello --http-rounds 5
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (apt-get)..." >&2
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq wrk
fi
cargo run --release -p weft-benches -- "$@"
