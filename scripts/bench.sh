#!/usr/bin/env bash
# The benchmark (`make bench`): release binaries of every function and of a
# hello-world floor, each under a minimal Lambda Runtime API against the local
# stack behind counting proxies. Prints a Markdown report and keeps it in
# .local/bench-report.md. BENCH_INVOCATIONS (default 300) and
# BENCH_WORKER_INVITES (default 1000) tune it; BENCH_LATENCY_MS (default 10)
# is the wait added to every AWS call for the worker-under-latency table;
# BENCH_ONLY=keys runs only the interleaved key-read comparison (issue 12),
# BENCH_ONLY=cold only the cold requests (BENCH_COLD_ROUNDS, default 5).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
FUNCTIONS=(resources create-invite list-invites accept-invite revoke-invite manage-invite members me team-links domains send-invite-email delivery-events sweep-invites publish-events)
echo "== release build (${FUNCTIONS[*]}, hello-floor)"
build_start=$SECONDS
cargo build --release --locked $(printf -- '-p %s ' "${FUNCTIONS[@]}") -p invites-bench
echo "release build took $((SECONDS - build_start)) s"
# The entropy lever (docs/performance.md, "The entropy source"): create-invite
# as built with aws-lc's CPU-jitter entropy source, in its own target folder
# (BENCH_SKIP_JITTER=1 leaves it out; a fresh build of it takes minutes).
if [ "${BENCH_SKIP_JITTER:-0}" != 1 ]; then
  echo "== create-invite with jitter entropy (target/bench-jitter)"
  AWS_LC_SYS_NO_JITTER_ENTROPY=0 CARGO_TARGET_DIR=target/bench-jitter cargo build --release --locked -p create-invite
fi
# The Node peer of the cold-request table (the Python one uses the venv's boto3).
npm ci --prefix bench/peers/node --no-audit --no-fund --loglevel=error
source scripts/stack.sh
stack_start
echo "== benchmark ($(nproc) cores, $(uname -m))"
target/release/invites-bench | tee .local/bench-report.md
