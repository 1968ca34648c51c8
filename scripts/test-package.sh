#!/usr/bin/env bash
# Installs the Debian package and checks it as issue 15's "Done when" asks, then removes it:
#
#     scripts/test-package.sh [FILE.deb]      # default: builds one with scripts/package-deb.sh
#
# Checks, on the installed files only: `changetalk --version`; `man changetalk` and a command's
# page; bash completion of `changetalk pl<TAB>` (the installed file sourced in `bash -i`, its
# function called with COMP_WORDS, and bash-completion's loader finding it); the zsh and fish
# files; `changetalk play court-ordered-dui --auto best` from an empty folder with an empty
# home; desktop-file-validate and `appstreamcli validate --no-net`; the icons; the licence
# files and notices; `dpkg -L changetalk`. Then `dpkg -r changetalk`, also on failure.
#
# Needs root (dpkg -i). Installs desktop-file-utils, appstream and man-db when missing. Refuses
# to run when changetalk is already installed, so it never removes a real installation.
set -euo pipefail
cd "$(dirname "$0")/.."
app_id=io.github.changetalk.changetalk

if [ "$(id -u)" -ne 0 ]; then
    echo "error: run as root (it installs and removes the package with dpkg)" >&2
    exit 1
fi
if dpkg-query -W -f='${Status}' changetalk 2>/dev/null | grep -q "install ok installed"; then
    echo "error: changetalk is already installed; remove it first (dpkg -r changetalk)" >&2
    exit 1
fi
need=()
command -v desktop-file-validate >/dev/null || need+=(desktop-file-utils)
command -v appstreamcli >/dev/null || need+=(appstream)
command -v man >/dev/null || need+=(man-db)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null
fi

deb=${1:-$(scripts/package-deb.sh | tail -n 1)}
[ -f "$deb" ] || { echo "error: no package at $deb" >&2; exit 1; }

failures=0
check() { # check NAME COMMAND...: runs it, says ok or FAILED with its output
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        echo "ok      $name"
    else
        echo "FAILED  $name"
        printf '%s\n' "$out" | sed 's/^/        /'
        failures=$((failures + 1))
    fi
}
contains() { # contains NEEDLE COMMAND...: its output has NEEDLE
    local needle=$1 out
    shift
    out=$("$@" 2>&1) || { printf '%s\n' "$out"; return 1; }
    grep -qF -- "$needle" <<<"$out" || { printf 'no "%s" in:\n%s\n' "$needle" "$out"; return 1; }
}

echo "package: $deb ($(du -h "$deb" | cut -f1); Installed-Size $(dpkg-deb -f "$deb" Installed-Size) KiB)"
dpkg-deb -f "$deb" Package Version Architecture Depends Recommends
trap 'dpkg -r changetalk >/dev/null 2>&1 || true' EXIT
dpkg -i "$deb"

version=$(dpkg-deb -f "$deb" Version)
work=$(mktemp -d)
check "changetalk on PATH is /usr/bin/changetalk" test "$(command -v changetalk)" = /usr/bin/changetalk
check "changetalk --version" contains "changetalk $version" changetalk --version

check "man -w changetalk" contains /usr/share/man/man1/changetalk.1.gz man -w changetalk
check "man changetalk" contains "changetalk-play(1)" env MANPAGER=cat MANWIDTH=100 man changetalk
check "man changetalk: EXAMPLES" contains "changetalk play court-ordered-dui --free-text" env MANPAGER=cat MANWIDTH=100 man changetalk
check "man changetalk-play" contains "--auto" env MANPAGER=cat man changetalk-play

bash_completion() {
    # The installed file, sourced in an interactive bash; its function asked about `changetalk pl`.
    local got
    got=$(HOME=$work bash --norc --noprofile -i -c '
        source /usr/share/bash-completion/completions/changetalk
        COMP_WORDS=(changetalk pl); COMP_CWORD=1; COMP_LINE="changetalk pl"; COMP_POINT=${#COMP_LINE}
        _changetalk changetalk pl changetalk
        printf "%s\n" "${COMPREPLY[@]}"' 2>/dev/null)
    [ "$got" = play ] || { echo "changetalk pl<TAB> offered: [$got], expected [play]"; return 1; }
}
check "bash: changetalk pl<TAB> completes to play" bash_completion
if [ -f /usr/share/bash-completion/bash_completion ]; then
    loader() {
        HOME=$work bash --norc --noprofile -i -c '
            source /usr/share/bash-completion/bash_completion
            __load_completion changetalk && complete -p changetalk' 2>/dev/null
    }
    check "bash-completion loads it on demand" contains "_changetalk" loader
fi
check "zsh completions installed" contains "#compdef changetalk" cat /usr/share/zsh/vendor-completions/_changetalk
check "fish completions installed" contains "complete -c changetalk" cat /usr/share/fish/vendor_completions.d/changetalk.fish

play() { (cd "$work" && HOME=$work XDG_DATA_HOME=$work/data changetalk play court-ordered-dui --auto best); }
check "changetalk play court-ordered-dui --auto best (from an empty folder)" contains "SCORE  overall" play

check "desktop-file-validate" desktop-file-validate "/usr/share/applications/$app_id.desktop"
check "appstreamcli validate --no-net" appstreamcli validate --no-net "/usr/share/metainfo/$app_id.metainfo.xml"
for icon in 48x48/apps/$app_id.png 128x128/apps/$app_id.png 256x256/apps/$app_id.png scalable/apps/$app_id.svg; do
    check "icon hicolor/$icon" test -s "/usr/share/icons/hicolor/$icon"
done

doc=/usr/share/doc/changetalk
check "copyright" contains "License: MIT or Apache-2.0" cat "$doc/copyright"
check "LICENSE-MIT and LICENSE-APACHE" test -s "$doc/LICENSE-MIT" -a -s "$doc/LICENSE-APACHE"
check "notices: egui's fonts (OFL)" contains "SIL OPEN FONT LICENSE" zcat "$doc/THIRD-PARTY-NOTICES.gz"
check "notices: egui's fonts (Ubuntu Font Licence)" contains "UBUNTU FONT LICENCE" zcat "$doc/THIRD-PARTY-NOTICES.gz"
check "notices: option-ext (MPL-2.0)" contains "Mozilla Public License Version 2.0" zcat "$doc/THIRD-PARTY-NOTICES.gz"

echo "dpkg -L changetalk:"
dpkg -L changetalk | sed 's/^/        /'
rm -rf "$work"

dpkg -r changetalk >/dev/null
trap - EXIT
check "dpkg -r removes /usr/bin/changetalk" test ! -e /usr/bin/changetalk
if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
