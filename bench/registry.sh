#!/usr/bin/env bash
# registry.sh: kensa scanning from a registry against the same image from an OCI layout
# on disk, side by side in one run, with Debian's docker-registry on loopback.
#
# Measures (wall time, best of N):
#   layout   `kensa image oci-layout:DIR --no-cache`; best of 3
#   cold     `kensa image 127.0.0.1:PORT/bench:latest --insecure --no-cache`: the same
#            image pushed (skopeo) into the registry, every layer streamed from it; best
#            of 3
#   fetch    only downloading every layer blob from the registry with curl, all at
#            once, to /dev/null: the floor the registry itself sets; best of 3
#   warm     the registry image again with a `--cache-dir` filled once; best of 5, in
#            ms, and the requests one warm run made (from the registry's access log)
# Targets: cold/layout <= 1.2; warm: 1 request, < 100 ms.
#
# Usage: bench/registry.sh [--no-build] [LAYOUT_DIR]
#   LAYOUT_DIR  an OCI layout to use (e.g. .real-images/debian-small); default: a
#               synthetic one (4 layers of ~16 MB) written by kensa-testkit's
#               `bench-layout` example into target/bench/layout
#   --no-build  use the existing binary instead of running cargo build --release
# Env: KENSA_BIN (binary to measure; default target/release/kensa),
#      KENSA_SCANNERS (passed to --scanners; default empty: the walk and inventory).
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

# Wall milliseconds of one run of kensa with the given arguments.
run_ms() {
	local start end
	start=$(date +%s%N)
	"$KENSA" image "$@" --scanners "$SCANNERS" --format json --output /dev/null --quiet
	end=$(date +%s%N)
	echo $(((end - start) / 1000000))
}

best_of() {
	local n=$1 best= ms
	shift
	for _ in $(seq "$n"); do
		ms=$(run_ms "$@")
		if [[ -z $best || $ms -lt $best ]]; then best=$ms; fi
	done
	echo "$best"
}

# The layer digests of the (first) image manifest in the layout.
MANIFEST=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"].split(":")[1])' "$LAYOUT/index.json")
mapfile -t LAYERS < <(python3 -c 'import json,sys; [print(l["digest"]) for l in json.load(open(sys.argv[1])).get("layers", [])]' "$LAYOUT/blobs/sha256/$MANIFEST")
fetch_ms() {
	local start end pids=()
	start=$(date +%s%N)
	for d in "${LAYERS[@]}"; do
		curl -sf -o /dev/null "http://$HOST/v2/bench/blobs/$d" &
		pids+=($!)
	done
	wait "${pids[@]}"
	end=$(date +%s%N)
	echo $(((end - start) / 1000000))
}
fetch_best=
for _ in 1 2 3; do
	ms=$(fetch_ms)
	if [[ -z $fetch_best || $ms -lt $fetch_best ]]; then fetch_best=$ms; fi
done
layout_ms=$(best_of 3 "oci-layout:$LAYOUT" --no-cache)
cold_ms=$(best_of 3 "$HOST/bench:latest" --insecure --no-cache 2>/dev/null)
"$KENSA" image "$HOST/bench:latest" --insecure --cache-dir "$WORK/cache" --scanners "$SCANNERS" \
	--format json --output /dev/null --quiet 2>/dev/null
before=$(grep -c '"GET /v2/' "$REGISTRY_LOG" || true)
run_ms "$HOST/bench:latest" --insecure --cache-dir "$WORK/cache" >/dev/null 2>&1
after=$(grep -c '"GET /v2/' "$REGISTRY_LOG" || true)
warm_ms=$(best_of 5 "$HOST/bench:latest" --insecure --cache-dir "$WORK/cache" 2>/dev/null)

blob_mb=$(du -sm "$LAYOUT/blobs" | cut -f1)
printf '%-28s %s\n' "image" "$LAYOUT ($blob_mb MB of blobs)"
printf '%-28s %s ms\n' "oci layout, cold" "$layout_ms"
printf '%-28s %s ms\n' "registry, fetch only (curl)" "$fetch_best"
printf '%-28s %s ms\n' "registry, cold" "$cold_ms"
printf '%-28s %s (target <= 1.2)\n' "registry/layout" "$(awk -v a="$cold_ms" -v b="$layout_ms" 'BEGIN { printf "%.2f", a / b }')"
printf '%-28s %s ms (target < 100)\n' "registry, warm rescan" "$warm_ms"
printf '%-28s %s (target 1)\n' "warm rescan requests" "$((after - before))"
grep '"GET /v2/' "$REGISTRY_LOG" | tail -n "$((after - before))" | sed 's/.*"\(GET [^ ]*\).*/  \1/' >&2
