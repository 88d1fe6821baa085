#!/usr/bin/env bash
# verify.sh: what signature verification costs, against Debian's docker-registry on
# loopback.
#
# Measures (wall time):
#   verify   `kensa verify 127.0.0.1:PORT/bench:latest --key kensa.pub --insecure` of an
#            image signed by `kensa sign`, after a scan filled the cache; best and median
#            of 15, in ms. It resolves the tag, looks the signature up (the tag scheme,
#            then referrers with the tag-schema fallback, since this registry has no
#            referrers API), fetches and checks it. Target: < 50 ms.
#   overhead `kensa image REF --insecure --no-cache` against the same with
#            `--verify-signature --key kensa.pub`, runs interleaved, best of 5 each; the
#            ratio signed/plain. Target: < 1.05 (under 5% added to a cold scan).
# Timings on a shared machine are noisy: compare best-of values and rerun before
# believing a difference of a few percent.
#
# Usage: bench/verify.sh [--no-build] [LAYOUT_DIR]
#   LAYOUT_DIR  an OCI layout to push and scan (default: kensa-testkit's synthetic
#               `bench-layout`, 4 layers of ~16 MB, in target/bench/layout)
#   --no-build  use the existing binary instead of running cargo build --release
# Env: KENSA_BIN (default target/release/kensa), KENSA_SCANNERS (--scanners; default
#      empty: the walk and inventory).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KENSA=${KENSA_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/kensa}
SCANNERS=${KENSA_SCANNERS-}
BUILD=1
LAYOUT=

# shellcheck source=lib/loopback-registry.sh
. "$ROOT/bench/lib/loopback-registry.sh"
parse_bench_args "${BASH_SOURCE[0]}" "$@"
prepare_binary_and_layout
start_registry_with bench
REF=$HOST/bench:latest

export KENSA_CACHE_DIR=$WORK/cache DOCKER_CONFIG=$WORK/no-docker-config
unset KENSA_KEY_PASSWORD KENSA_CONFIG
(cd "$WORK" && "$KENSA" keygen >/dev/null && "$KENSA" sign "$REF" --insecure --key kensa.key >/dev/null 2>&1)
KEY=$WORK/kensa.pub

ms() {
	local start end
	start=$(date +%s%N)
	"$@" >/dev/null 2>&1 || die "failed: $*"
	end=$(date +%s%N)
	echo $(((end - start) / 1000000))
}

# The scan that fills the cache ("a cached image"), then kensa verify alone.
"$KENSA" image "$REF" --insecure --scanners "$SCANNERS" --format json --output /dev/null --quiet 2>/dev/null
verify_runs=()
for _ in $(seq 15); do
	verify_runs+=("$(ms "$KENSA" verify "$REF" --insecure --key "$KEY")")
done
mapfile -t sorted < <(printf '%s\n' "${verify_runs[@]}" | sort -n)
verify_best=${sorted[0]}
verify_median=${sorted[7]}

scan() {
	ms "$KENSA" image "$REF" --insecure --no-cache --scanners "$SCANNERS" --format json \
		--output /dev/null --quiet "$@"
}
plain_best=
signed_best=
for _ in $(seq 5); do
	p=$(scan)
	s=$(scan --verify-signature --key "$KEY")
	if [[ -z $plain_best || $p -lt $plain_best ]]; then plain_best=$p; fi
	if [[ -z $signed_best || $s -lt $signed_best ]]; then signed_best=$s; fi
done

printf 'kensa verify (cached image, loopback registry): best %d ms, median %d ms (target < 50 ms)\n' \
	"$verify_best" "$verify_median"
printf 'cold scan: plain %d ms, with --verify-signature %d ms, ratio %s (target < 1.05)\n' \
	"$plain_best" "$signed_best" \
	"$(python3 -c "import sys; print(f'{int(sys.argv[2]) / int(sys.argv[1]):.3f}')" "$plain_best" "$signed_best")"
echo "(a shared, noisy machine: best-of values; rerun before trusting a few percent)"
