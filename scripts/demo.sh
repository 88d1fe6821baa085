#!/usr/bin/env bash
# The README's demo: builds kensa and a demo image with the repo's own test kit, imports the
# demo advisories shipped in demo/advisories into target/demo/db, and scans the image.
# Extra arguments go to `kensa image` (e.g. `--format json`). Needs only cargo, and works on
# a clean clone: `cargo run` builds each binary before it runs it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo run -q -p kensa-testkit --example demo-image -- target/demo/app.tar
cargo run -q -p kensa --bin kensa -- db import demo/advisories --db-dir target/demo/db >/dev/null
exec cargo run -q -p kensa --bin kensa -- image --input target/demo/app.tar \
	--db-dir target/demo/db --no-cache "$@"
