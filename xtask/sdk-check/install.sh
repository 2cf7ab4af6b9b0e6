#!/usr/bin/env bash
# Installs the pinned official Tencent Cloud SDKs (Python and Node.js) into DIR (default
# target/official-sdks): DIR/python is a virtual environment, DIR/node an npm folder. Run by
# .ci/run and by `cargo xtask sdk-check`; the workspace test tests/tests/official_sdks.rs finds
# them through TCMONGO_OFFICIAL_SDKS=DIR. A second run with unchanged pins does nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/../../target/official-sdks}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

if ! cmp -s "$here/requirements.txt" "$dir/python/requirements.txt"; then
  rm -rf "$dir/python"
  python3 -m venv "$dir/python"
  "$dir/python/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$dir/python/requirements.txt"
fi

if ! cmp -s "$here/package-lock.json" "$dir/node/package-lock.json"; then
  rm -rf "$dir/node"
  mkdir -p "$dir/node"
  cp "$here/package.json" "$here/package-lock.json" "$dir/node/"
  (cd "$dir/node" && npm ci --quiet --no-audit --no-fund)
fi

echo "official SDKs in $dir:"
# What is installed, for the log (never fatal).
"$dir/python/bin/python" -m pip show tencentcloud-sdk-python-mongodb tencentcloud-sdk-python-common \
  2>/dev/null | sed -n 's/^\(Name\|Version\): /  /p' | paste - - || true
(cd "$dir/node" && npm ls --depth=0 2>/dev/null | sed -n 's/^[^a-z]*\(tencentcloud[^ ]*\).*/  \1/p') || true
