#!/usr/bin/env bash
# Runs every fuzz target briefly, one after another, for use before a release (not in CI).
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#
#   scripts/fuzz-smoke.sh            # 45 s per target
#   SECONDS_PER_TARGET=120 scripts/fuzz-smoke.sh layer_walk rpm
#
# Seeds are (re)built in code first; a crash, hang or OOM stops the run with libFuzzer's
# report and leaves the input under fuzz/artifacts/<target>/.
set -euo pipefail

cd "$(dirname "$0")/../fuzz"
per_target="${SECONDS_PER_TARGET:-45}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list | grep -v '^seeds$')
fi

# Address sanitizer adds little to safe Rust (the C parts, SQLite and zstd, are not
# instrumented either way) and halves the exec rate; panics, overflows (debug assertions
# are on), hangs and OOMs are what these targets find.
cargo +nightly fuzz build -s none
host="$(rustc +nightly -vV | sed -n 's/^host: //p')"
"target/$host/release/seeds" corpus

for t in "${targets[@]}"; do
    echo "== $t (${per_target}s)"
    nice -n 15 cargo +nightly fuzz run -s none "$t" "corpus/$t" -- \
        -max_total_time="$per_target" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 2>&1 |
        grep -E '^(==|stat::number_of_executed_units|Done|SUMMARY|ERROR|panicked|thread)' || true
    if [ "${PIPESTATUS[0]}" -ne 0 ]; then
        echo "$t: FAILED (see fuzz/artifacts/$t/)" >&2
        exit 1
    fi
done
echo "all ${#targets[@]} targets ran ${per_target}s without a crash, hang or OOM"
