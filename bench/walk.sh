#!/usr/bin/env bash
# walk.sh: kensa's foundation benchmark. For every image that
# scripts/build-real-images.sh left in <repo>/.real-images/, it compares a full
# `kensa image` scan with the floor, the time to merely decompress the image's gzip
# layers with the fastest decompressor on the machine, all layers in parallel.
#
# Measures (wall time, best of N, page cache warm; see bench/README.md):
#   floor    libdeflate-gunzip (else pigz -d, else gzip -d), one process per layer,
#            `nproc` at once, output to /dev/null; best of 3
#   kensa    `kensa image oci-layout:DIR --no-cache --format json --output /dev/null`
#            and `kensa image --input NAME.docker.tar|NAME.oci.tar ...`, under
#            /usr/bin/time for wall seconds and peak RSS; best of 3 (RSS: the highest)
#   warm     each input again with a `--cache-dir TMP` filled once, then timed;
#            best of 5, in ms
#   cpu      user + sys seconds of the floor (all its processes) and of kensa, best of
#            the same runs: the ratio to read when the machine is shared
# Targets: kensa/floor <= 1.3, peak RSS < 150 MB, warm rescan < 50 ms.
#
# Usage: bench/walk.sh [--floor-only] [--no-build]
#   --floor-only  measure only the floor (no cargo build, no kensa runs)
#   --no-build    use the existing release binary instead of running cargo build
# Env: KENSA_BIN (binary to measure; default $CARGO_TARGET_DIR or target, /release/kensa),
#      KENSA_REAL_IMAGES (default <repo>/.real-images),
#      KENSA_SCANNERS (passed to --scanners; default empty: the walk alone, with OS and
#      package inventory, which is what the foundation target is about; set it to
#      `config,secret` or `vuln,config,secret` (with KENSA_DB_DIR) to measure scanners).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMAGES_DIR=${KENSA_REAL_IMAGES:-$ROOT/.real-images}
KENSA=${KENSA_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/kensa}
FLOOR_ONLY=0
BUILD=1
FLOOR_RUNS=3
KENSA_RUNS=3
SCANNERS=${KENSA_SCANNERS-}
WARM_RUNS=5

log() { printf '%s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

for arg in "$@"; do
	case $arg in
	--floor-only) FLOOR_ONLY=1 ;;
	--no-build) BUILD=0 ;;
	-h | --help)
		sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*) die "unknown argument \`$arg\` (expected --floor-only or --no-build)" ;;
	esac
done

# Installs a missing Debian package when we are root; returns non-zero otherwise so
# the caller can fall back.
ensure_pkg() {
	local cmd=$1 pkg=$2
	command -v "$cmd" >/dev/null && return 0
	[[ $EUID -eq 0 ]] || return 1
	log "installing $pkg"
	if [[ -z ${APT_UPDATED:-} ]]; then
		apt-get update -qq >&2
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
}

ensure_pkg jq jq || die "jq is required: apt-get install jq"
if ensure_pkg libdeflate-gunzip libdeflate-tools; then
	GUNZIP=(libdeflate-gunzip -c)
elif command -v pigz >/dev/null; then
	log "note: libdeflate-gunzip unavailable, floor uses pigz -d (slower, so the ratio is flattered)"
	GUNZIP=(pigz -dc)
else
	log "note: libdeflate-gunzip and pigz unavailable, floor uses gzip -d (slower, so the ratio is flattered)"
	GUNZIP=(gzip -dc)
fi
if [[ $FLOOR_ONLY -eq 0 ]] && ! [[ -x /usr/bin/time ]]; then
	ensure_pkg /usr/bin/time time || die "/usr/bin/time is required: apt-get install time"
fi

now_ns() { date +%s%N; }

# Best (lowest) wall time of RUNS runs of a command, in ms.
best_ms() {
	local runs=$1 best='' start elapsed i
	shift
	for ((i = 0; i < runs; i++)); do
		start=$(now_ns)
		"$@" >/dev/null
		elapsed=$((($(now_ns) - start) / 1000000))
		if [[ -z $best ]] || ((elapsed < best)); then best=$elapsed; fi
	done
	printf '%s\n' "$best"
}

# Lowest CPU time (user + sys, of the process and every descendant it waited for) of
# RUNS runs of a command, in ms. Unlike wall time it barely moves when other work shares
# the machine, so it is the ratio to compare on a busy one.
best_cpu_ms() {
	local runs=$1 best='' out u s ms i
	shift
	out=$(mktemp)
	for ((i = 0; i < runs; i++)); do
		/usr/bin/time -f '%U %S' -o "$out" "$@" >/dev/null
		read -r u s <"$out"
		ms=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1000 + 0.5 }')
		if [[ -z $best ]] || ((ms < best)); then best=$ms; fi
	done
	rm -f "$out"
	printf '%s\n' "$best"
}

# The image manifest of an OCI layout, following one level of image index.
manifest_path() {
	local dir=$1 digest media
	digest=$(jq -r '.manifests[0].digest' "$dir/index.json")
	media=$(jq -r '.manifests[0].mediaType' "$dir/index.json")
	if [[ $media == *image.index* || $media == *manifest.list* ]]; then
		digest=$(jq -r '[.manifests[] | select(.platform.architecture == "amd64")][0].digest // .manifests[0].digest' \
			"$dir/blobs/${digest/://}")
	fi
	printf '%s\n' "$dir/blobs/${digest/://}"
}

gzip_layers() {
	local dir=$1
	jq -r '.layers[] | select(.mediaType | test("gzip")) | .digest' "$(manifest_path "$dir")" |
		while read -r digest; do printf '%s\n' "$dir/blobs/${digest/://}"; done
}

decompress_all() {
	# Word-splitting GUNZIP is intended: it is a command with its flags.
	xargs -P "$(nproc)" -n1 "${GUNZIP[@]}" <"$1" >/dev/null
}

# Runs kensa RUNS times under /usr/bin/time; prints "best_ms max_rss_kib best_cpu_ms",
# or fails with kensa's stderr on the log.
time_kensa() {
	local runs=$1 out best='' rss=0 cpu='' e m u s c i ms
	shift
	out=$(mktemp)
	for ((i = 0; i < runs; i++)); do
		if ! /usr/bin/time -f '%e %M %U %S' -o "$out" "$KENSA" "$@" >/dev/null 2>"$out.err"; then
			log "kensa $* failed:"
			sed 's/^/  /' "$out.err" | tail -n 20 >&2
			rm -f "$out" "$out.err"
			return 1
		fi
		read -r e m u s <"$out"
		ms=$(awk -v e="$e" 'BEGIN { printf "%d", e * 1000 + 0.5 }')
		c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1000 + 0.5 }')
		if [[ -z $best ]] || ((ms < best)); then best=$ms; fi
		if [[ -z $cpu ]] || ((c < cpu)); then cpu=$c; fi
		((m > rss)) && rss=$m
	done
	rm -f "$out" "$out.err"
	printf '%s %s %s\n' "$best" "$rss" "$cpu"
}

mb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1e6 }'; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == "le") ? v <= t : v < t; printf "%s", ok ? "ok" : "MISS" }'; }

KENSA_OK=0
if [[ $FLOOR_ONLY -eq 0 ]]; then
	if [[ $BUILD -eq 1 ]]; then
		log "building kensa (cargo build --release -p kensa)"
		if (cd "$ROOT" && cargo build --release -p kensa >&2); then KENSA_OK=1; else log "note: cargo build failed; measuring the floor only"; fi
	else
		KENSA_OK=1
	fi
	if [[ $KENSA_OK -eq 1 && ! -x $KENSA ]]; then
		log "note: no kensa binary at \`$KENSA\`; measuring the floor only"
		KENSA_OK=0
	fi
fi

shopt -s nullglob
layouts=()
for dir in "$IMAGES_DIR"/*/; do
	[[ -f $dir/index.json ]] && layouts+=("${dir%/}")
done
if [[ ${#layouts[@]} -eq 0 ]]; then
	log "no images in \`$IMAGES_DIR\`; build them with scripts/build-real-images.sh"
	exit 0
fi

log "floor decompressor: ${GUNZIP[*]} (${GUNZIP[0]} processes: up to $(nproc) at once)"
rows=()
for dir in "${layouts[@]}"; do
	name=$(basename "$dir")
	list=$(mktemp)
	gzip_layers "$dir" >"$list"
	nlayers=$(wc -l <"$list")
	if [[ $nlayers -eq 0 ]]; then
		log "$name: no gzip layers, skipped"
		rm -f "$list"
		continue
	fi
	compressed=$(xargs stat -c %s <"$list" | awk '{ s += $1 } END { print s }')
	# This pass fills the page cache (every measured run reads from memory) and gives
	# the exact uncompressed size, which the gzip trailer only knows modulo 4 GiB.
	uncompressed=0
	while read -r blob; do
		uncompressed=$((uncompressed + $("${GUNZIP[@]}" "$blob" | wc -c)))
	done <"$list"
	log "$name: $nlayers gzip layers, $(mb "$compressed") MB -> $(mb "$uncompressed") MB; timing the floor"
	floor_ms=$(best_ms "$FLOOR_RUNS" decompress_all "$list")
	floor_cpu=$(best_cpu_ms "$FLOOR_RUNS" bash -c "$(declare -p GUNZIP); $(declare -f decompress_all); decompress_all \"\$1\"" _ "$list")
	rm -f "$list"

	inputs=("oci-layout" "docker-archive" "oci-archive")
	for input in "${inputs[@]}"; do
		kensa_s=n/a ratio=n/a rss=n/a warm=n/a cpu_ratio=n/a
		if [[ $KENSA_OK -eq 1 ]]; then
			if [[ $input == oci-layout ]]; then
				target=(image "oci-layout:$dir")
			else
				archive=$IMAGES_DIR/$name.${input%-archive}.tar
				[[ -f $archive ]] || continue
				target=(image --input "$archive")
			fi
			log "$name ($input): timing kensa"
			if result=$(time_kensa "$KENSA_RUNS" "${target[@]}" --scanners "$SCANNERS" --no-cache --format json --output /dev/null); then
				read -r kms krss kcpu <<<"$result"
				cpu_ratio=$(awk -v k="$kcpu" -v f="$floor_cpu" 'BEGIN { printf "%.2f", (f > 0) ? k / f : 0 }')
				kensa_s=$(secs "$kms")
				ratio=$(awk -v k="$kms" -v f="$floor_ms" 'BEGIN { printf "%.2f", (f > 0) ? k / f : 0 }')
				ratio="$ratio $(verdict "$ratio" 1.3 le)"
				rss="$(awk -v k="$krss" 'BEGIN { printf "%.0f", k / 1024 }')"
				rss="$rss $(verdict "$rss" 150 lt)"
			fi
			# Every input kind is rescanned warm: archives are indexed again on each
			# run, so a rescan that reads a whole archive shows here.
			cache=$(mktemp -d)
			if "$KENSA" "${target[@]}" --scanners "$SCANNERS" --cache-dir "$cache" --format json --output /dev/null 2>/dev/null &&
				result=$(time_kensa "$WARM_RUNS" "${target[@]}" --scanners "$SCANNERS" --cache-dir "$cache" --format json --output /dev/null); then
				read -r wms _ <<<"$result"
				warm="$wms $(verdict "$wms" 50 lt)"
			else
				log "$name ($input): warm rescan failed"
			fi
			rm -rf "$cache"
		elif [[ $input != oci-layout ]]; then
			continue
		fi
		rows+=("$name|$input|$(mb "$compressed")|$(mb "$uncompressed")|$(secs "$floor_ms")|$kensa_s|$ratio|$(secs "$floor_cpu")|$cpu_ratio|$rss|$warm")
	done
done

{
	printf '\n'
	printf '%-14s %-15s %8s %8s %8s %8s %12s %10s %8s %12s %10s\n' image input "gzip MB" "raw MB" "floor s" "kensa s" "kensa/floor" "floor cpu" "cpu x" "peak RSS MB" "warm ms"
	printf '%-14s %-15s %8s %8s %8s %8s %12s %10s %8s %12s %10s\n' target "" "" "" "" "" "<= 1.3" "" "" "< 150" "< 50"
	for row in "${rows[@]}"; do
		IFS='|' read -r -a f <<<"$row"
		printf '%-14s %-15s %8s %8s %8s %8s %12s %10s %8s %12s %10s\n' "${f[@]}"
	done
	printf '\nfloor: %s, one process per layer, %s at once, best of %s; kensa: best of %s, RSS the highest seen; warm: best of %s\n' \
		"${GUNZIP[0]}" "$(nproc)" "$FLOOR_RUNS" "$KENSA_RUNS" "$WARM_RUNS"
}
