#!/usr/bin/env bash
# Lint the protobuf contracts in protos/ with buf (config: buf.yaml).
# buf comes from the npm package @bufbuild/buf pinned in package.json; it is
# installed into node_modules/ on first use. Exits non-zero on any finding.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -x node_modules/.bin/buf ]]; then
  npm ci --no-audit --no-fund --silent
fi

exec node_modules/.bin/buf lint "$@"
