#!/usr/bin/env bash
# run.sh: inflate throughput on one gzip blob (default: the largest layer of
# .real-images/debian-large): the CLI decompressors, then the Rust program of this
# directory built once per backend, with and without sha256 of the output.
# Each is run RUNS times (default 3) under /usr/bin/time, page cache warm; the table
# shows the best wall time and the best CPU time (user+sys), as MB/s of uncompressed
# output. On a busy machine the CPU column is the steadier one.
# Usage: [RUNS=N] bench/inflate/run.sh [BLOB]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${INFLATE_TARGET_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}/inflate-bench}
RUNS=${RUNS:-3}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

blob=${1:-}
expected=
if [[ -z $blob ]]; then
	layout=$ROOT/.real-images/debian-large
	[[ -f $layout/index.json ]] || die "no \`$layout\`; run scripts/build-real-images.sh or pass a blob"
	m=$(jq -r '.manifests[0].digest' "$layout/index.json")
	manifest=$layout/blobs/${m/://}
	idx=$(jq '[.layers[].size] | index(max)' "$manifest")
	d=$(jq -r ".layers[$idx].digest" "$manifest")
	c=$(jq -r '.config.digest' "$manifest")
	expected=$(jq -r ".rootfs.diff_ids[$idx]" "$layout/blobs/${c/://}")
	blob=$layout/blobs/${d/://}
fi
[[ -f $blob ]] || die "no blob at \`$blob\`"

bytes=$(libdeflate-gunzip -c "$blob" | wc -c) # also warms the page cache
printf 'blob: %s\ncompressed %s bytes, uncompressed %s bytes, %s cores, load %s\n\n' \
	"$blob" "$(stat -c %s "$blob")" "$bytes" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %8s %9s %8s %9s %9s\n' "decompressor" "wall s" "wall MB/s" "cpu s" "cpu MB/s" "RSS MB"

measure() {
	local label=$1 out best_wall='' best_cpu='' rss=0 e u s m cpu i
	shift
	out=$(mktemp)
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -f '%e %U %S %M' -o "$out" "$@" >/dev/null
		read -r e u s m <"$out"
		cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')
		if [[ -z $best_wall ]] || awk -v a="$e" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then best_wall=$e; fi
		if [[ -z $best_cpu ]] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then best_cpu=$cpu; fi
		((m > rss)) && rss=$m
	done
	rm -f "$out"
	awk -v l="$label" -v w="$best_wall" -v c="$best_cpu" -v r="$rss" -v b="$bytes" 'BEGIN {
		printf "%-34s %8.2f %9.0f %8.2f %9.0f %9.0f\n", l, w, (w > 0) ? b / 1e6 / w : 0, c, (c > 0) ? b / 1e6 / c : 0, r / 1024 }'
}

for tool in libdeflate-gunzip gzip pigz; do
	command -v "$tool" >/dev/null || {
		echo "$tool: not installed"
		continue
	}
	measure "$tool -dc" "$tool" -dc "$blob"
done

for feature in zlib-rs zlib-ng miniz libdeflate; do
	cargo build --quiet --release --manifest-path "$HERE/Cargo.toml" --target-dir "$TARGET/$feature" --features "$feature"
	bin=$TARGET/$feature/release/inflate-bench
	if [[ -n $expected ]]; then
		got=$("$bin" "$blob" --sha256 --runs 1 | grep -o 'sha256:[0-9a-f]*')
		[[ $got == "$expected" ]] || die "$feature: sha256 of the output is $got, the layer's diff id is $expected"
	fi
	label=$("$bin" --backend)
	measure "$label" "$bin" "$blob" --runs 1
	measure "$label + sha256" "$bin" "$blob" --runs 1 --sha256
done
[[ -z $expected ]] || printf '\nevery backend'"'"'s sha256 equals the diff id %s\n' "$expected"
