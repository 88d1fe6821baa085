# loopback-registry.sh: what bench/registry.sh and bench/verify.sh share. Sourced, not run.
#
# Reads: ROOT (the repository), BUILD (1: cargo build --release first), LAYOUT (an OCI
# layout, or empty for kensa-testkit's synthetic `bench-layout`), KENSA (the binary).
# Sets: WORK (a temporary directory, removed on exit), HOST (127.0.0.1:PORT of a Debian
# docker-registry serving from WORK/data, killed on exit), REGISTRY_LOG (its log).

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# Arguments every bench script takes: --no-build, --help, and one LAYOUT_DIR.
parse_bench_args() {
	local script=$1
	shift
	for arg in "$@"; do
		case $arg in
		--no-build) BUILD=0 ;;
		-h | --help)
			sed -n '2,/^set -euo/p' "$script" | sed '$d; s/^# \{0,1\}//'
			exit 0
			;;
		-*) die "unknown argument \`$arg\`" ;;
		*) LAYOUT=$arg ;;
		esac
	done
}

# Builds kensa (unless --no-build) and the synthetic layout when none was named.
prepare_binary_and_layout() {
	[[ -x /usr/bin/docker-registry ]] || die "docker-registry is required: apt-get install docker-registry"
	command -v skopeo >/dev/null || die "skopeo is required: apt-get install skopeo"
	if [[ $BUILD == 1 ]]; then
		(cd "$ROOT" && cargo build --release -q -p kensa)
	fi
	[[ -x $KENSA ]] || die "no kensa binary at $KENSA (build it, or set KENSA_BIN)"
	if [[ -z $LAYOUT ]]; then
		LAYOUT=$ROOT/target/bench/layout
		if [[ ! -f $LAYOUT/index.json ]]; then
			(cd "$ROOT" && cargo run -q -p kensa-testkit --example bench-layout -- "$LAYOUT")
		fi
	fi
	[[ -f $LAYOUT/index.json ]] || die "\`$LAYOUT\` is not an OCI layout"
}

# Starts the registry on a free loopback port and pushes LAYOUT as REPO:latest.
start_registry_with() {
	local repo=$1
	WORK=$(mktemp -d)
	REGISTRY_PID=
	trap 'stop_registry' EXIT
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	HOST=127.0.0.1:$port
	REGISTRY_LOG=$WORK/registry.log
	cat >"$WORK/config.yml" <<CONFIG
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $WORK/data
http:
  addr: $HOST
CONFIG
	/usr/bin/docker-registry serve "$WORK/config.yml" >"$REGISTRY_LOG" 2>&1 &
	REGISTRY_PID=$!
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		sleep 0.1
	done
	skopeo copy --quiet --dest-tls-verify=false "oci:$LAYOUT" "docker://$HOST/$repo:latest"
}

stop_registry() {
	[[ -n ${REGISTRY_PID-} ]] && kill "$REGISTRY_PID" 2>/dev/null
	rm -rf "$WORK"
}
