#!/bin/sh
# Install the front-end packages from npm and copy the files the pages load into
# static/vendor/ (git-ignored). Pages never load anything from a CDN.
set -eu

cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "build-assets: npm is missing; installing nodejs and npm with apt-get" >&2
        apt-get update -q && apt-get install -y -q nodejs npm
    else
        echo "build-assets: npm is missing. Install Node.js and npm (Debian: apt-get install nodejs npm)." >&2
        exit 1
    fi
fi

if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
else
    npm install --no-audit --no-fund --loglevel=error
fi

mkdir -p static/vendor
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts.min.js
echo "build-assets: static/vendor/ has htmx.min.js and echarts.min.js"
