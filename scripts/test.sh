#!/usr/bin/env bash
# The test suite: every crate's unit, integration and doc tests, then the tour example (its
# milestones are checked, not its timings).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --all-features

out=$(cargo run --release --example tour)
printf '%s\n' "$out"
for milestone in "main() returned 42" "squares computed by 5 tasks: [1, 4, 9, 16, 25]" \
    'is named Some("fetch-user")' "100000 tasks done" 'steps: ["B0", "A0", "B1", "A1", "B2", "A2"]' \
    "is_cancelled = true" "is_panic = true" \
    'callbacks ran in order: ["call_soon #1", "call_soon #2", "call_later(60 ms)"]' \
    'gather -> ["A", "B", "C"]' 'wait_for -> Err("deadline has elapsed")' \
    'spawn_blocking -> "read from a slow device"' "run_forever returned after stop()" \
    'the server echoed "hello, weft"' 'panicked: "nested runtime' \
    "SIGINT arrived: stopping the loop" "run_forever returned; the handler is removed" \
    "closed = true" "tour complete"; do
    if ! grep -qF -- "$milestone" <<<"$out"; then
        echo "tour output is missing: $milestone" >&2
        exit 1
    fi
done
echo "tour: all milestones present"
