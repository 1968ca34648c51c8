#!/usr/bin/env bash
# Renders the app icon's PNGs (48, 128 and 256 px) from its SVG,
# assets/icons/hicolor/scalable/apps/io.github.changetalk.changetalk.svg, with rsvg-convert
# (Debian: librsvg2-bin). The PNGs are committed: the app embeds the 256 px one as its window
# icon, and scripts/package-deb.sh installs them all. Run after editing the SVG; the same SVG
# and librsvg give the same bytes.
set -euo pipefail
cd "$(dirname "$0")/../assets/icons"
id=io.github.changetalk.changetalk
if ! command -v rsvg-convert >/dev/null; then
    echo "installing: librsvg2-bin"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends librsvg2-bin </dev/null
fi
for size in 48 128 256; do
    mkdir -p "hicolor/${size}x${size}/apps"
    rsvg-convert --width "$size" --height "$size" --format png \
        --output "hicolor/${size}x${size}/apps/$id.png" "hicolor/scalable/apps/$id.svg"
done
ls -l hicolor/*/apps/
