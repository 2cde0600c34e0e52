#!/usr/bin/env bash
# Lighthouse's scores for every page of a built Playnet (test tooling only).
#
#   cargo xtask build --release && tests/lighthouse.sh [DIST]
#
# Serves DIST (default dist/) on loopback with Python's static server, runs
# npm's lighthouse@12.2.3 (installed into target/lighthouse when missing; 13
# needs a newer Node) in headless Chromium ($CHROMIUM, else chromium on PATH)
# on each page, keeps each report as target/lighthouse/reports/<page>.json
# and prints a Markdown table of the scores: accessibility, best practices,
# SEO and performance (Lighthouse's default mobile profile with simulated
# throttling, so performance says more about the wasm's size than about this
# machine). Lighthouse 12 has no PWA category any more.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dist=${1:-$root/dist}
version=12.2.3
prefix=$root/target/lighthouse
lighthouse=$prefix/node_modules/.bin/lighthouse
reports=$prefix/reports
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}

[ -f "$dist/index.html" ] || { echo "no $dist/index.html: run cargo xtask build --release" >&2; exit 1; }
[ -n "$chromium" ] || { echo "no Chromium: set CHROMIUM or run cargo xtask setup" >&2; exit 1; }
command -v python3 > /dev/null || { echo "python3 is needed to serve $dist" >&2; exit 1; }
if ! "$lighthouse" --version 2> /dev/null | grep -qx "$version"; then
  command -v npm > /dev/null || { echo "npm is needed to install lighthouse@$version" >&2; exit 1; }
  npm install --no-audit --no-fund --prefix "$prefix" "lighthouse@$version"
fi
mkdir -p "$reports"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dist" > "$reports/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null || true' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2> /dev/null && break
  sleep 0.1
done

pages=(playground:/ mnist:/#/mnist webcam:/#/webcam sketch:/#/sketch about:/#/about lesson:/lesson.html)
echo "| page | URL | accessibility | best practices | SEO | performance |"
echo "|---|---|---|---|---|---|"
for entry in "${pages[@]}"; do
  name=${entry%%:*}
  path=${entry#*:}
  CHROME_PATH=$chromium "$lighthouse" "http://127.0.0.1:$port$path" \
    --only-categories=accessibility,best-practices,seo,performance \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
    --output=json --output-path="$reports/$name.json" --quiet > /dev/null 2> "$reports/$name.log" \
    || { echo "| $name | $path | lighthouse failed: see $reports/$name.log | | | |"; continue; }
  node -e '
    const r = require(process.argv[1]);
    const s = k => r.categories[k] && r.categories[k].score !== null
      ? Math.round(r.categories[k].score * 100) : "—";
    console.log(`| ${process.argv[2]} | \`${process.argv[3]}\` | ${s("accessibility")} | ` +
      `${s("best-practices")} | ${s("seo")} | ${s("performance")} |`);
  ' "$reports/$name.json" "$name" "$path"
done
