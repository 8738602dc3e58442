#!/usr/bin/env bash
# Browser tests drive Debian's chromium. Install it when missing and we may; otherwise the
# browser tests skip themselves with a message saying so.
set -u
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests..."
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
        || echo "Could not install chromium: the browser tests will be skipped."
else
    echo "chromium is not installed and this user cannot install it: the browser tests will be skipped."
fi
exit 0
