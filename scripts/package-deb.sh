#!/usr/bin/env bash
# Builds the Debian package of ChangeTalk and prints its path on the last line:
#
#     scripts/package-deb.sh            # -> $CARGO_TARGET_DIR/debian/changetalk_0.1.0_amd64.deb
#
# Then `sudo apt install ./changetalk_….deb` (which also installs the recommended graphics
# libraries) or `sudo dpkg -i changetalk_….deb`. scripts/test-package.sh installs it and
# checks every file.
#
# Tooling: dpkg-deb and dpkg-shlibdeps (Debian's dpkg-dev) over a staged tree, not cargo-deb.
# They come with Debian, so the package builds offline and with nothing compiled but
# ChangeTalk (cargo-deb would be one more crate to download and build), and every file and
# path is in this script for a reader to check. Runs as root or with sudo available to install
# what it needs: dpkg-dev, binutils (strip), python3 (the notices).
#
# What it puts where (all from this repository, the binary's own output, or Cargo.lock):
#   /usr/bin/changetalk                                     release build, gui feature, stripped
#   /usr/share/applications/io.github.changetalk.changetalk.desktop        packaging/
#   /usr/share/metainfo/io.github.changetalk.changetalk.metainfo.xml       packaging/
#   /usr/share/icons/hicolor/{48x48,128x128,256x256,scalable}/apps/…        assets/icons/
#   /usr/share/man/man1/changetalk.1.gz, changetalk-COMMAND.1.gz          `changetalk manpage`
#   /usr/share/bash-completion/completions/changetalk                    `changetalk completions`
#   /usr/share/zsh/vendor-completions/_changetalk, /usr/share/fish/vendor_completions.d/…
#   /usr/share/doc/changetalk/{copyright,LICENSE-MIT,LICENSE-APACHE,THIRD-PARTY-NOTICES.gz}
# The bundled clients and the coder's model are compiled into the binary.
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/changetalk-target}"
app_id=io.github.changetalk.changetalk

# --- What it needs -------------------------------------------------------------------------
need=()
command -v dpkg-shlibdeps >/dev/null || need+=(dpkg-dev)
command -v strip >/dev/null || need+=(binutils)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null >&2
fi
command -v cargo >/dev/null || {
    echo "error: cargo not found: install Rust 1.95 or newer (https://rustup.rs), then run this again" >&2
    exit 1
}

# --- Build -----------------------------------------------------------------------------------
# Copied out at once: CARGO_TARGET_DIR may be shared with other checkouts of ChangeTalk.
cargo build --release --locked --features gui --bin changetalk >&2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -D -m 755 "$CARGO_TARGET_DIR/release/changetalk" "$stage/usr/bin/changetalk"
strip --strip-unneeded "$stage/usr/bin/changetalk"
bin="$stage/usr/bin/changetalk"
version=$("$bin" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
# File times from the last commit, so the same commit gives the same package.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"

# --- Files ---------------------------------------------------------------------------------
share="$stage/usr/share"
install -D -m 644 "packaging/$app_id.desktop" "$share/applications/$app_id.desktop"
install -D -m 644 "packaging/$app_id.metainfo.xml" "$share/metainfo/$app_id.metainfo.xml"
for size in 48x48 128x128 256x256; do
    install -D -m 644 "assets/icons/hicolor/$size/apps/$app_id.png" "$share/icons/hicolor/$size/apps/$app_id.png"
done
install -D -m 644 "assets/icons/hicolor/scalable/apps/$app_id.svg" "$share/icons/hicolor/scalable/apps/$app_id.svg"

"$bin" manpage "$share/man/man1" >/dev/null
chmod 644 "$share"/man/man1/*.1
gzip -9n "$share"/man/man1/*.1

mkdir -p "$share/bash-completion/completions" "$share/zsh/vendor-completions" "$share/fish/vendor_completions.d"
"$bin" completions bash >"$share/bash-completion/completions/changetalk"
"$bin" completions zsh >"$share/zsh/vendor-completions/_changetalk"
"$bin" completions fish >"$share/fish/vendor_completions.d/changetalk.fish"

doc="$share/doc/changetalk"
install -D -m 644 LICENSE-MIT "$doc/LICENSE-MIT"
install -m 644 LICENSE-APACHE "$doc/LICENSE-APACHE"
python3 scripts/third-party-notices.py --features gui -o "$doc/THIRD-PARTY-NOTICES"
gzip -9n "$doc/THIRD-PARTY-NOTICES"
{
    cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: changetalk
Source: https://github.com/changetalk/changetalk
Comment: The binary also contains the Rust crates that Cargo.lock pins. Each, with its licence
 and the licence texts it ships, is in /usr/share/doc/changetalk/THIRD-PARTY-NOTICES.gz: among
 them egui's bundled fonts (Hack, Noto Emoji under OFL-1.1, Ubuntu Light under the Ubuntu Font
 Licence 1.0) and option-ext under MPL-2.0.

Files: *
Copyright: The ChangeTalk contributors
License: MIT or Apache-2.0

License: MIT
EOF
    sed -e 's/^$/./' -e 's/^/ /' LICENSE-MIT
    cat <<EOF

License: Apache-2.0
 On Debian systems, the full text of the Apache License, Version 2.0 is in
 /usr/share/common-licenses/Apache-2.0, and in /usr/share/doc/changetalk/LICENSE-APACHE.
EOF
} >"$doc/copyright"

# --- Control ---------------------------------------------------------------------------------
# Depends: the libraries the binary links (dpkg-shlibdeps reads them from its ELF header).
# Recommends: those that Bevy opens at run time for the window (Vulkan and a driver, X11,
# Wayland, xkbcommon): dpkg-shlibdeps cannot see them, and the command line runs without them,
# on a server too; apt installs recommended packages by default.
shlibs=$(mktemp -d)
mkdir "$shlibs/debian" && touch "$shlibs/debian/control"
depends=$(cd "$shlibs" && dpkg-shlibdeps -O "$bin" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
rm -rf "$shlibs"
[ -n "$depends" ] || { echo "error: dpkg-shlibdeps found no dependencies of $bin" >&2; exit 1; }
recommends="libvulkan1, mesa-vulkan-drivers | vulkan-icd, libx11-6, libx11-xcb1, libxcursor1, libxrandr2, libxi6, libxkbcommon0, libxkbcommon-x11-0, libwayland-client0"
installed_kb=$(du -sk --apparent-size "$stage/usr" | cut -f1)
mkdir -p "$stage/DEBIAN"
cat >"$stage/DEBIAN/control" <<EOF
Package: changetalk
Version: $version
Architecture: $arch
Maintainer: The ChangeTalk contributors <https://github.com/changetalk/changetalk/issues>
Installed-Size: $installed_kb
Depends: $depends
Recommends: $recommends
Section: education
Priority: optional
Homepage: https://github.com/changetalk/changetalk
Description: motivational-interviewing practice simulator
 ChangeTalk is a desktop training simulator for motivational interviewing (MI).
 A counselling trainee talks with a scripted client who does not want help by
 choosing what to say next; the client reacts as real clients do, every reply
 is scored against MITI fidelity standards, and the trainee gets specific
 feedback.
 .
 The package holds the desktop app and the changetalk command: scripted or
 interactive sessions in a terminal, scenario validation and linting for
 instructors, classroom exercises graded into a gradebook CSV and xAPI, and the
 class server. Bundled clients and the offline MITI coder are included.
EOF
(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"
find "$stage" -type d -exec chmod 755 {} +
find "$stage" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +

out_dir="$CARGO_TARGET_DIR/debian"
mkdir -p "$out_dir"
deb="$out_dir/changetalk_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >&2
echo "$(du -h "$deb" | cut -f1) package, $installed_kb KiB installed" >&2
echo "$deb"
