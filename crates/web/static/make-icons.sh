#!/usr/bin/env bash
# Makes the PNG icons a phone's home screen wants from the two SVGs beside this script, in
# Debian's Chromium: `favicon.svg` (rounded, for "any" use) at 192 and 512 px, and `maskable.svg`
# (full-bleed, the glyph well inside the middle 80 %, so any mask the phone cuts keeps it) at 512 px and
# at 180 px for iOS. Run it after changing either SVG, and commit the PNGs.
set -euo pipefail
cd "$(dirname "$0")"
shot() { # svg size out
  local page
  page=$(mktemp --suffix=.html)
  printf '<html><body style="margin:0"><img src="file://%s" width="%s" height="%s"></body></html>' \
    "$PWD/$1" "$2" "$2" >"$page"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
    --window-size="$2,$2" --screenshot="$PWD/$3" "file://$page" 2>/dev/null
  rm -f "$page"
}
shot favicon.svg 192 icon-192.png
shot favicon.svg 512 icon-512.png
shot maskable.svg 512 icon-maskable-512.png
shot maskable.svg 180 apple-touch-icon.png
