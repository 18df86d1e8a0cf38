#!/bin/sh
# Debian's Chromium and its WebDriver for the notices' browser test
# (tests/browser/test_notices_in_browser.py). Nothing here downloads a browser build:
# both come from Debian's packages, installed with apt-get when missing (as root).
#
# Never fails the make run by itself: when the browser cannot be had, the reason is
# written to build/browser-unavailable.txt and the browser test FAILS with it (it does
# not skip), while every other check still runs.
set -u
REASON_FILE="build/browser-unavailable.txt"
mkdir -p build
rm -f "$REASON_FILE"

have() { command -v "$1" >/dev/null 2>&1; }

if have chromium && have chromedriver; then
	exit 0
fi
if ! have apt-get; then
	echo "chromium and chromedriver are missing and there is no apt-get here to install Debian's chromium and chromium-driver" >"$REASON_FILE"
	cat "$REASON_FILE" >&2
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "chromium and chromedriver are missing: run 'apt-get install -y chromium chromium-driver fonts-liberation' as root (this make run is not root)" >"$REASON_FILE"
	cat "$REASON_FILE" >&2
	exit 0
fi
echo "Installing Debian's chromium and chromium-driver for the browser test (about 1.5 min)" >&2
LOG="build/browser-install.log"
if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	chromium chromium-driver fonts-liberation; } >"$LOG" 2>&1; then
	{
		echo "apt-get could not install chromium chromium-driver fonts-liberation; the last lines of $LOG:"
		tail -n 5 "$LOG"
	} >"$REASON_FILE"
	cat "$REASON_FILE" >&2
	exit 0
fi
if ! { have chromium && have chromedriver; }; then
	echo "apt-get installed chromium and chromium-driver, yet chromium or chromedriver is not on PATH ($PATH)" >"$REASON_FILE"
	cat "$REASON_FILE" >&2
fi
exit 0
