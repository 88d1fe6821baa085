#!/usr/bin/env bash
# manifest.sh: how long `kensa manifest` takes on 10,000 Kubernetes documents (~23 MB of
# YAML in one multi-document file, as `helm template` prints it). Target: under 1 s.
#
# The corpus is the one `cargo bench -p kensa-manifest --bench check` generates (written
# out with KENSA_BENCH_WRITE). Prints, best of RUNS (5):
#   library   read + check in-process (the bench binary), wall ms and docs/s
#   cli       `kensa manifest corpus.yaml --format json --output /dev/null`, wall and
#             user+sys seconds, docs/s (reading the file, every rule, the JSON report)
# With --callgrind, also the instruction counts of one library read-and-check and of the
# CLI run under `valgrind --tool=callgrind` (repeatable on a shared machine, where wall
# time is not).
#
# Usage: bench/manifest.sh [--no-build] [--callgrind]
# Env: KENSA_BIN (default target/release/kensa), RUNS.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
KENSA=${KENSA_BIN:-$TARGET/release/kensa}
RUNS=${RUNS:-5}
BUILD=1
CALLGRIND=0
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    --callgrind) CALLGRIND=1 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ $BUILD == 1 ]]; then
  cargo build --release -p kensa --manifest-path "$ROOT/Cargo.toml" >&2
fi
bench_bin=$(cargo bench -p kensa-manifest --bench check --no-run --manifest-path "$ROOT/Cargo.toml" \
  --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m.get("executable") and m["target"]["name"]=="check":
        print(m["executable"])')

corpus="$work/rendered.yaml"
echo "library (read + check in-process, best of $RUNS):"
KENSA_BENCH_WRITE="$corpus" KENSA_BENCH_ONLY=1 KENSA_BENCH_RUNS="$RUNS" "$bench_bin" |
  awk '/^run/ {print "  " $0} /^best/ {ms=$2; printf "  best %d ms, %.0f docs/s\n", ms, 10000 / (ms / 1000)}'
docs=$(grep -c '^kind: ' "$corpus")
mb=$(du -m "$corpus" | cut -f1)

best=""
best_cpu=""
for _ in $(seq "$RUNS"); do
  /usr/bin/time -o "$work/time" -f '%e %U %S' "$KENSA" manifest "$corpus" --format json \
    --output /dev/null --quiet >/dev/null 2>&1
  t=$(tail -1 "$work/time")
  wall=${t%% *}
  cpu=$(echo "$t" | awk '{print $2 + $3}')
  if [[ -z $best ]] || awk "BEGIN{exit !($wall < $best)}"; then best=$wall; fi
  if [[ -z $best_cpu ]] || awk "BEGIN{exit !($cpu < $best_cpu)}"; then best_cpu=$cpu; fi
done
echo "cli ($KENSA, $docs documents, $mb MB, best of $RUNS):"
awk -v w="$best" -v c="$best_cpu" -v d="$docs" \
  'BEGIN {printf "  wall %.2f s, user+sys %.2f s, %.0f docs/s (target: under 1 s)\n", w, c, d / w}'
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

if [[ $CALLGRIND == 1 ]]; then
  out="$work/callgrind.out"
  KENSA_BENCH_ONLY=1 KENSA_BENCH_RUNS=1 valgrind --tool=callgrind --callgrind-out-file="$out" \
    "$bench_bin" 2>&1 | grep -E 'refs' | sed 's/^==[0-9]*== */callgrind (one read + check, with corpus generation): /'
  valgrind --tool=callgrind --callgrind-out-file="$work/cli.out" "$KENSA" manifest "$corpus" \
    --format json --output /dev/null --quiet 2>&1 | grep -E 'refs' |
    sed 's/^==[0-9]*== */callgrind (kensa manifest, with the JSON report): /'
fi
