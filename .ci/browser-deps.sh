#!/bin/sh
# Headless Chromium for test/pages.browser.test.ts (driven by playwright-core):
# Debian's package, installed only when missing.
set -e
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=''
[ "$(id -u)" = 0 ] || SUDO='sudo'
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
/usr/bin/chromium --version
