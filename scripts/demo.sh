#!/usr/bin/env bash
# The README's demo: builds a demo image with the repo's own test kit, imports the demo
# advisories shipped in demo/advisories into target/demo/db, and scans the image.
# Extra arguments go to `kensa image` (e.g. `--format json`). Needs only cargo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build -q -p kensa -p kensa-testkit --example demo-image
cargo run -q -p kensa-testkit --example demo-image -- target/demo/app.tar
target/debug/kensa db import demo/advisories --db-dir target/demo/db >/dev/null
exec target/debug/kensa image --input target/demo/app.tar --db-dir target/demo/db --no-cache "$@"
