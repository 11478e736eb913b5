#!/usr/bin/env bash
# Make sure the system tools a step needs are present. As root it installs what is missing
# with apt-get; otherwise it names what is missing and stops.
#   scripts/ensure-system.sh base   python3 venv, gettext (locales), node and npm (assets)
#   scripts/ensure-system.sh test   base + chromium and a CJK font (browser tests)
set -euo pipefail
what=${1:-base}

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }

python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
have_cmd msgfmt || need+=(gettext)
have_cmd npm || need+=(nodejs npm)
if [ "$what" = test ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  fc-list 2>/dev/null | grep -qiE 'wqy|noto sans cjk|noto serif cjk' || need+=(fonts-wqy-zenhei)
fi

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${need[*]}" >&2
  echo "Install them (as root: apt-get install ${need[*]}) and run make again." >&2
  exit 1
fi
echo "Installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
