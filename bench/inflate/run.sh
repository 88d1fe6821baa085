#!/usr/bin/env bash
# run.sh: inflate throughput on one gzip blob (default: the largest layer of
# .real-images/debian-large): the CLI decompressors, then each Rust backend with and
# without sha256 of the output. Best of 3 each, page cache warm. MB/s are of
# uncompressed output.
# Usage: bench/inflate/run.sh [BLOB]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${INFLATE_TARGET_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}/inflate-bench}

blob=${1:-}
if [[ -z $blob ]]; then
	layout=$ROOT/.real-images/debian-large
	[[ -f $layout/index.json ]] || { echo "error: no \`$layout\`; run scripts/build-real-images.sh or pass a blob" >&2; exit 1; }
	m=$(jq -r '.manifests[0].digest' "$layout/index.json")
	d=$(jq -r '.layers | max_by(.size) | .digest' "$layout/blobs/${m/://}")
	blob=$layout/blobs/${d/://}
fi
[[ -f $blob ]] || { echo "error: no blob at \`$blob\`" >&2; exit 1; }

bytes=$(libdeflate-gunzip -c "$blob" | wc -c) # also warms the page cache
echo "blob: $blob"
echo "compressed $(stat -c %s "$blob") bytes, uncompressed $bytes bytes"

for tool in "libdeflate-gunzip -c" "gzip -dc" "pigz -dc"; do
	command -v "${tool%% *}" >/dev/null || { echo "${tool%% *}: not installed"; continue; }
	best=
	for _ in 1 2 3; do
		s=$(date +%s%N)
		$tool "$blob" >/dev/null
		ms=$((($(date +%s%N) - s) / 1000000))
		[[ -z $best || $ms -lt $best ]] && best=$ms
	done
	awk -v t="$tool" -v ms="$best" -v b="$bytes" 'BEGIN { printf "%-20s %-7s %12d bytes %7.3f s %8.0f MB/s\n", t, "", b, ms / 1000, b / 1e6 / (ms / 1000) }'
done

for feature in zlib-rs zlib-ng miniz libdeflate; do
	cargo build --quiet --release --manifest-path "$HERE/Cargo.toml" --target-dir "$TARGET/$feature" --features "$feature"
	bin=$TARGET/$feature/release/inflate-bench
	"$bin" "$blob"
	"$bin" "$blob" --sha256
	if [[ $feature == libdeflate ]]; then
		/usr/bin/time -f "libdeflater peak RSS: %M KiB" "$bin" "$blob" --runs 1 >/dev/null
	else
		/usr/bin/time -f "$feature peak RSS: %M KiB" "$bin" "$blob" --runs 1 >/dev/null
	fi
done
