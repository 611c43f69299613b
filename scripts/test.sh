#!/usr/bin/env bash
# The README's test command: makes sure what the tests need is here (headless Chromium for the
# report's browser tests), builds, then runs every test with node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "test: installing Debian's chromium for the browser tests" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "test: chromium install failed; browser tests will fail" >&2
  else
    echo "test: chromium is missing; run 'sudo apt-get install chromium' for the browser tests" >&2
  fi
fi
npm run build --silent
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
node --test --test-concurrency=2 "${files[@]}"
