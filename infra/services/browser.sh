#!/usr/bin/env bash
# Install (if needed) what the pages' tests and the pack labels need from Debian:
# headless Chromium for the browser tests (driven by Playwright's Python client with
# executable_path, never a browser download) and a CJK font for the labels' Chinese text.
# Idempotent; run as root (CI is). Progress goes to stderr; the last stdout line is
# GONGXIAO_CHROMIUM=/usr/bin/chromium, for:  eval "$(... | sed 's/^/export /')"
set -euo pipefail

say() { echo "browser.sh: $*" >&2; }
font=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc

{
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  [[ -f $font ]] || missing+=(fonts-wqy-microhei)
  if ((${#missing[@]})); then
    say "installing ${missing[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    say "chromium and the CJK font are installed"
  fi
  chromium --version >&2
} 1>&2

echo "GONGXIAO_CHROMIUM=$(command -v chromium)"
