#!/usr/bin/env bash
# Crawlee PlaywrightCrawler peer, driving Debian's Chromium (no browser download).
# Usage: crawlee_playwright.sh START_URL OUT.jsonl | --install | --version
# Env: CONCURRENCY (8), NODE_DIR (/tmp/bench-node-playwright), CHROME_BIN (/usr/bin/chromium)
set -euo pipefail
NODE_DIR=${NODE_DIR:-/tmp/bench-node-playwright}
if [ ! -d "$NODE_DIR/node_modules/playwright" ]; then
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && npm init -y >/dev/null && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install crawlee playwright)
fi
[ "${1:?usage: crawlee_playwright.sh START_URL OUT.jsonl | --install | --version}" != --install ] || exit 0
[ "$1" != --version ] || exec node -p "const v = (p) => require('$NODE_DIR/node_modules/' + p + '/package.json').version; 'crawlee ' + v('crawlee') + ' (playwright ' + v('playwright') + ', node ' + process.version + ')'"
cp "$(dirname "$0")/crawlee_playwright.mjs" "$NODE_DIR/"
cd "$NODE_DIR"
export CRAWLEE_STORAGE_DIR=${CRAWLEE_STORAGE_DIR:-/tmp/bench-crawlee-playwright-storage} CRAWLEE_PERSIST_STORAGE=false
exec node crawlee_playwright.mjs "$1" "$(realpath -m "$2")"
