#!/usr/bin/env bash
# build-real-images.sh: build real Debian container images without a Docker engine,
# for kensa's end-to-end checks and benchmarks (bench/walk.sh).
#
# What it builds, into <repo>/.real-images/ (git-ignored):
#   debian-small  3 layers: `debootstrap --variant=minbase bookworm`; an app layer
#                 (/app files, a user, a setuid copy of su, a documented example AWS
#                 key so secret scanning has something to find); a slimming layer that
#                 deletes files of the first layer (so whiteouts exist). Config sets
#                 user, env, cmd, working dir and labels.
#   debian-large  5 layers, ~1.2 GB of gzip layers: minbase, then layers that run
#                 `apt-get install --no-install-recommends` in a chroot (toolchains for
#                 C, Python with SciPy, Java, Go, Node, Rust, LLVM, MinGW), as a Dockerfile would.
# Each image is written three ways:
#   .real-images/NAME/             OCI image layout (tag `latest`)
#   .real-images/NAME.oci.tar      OCI archive
#   .real-images/NAME.docker.tar   docker-archive (`docker save` format, name NAME:latest;
#                                  its layers are uncompressed, as docker writes them)
#
# Tools: debootstrap, umoci, skopeo, jq (Debian packages). Run as root: debootstrap and
# chroot need it, and missing tools are installed with apt-get.
# Network: only the Debian mirror this machine's apt is configured with (override with
# KENSA_DEBIAN_MIRROR=http://host/debian).
# Time (measured on a busy 2-core machine): debian-small ~1 min, debian-large ~17 min,
# mostly apt downloads, gzip in umoci, and deleting the build tree.
# Disk: ~12 GB free while building debian-large (rootfs, layout, both archives);
# ~6.3 GB stays afterwards (debian-large: 1.2 GB layout + 1.2 GB OCI archive +
# 3.7 GB docker-archive).
#
# Usage: scripts/build-real-images.sh [--force] [debian-small|debian-large ...]
#   An image whose three outputs already exist is skipped unless --force is given.
set -euo pipefail

readonly SUITE=bookworm
readonly ALL_IMAGES=(debian-small debian-large)
readonly CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${KENSA_REAL_IMAGES:-$ROOT/.real-images}
FORCE=0
IMAGES=()
MOUNTS=()

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
}

parse_args() {
	local arg
	for arg in "$@"; do
		case $arg in
		--force) FORCE=1 ;;
		-h | --help)
			usage
			exit 0
			;;
		debian-small | debian-large) IMAGES+=("$arg") ;;
		*) die "unknown argument \`$arg\` (expected --force, debian-small or debian-large)" ;;
		esac
	done
	if [[ ${#IMAGES[@]} -eq 0 ]]; then
		IMAGES=("${ALL_IMAGES[@]}")
	fi
}

ensure_tools() {
	local missing=() pair
	for pair in debootstrap:debootstrap umoci:umoci skopeo:skopeo jq:jq; do
		command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
	done
	[[ ${#missing[@]} -eq 0 ]] && return
	log "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The first Debian archive URI in this machine's apt sources, so the images come from
# the same mirror apt already trusts here.
detect_mirror() {
	if [[ -n ${KENSA_DEBIAN_MIRROR:-} ]]; then
		printf '%s\n' "$KENSA_DEBIAN_MIRROR"
		return
	fi
	local files=() f uri
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] && files+=("$f")
	done
	uri=$(grep -hv '^\s*#' "${files[@]}" 2>/dev/null | grep -oE 'https?://[^ ]+/debian/?( |$)' | head -n1 | tr -d ' ' || true)
	printf '%s\n' "${uri%/}"
}

# --- mounts -----------------------------------------------------------------------

mount_chroot() {
	local rootfs=$1
	mount -t proc proc "$rootfs/proc"
	MOUNTS+=("$rootfs/proc")
	mount --bind /dev "$rootfs/dev"
	MOUNTS+=("$rootfs/dev")
	# apt logs maintainer-script output through a pty.
	mount --bind /dev/pts "$rootfs/dev/pts"
	MOUNTS+=("$rootfs/dev/pts")
}

umount_all() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null || true
	done
	MOUNTS=()
}

# Nothing may be mounted below a tree we pack or delete: packing would capture the
# host's /proc and /dev, and `rm -rf` would delete the host's device nodes.
assert_unmounted() {
	local dir
	dir=$(realpath -m "$1")
	if awk -v d="$dir/" '{ if (index($2 "/", d) == 1) { found = 1 } } END { exit !found }' /proc/mounts; then
		die "something is still mounted below \`$dir\`; unmount it first"
	fi
}

safe_rm() {
	[[ -e $1 ]] || return 0
	assert_unmounted "$1"
	rm -rf --one-file-system "$1"
}

cleanup() {
	umount_all
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- building blocks ----------------------------------------------------------------

# Runs a shell script inside the rootfs as a Dockerfile RUN would: network through the
# host's resolver, no services started, /proc and /dev mounted only for the duration.
run_in_chroot() {
	local rootfs=$1 script=$2 start=$SECONDS
	# The image's resolv.conf stays empty (runtimes mount their own); restoring its
	# mtime keeps it out of the layer diff.
	local resolv_mtime
	resolv_mtime=$(stat -c %Y "$rootfs/etc/resolv.conf")
	cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
	printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
	chmod 755 "$rootfs/usr/sbin/policy-rc.d"
	mount_chroot "$rootfs"
	local rc=0
	chroot "$rootfs" /usr/bin/env -i DEBIAN_FRONTEND=noninteractive HOME=/root LANG=C.UTF-8 \
		PATH="$CHROOT_PATH" /bin/sh -euxc "$script" || rc=$?
	umount_all
	rm -f "$rootfs/usr/sbin/policy-rc.d"
	: >"$rootfs/etc/resolv.conf"
	touch -d "@$resolv_mtime" "$rootfs/etc/resolv.conf"
	[[ $rc -eq 0 ]] || die "command in chroot \`$rootfs\` failed with status $rc: $script"
	log "  chroot run done in $((SECONDS - start)) s"
}

apt_layer_script() {
	printf 'apt-get update -qq\napt-get install -y -qq --no-install-recommends %s\napt-get clean\nrm -rf /var/lib/apt/lists/*\n' "$*"
}

new_image() {
	local layout=$1 bundle=$2
	umoci init --layout "$layout"
	umoci new --image "$layout:latest"
	umoci unpack --image "$layout:latest" "$bundle"
}

repack() {
	local layout=$1 bundle=$2 created_by=$3 start=$SECONDS
	assert_unmounted "$bundle/rootfs"
	umoci repack --refresh-bundle --history.created_by "$created_by" --image "$layout:latest" "$bundle"
	log "  layer done in $((SECONDS - start)) s: $created_by"
}

# minbase is what Debian's official images start from; /dev is emptied because image
# layers carry no device nodes, and the sources list matches the official images.
base_layer() {
	local layout=$1 bundle=$2 mirror=$3 rootfs=$2/rootfs start=$SECONDS
	log "  debootstrap --variant=minbase $SUITE from $mirror"
	debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$bundle.debootstrap.log" 2>&1 ||
		die "debootstrap failed; see \`$bundle.debootstrap.log\`"
	find "$rootfs/dev" -mindepth 1 -delete
	rm -f "$rootfs/etc/apt/sources.list"
	cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $mirror-security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	printf 'kensa-real\n' >"$rootfs/etc/hostname"
	: >"$rootfs/etc/resolv.conf"
	chmod 644 "$rootfs/etc/hostname" "$rootfs/etc/resolv.conf"
	rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/cache/apt/"*.bin "$rootfs/var/lib/apt/lists/"*
	log "  debootstrap done in $((SECONDS - start)) s"
	repack "$layout" "$bundle" "debootstrap --variant=minbase $SUITE"
}

# --- images -------------------------------------------------------------------------

build_debian_small() {
	local layout=$1 bundle=$2 mirror=$3 rootfs=$2/rootfs
	base_layer "$layout" "$bundle" "$mirror"

	run_in_chroot "$rootfs" 'useradd --uid 1000 --create-home --shell /bin/sh app'
	mkdir -p "$rootfs/app/bin" "$rootfs/app/config"
	cat >"$rootfs/app/bin/run.sh" <<'EOF'
#!/bin/sh
# Demo entrypoint of kensa's debian-small test image.
exec sleep infinity
EOF
	chmod 755 "$rootfs/app/bin/run.sh"
	# AWS's documented example key pair (not a live credential), so secret scanners
	# have a known finding in a real image.
	cat >"$rootfs/app/config/.env" <<'EOF'
APP_MODE=production
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
EOF
	chmod 640 "$rootfs/app/config/.env"
	chown -R 1000:1000 "$rootfs/app"
	cp -a "$rootfs/usr/bin/su" "$rootfs/usr/local/bin/su-copy"
	chmod 4755 "$rootfs/usr/local/bin/su-copy"
	repack "$layout" "$bundle" "COPY app /app; RUN useradd app && cp -a /usr/bin/su /usr/local/bin/su-copy"

	rm -rf "$rootfs/usr/share/doc/"* "$rootfs/usr/share/info" "$rootfs/usr/share/man/"* "$rootfs/etc/motd"
	repack "$layout" "$bundle" "RUN rm -rf /usr/share/doc/* /usr/share/info /usr/share/man/* /etc/motd"

	umoci config --image "$layout:latest" --history.created_by "kensa image config" \
		--config.user 1000:1000 \
		--config.env PATH=/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		--config.env APP_MODE=production \
		--config.workingdir /app \
		--config.cmd /app/bin/run.sh \
		--config.label org.opencontainers.image.title=debian-small \
		--config.label org.opencontainers.image.description="kensa test image, not for use"
}

build_debian_large() {
	local layout=$1 bundle=$2 mirror=$3 rootfs=$2/rootfs pkgs
	base_layer "$layout" "$bundle" "$mirror"

	# Package sets are chosen so the image lands at ~1.2 GB of gzip layers in five
	# layers, the shape of a fat CI/build image.
	pkgs='build-essential ca-certificates curl git openssh-client wget xz-utils python3 python3-dev python3-pip python3-venv python3-numpy python3-scipy python3-pandas'
	run_in_chroot "$rootfs" "$(apt_layer_script "$pkgs")"
	repack "$layout" "$bundle" "RUN apt-get install $pkgs"

	pkgs='openjdk-17-jdk-headless maven'
	run_in_chroot "$rootfs" "$(apt_layer_script "$pkgs")"
	repack "$layout" "$bundle" "RUN apt-get install $pkgs"

	pkgs='golang nodejs npm'
	run_in_chroot "$rootfs" "$(apt_layer_script "$pkgs")"
	repack "$layout" "$bundle" "RUN apt-get install $pkgs"

	pkgs='rustc cargo clang llvm-dev gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64'
	run_in_chroot "$rootfs" "$(apt_layer_script "$pkgs")"
	repack "$layout" "$bundle" "RUN apt-get install $pkgs"

	umoci config --image "$layout:latest" --history.created_by "kensa image config" \
		--config.env PATH="$CHROOT_PATH" \
		--config.env LANG=C.UTF-8 \
		--config.cmd /bin/bash \
		--config.label org.opencontainers.image.title=debian-large \
		--config.label org.opencontainers.image.description="kensa test image, not for use"
}

# --- driver -------------------------------------------------------------------------

outputs_exist() {
	local name=$1
	[[ -f $OUT/$name/index.json && -f $OUT/$name.oci.tar && -f $OUT/$name.docker.tar ]]
}

build_image() {
	local name=$1 mirror=$2 start=$SECONDS
	if [[ $FORCE -eq 0 ]] && outputs_exist "$name"; then
		log "$name: already built, skipping (use --force to rebuild)"
		return
	fi
	log "$name: building"
	local work=$OUT/.build-$name
	safe_rm "$work"
	mkdir -p "$work"
	local layout=$work/oci bundle=$work/bundle
	new_image "$layout" "$bundle"
	"build_${name//-/_}" "$layout" "$bundle" "$mirror"
	umoci gc --layout "$layout"

	log "$name: writing archives"
	skopeo --insecure-policy copy --quiet "oci:$layout:latest" "oci-archive:$work/image.oci.tar:latest"
	skopeo --insecure-policy copy --quiet "oci:$layout:latest" "docker-archive:$work/image.docker.tar:$name:latest"

	# Replace the old outputs only once the new ones are complete.
	safe_rm "$OUT/$name"
	mv "$layout" "$OUT/$name"
	mv -f "$work/image.oci.tar" "$OUT/$name.oci.tar"
	mv -f "$work/image.docker.tar" "$OUT/$name.docker.tar"
	safe_rm "$work"
	log "$name: done in $((SECONDS - start)) s"
}

print_sizes() {
	local name manifest layers gz
	printf '\n%-14s %7s %12s %12s %14s\n' image layers gzip-layers oci.tar docker.tar
	for name in "${ALL_IMAGES[@]}"; do
		outputs_exist "$name" || continue
		manifest=$(jq -r '.manifests[0].digest' "$OUT/$name/index.json")
		manifest=$OUT/$name/blobs/${manifest/://}
		layers=$(jq '.layers | length' "$manifest")
		gz=$(jq '[.layers[].size] | add' "$manifest")
		# The docker-archive's layers are uncompressed, so its size is close to the
		# tar stream a scanner has to read.
		printf '%-14s %7s %12s %12s %14s\n' "$name" "$layers" "$(iec "$gz")" \
			"$(iec "$(stat -c %s "$OUT/$name.oci.tar")")" "$(iec "$(stat -c %s "$OUT/$name.docker.tar")")"
	done
}

iec() { numfmt --to=iec-i --suffix=B --round=nearest --format=%.2f "$1"; }

main() {
	parse_args "$@"
	[[ $EUID -eq 0 ]] || die "must run as root (debootstrap and chroot need it); try: sudo $0 $*"
	ensure_tools
	local mirror
	mirror=$(detect_mirror)
	[[ -n $mirror ]] || die "no Debian mirror found in /etc/apt/sources.list*; set KENSA_DEBIAN_MIRROR"
	mkdir -p "$OUT"
	local name
	for name in "${IMAGES[@]}"; do
		build_image "$name" "$mirror"
	done
	print_sizes
}

main "$@"
