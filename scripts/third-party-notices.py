#!/usr/bin/env python3
"""Writes THIRD-PARTY-NOTICES: every crate the `changetalk` binary is built from, as Cargo.lock
pins it, with its licence and the licence texts it ships.

    scripts/third-party-notices.py [-o FILE] [--features F] [--no-default-features]

Reads `cargo metadata` (so the crates must be downloaded: build first) and each crate's files
in Cargo's registry. It walks the binary's normal dependencies for this machine's target (not
the dependencies of tests or of build scripts) and includes:
- every licence file in a crate's top folder (LICENSE*, COPYING*, NOTICE*, COPYRIGHT*, ...);
- the files named in EXTRA_FILES, such as the licences of egui's bundled fonts, which sit in
  a subfolder;
- for a crate that ships no licence file, the standard text of the licence it declares
  (packaging/licenses/ID.txt, or the repository's LICENSE-APACHE), under the crate's authors.
Identical texts are printed once, with every crate that ships them. A crate's licence
expression that no text covers is an error, so nothing goes out without its notice.

Only the standard library: it runs on a bare Debian with python3.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Licence files that are not in a crate's top folder.
EXTRA_FILES = {
    # egui's default fonts: Hack (MIT + Bitstream Vera), Noto Emoji (OFL-1.1), Ubuntu Light
    # (Ubuntu Font Licence 1.0) and emoji-icon-font (MIT).
    "epaint_default_fonts": ["fonts/*.txt"],
}

# Copyright lines for crates that ship no licence file but whose repository's licence file
# names the holder, used to fill the MIT template instead of "the crate's authors".
COPYRIGHT = {
    name: "Copyright (c) 2018-2021 Emil Ernerfeldt <emil.ernerfeldt@gmail.com>"
    for name in ["egui", "emath", "epaint", "ecolor", "epaint_default_fonts"]
}

# Standard texts for crates without licence files, by SPDX id.
STANDARD = {
    "MIT": "packaging/licenses/MIT.txt",
    "MIT-0": "packaging/licenses/MIT-0.txt",
    "CC0-1.0": "packaging/licenses/CC0-1.0.txt",
    "Apache-2.0": "LICENSE-APACHE",
}

# When a crate without licence files offers a choice (MIT OR Apache-2.0), the first of these.
PREFERENCE = ["MIT", "Apache-2.0", "MIT-0", "CC0-1.0"]

LICENCE_FILE = re.compile(r"^(UN)?LICEN[CS]E|^COPYING|^NOTICE|^COPYRIGHT|^AUTHORS", re.I)

# Licences that are texts of their own in a crate's expression but come from a file that
# EXTRA_FILES names (the fonts' licences): the check looks for these words in the texts.
MARKERS = {
    "OFL-1.1": "SIL OPEN FONT LICENSE",
    "Ubuntu-font-1.0": "UBUNTU FONT LICENCE",
}


def tokens(expr):
    """An SPDX expression's tokens; the old `A/B` is `A OR B`."""
    return re.findall(r"\(|\)|[A-Za-z0-9.+-]+", expr.replace("/", " OR "))


def choose(expr):
    """The licence ids that cover a crate under `expr`: all of an AND, the preferred of an OR."""
    toks = tokens(expr)
    pos = 0

    def rank(ids):
        return max((PREFERENCE.index(i) if i in PREFERENCE else 99) for i in ids)

    def primary():
        nonlocal pos
        tok = toks[pos]
        pos += 1
        if tok == "(":
            ids = disjunction()
            pos += 1  # ")"
            return ids
        if pos < len(toks) and toks[pos] == "WITH":
            pos += 2  # the exception changes nothing we must reproduce
        return [tok]

    def conjunction():
        nonlocal pos
        ids = primary()
        while pos < len(toks) and toks[pos] == "AND":
            pos += 1
            ids = ids + primary()
        return ids

    def disjunction():
        nonlocal pos
        options = [conjunction()]
        while pos < len(toks) and toks[pos] == "OR":
            pos += 1
            options.append(conjunction())
        return min(options, key=rank)

    return disjunction()


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().replace("\r\n", "\n").strip("\n\ufeff") + "\n"


def normalised(text):
    return " ".join(text.split())


def crates(metadata, root_name):
    """The registry crates reachable from `root_name` by normal dependencies, sorted."""
    packages = {p["id"]: p for p in metadata["packages"]}
    nodes = {n["id"]: n for n in metadata["resolve"]["nodes"]}
    root = next(p["id"] for p in metadata["packages"] if p["name"] == root_name and p["source"] is None)
    seen, stack = set(), [root]
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for dep in nodes[pid]["deps"]:
            if any(kind["kind"] is None for kind in dep["dep_kinds"]):
                stack.append(dep["pkg"])
    found = [packages[p] for p in seen if packages[p]["source"] is not None]
    return sorted(found, key=lambda p: (p["name"], p["version"]))


def licence_texts(pkg):
    """[(label, text)] for one crate; raises when its licence has no text."""
    folder = os.path.dirname(pkg["manifest_path"])
    files = sorted(f for f in os.listdir(folder) if LICENCE_FILE.match(f) and os.path.isfile(os.path.join(folder, f)))
    if pkg.get("license_file"):
        files.append(os.path.relpath(os.path.join(folder, pkg["license_file"]), folder))
    texts = [(f, read(os.path.join(folder, f))) for f in dict.fromkeys(files)]
    expr = pkg.get("license") or ""
    if not texts:
        if not expr:
            raise SystemExit(f"error: {pkg['name']} {pkg['version']} declares no licence and ships no licence file")
        for lid in choose(expr):
            if lid in MARKERS:
                continue
            if lid not in STANDARD:
                raise SystemExit(
                    f"error: {pkg['name']} {pkg['version']} ships no licence file and its licence {lid} "
                    f"({expr}) has no standard text: add packaging/licenses/{lid}.txt and list it in "
                    "STANDARD in scripts/third-party-notices.py"
                )
            text = read(os.path.join(ROOT, STANDARD[lid]))
            holder = COPYRIGHT.get(pkg["name"]) or "Copyright (c) the {} authors{}".format(
                pkg["name"], f" ({', '.join(pkg['authors'])})" if pkg["authors"] else ""
            )
            text = re.sub(r"Copyright (\(c\) )?<year> <copyright holders>|Copyright <YEAR> <COPYRIGHT HOLDER>", holder, text)
            texts.append((f"{lid} (standard text: the crate ships no licence file)", text))
    for pattern in EXTRA_FILES.get(pkg["name"], []):
        for path in sorted(glob.glob(os.path.join(folder, pattern))):
            texts.append((os.path.relpath(path, folder), read(path)))
    for lid, marker in MARKERS.items():
        if lid in tokens(expr) and not any(marker in t.upper() for _, t in texts):
            raise SystemExit(f"error: {pkg['name']} {pkg['version']} is under {lid} but no text of it was found")
    return texts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", help="write here instead of standard output")
    parser.add_argument("--package", default="changetalk", help="the binary's package (default changetalk)")
    parser.add_argument("--features", default="", help="features of the build, as for cargo")
    parser.add_argument("--no-default-features", action="store_true")
    args = parser.parse_args()

    host = re.search(r"^host: (\S+)", subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout, re.M).group(1)
    cmd = ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", host,
           "--manifest-path", os.path.join(ROOT, "Cargo.toml")]
    if args.features:
        cmd += ["--features", args.features]
    if args.no_default_features:
        cmd.append("--no-default-features")
    metadata = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    root = next(p for p in metadata["packages"] if p["name"] == args.package and p["source"] is None)

    pkgs = crates(metadata, args.package)
    groups = {}  # normalised text -> (text, [(crate, label)])
    for pkg in pkgs:
        for label, text in licence_texts(pkg):
            groups.setdefault(normalised(text), (text, []))[1].append((f"{pkg['name']} {pkg['version']}", label))

    out = []
    out.append(f"Third-party notices for {args.package} {root['version']}\n")
    out.append(
        f"The {args.package} binary ({host}) is built from these {len(pkgs)} crates, as Cargo.lock pins\n"
        "them, besides its own (MIT OR Apache-2.0). Each is listed with the licence it declares;\n"
        "below, every licence text they ship, once, with the crates that ship it. Generated by\n"
        "scripts/third-party-notices.py.\n"
    )
    out.append("\n== Crates ==\n\n")
    width = max(len(f"{p['name']} {p['version']}") for p in pkgs)
    for p in pkgs:
        name = f"{p['name']} {p['version']}"
        where = p.get("repository") or ""
        out.append(f"{name:<{width}}  {p.get('license') or 'see its licence file'}{'  ' + where if where else ''}\n")
    out.append("\n== Licence texts ==\n")
    for n, (text, users) in enumerate(sorted(groups.values(), key=lambda g: g[1][0]), 1):
        labels = sorted({label for _, label in users})
        out.append(f"\n---- {n}. {' / '.join(labels)}\n")
        for label in labels:
            names = ", ".join(crate for crate, lab in users if lab == label)
            out.append(f"     {label + ': ' if len(labels) > 1 else ''}{names}\n")
        out.append("\n")
        out.append(text)
    data = "".join(out)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(data)
        print(f"{args.output}: {len(pkgs)} crates, {len(groups)} distinct licence texts", file=sys.stderr)
    else:
        sys.stdout.write(data)


if __name__ == "__main__":
    main()
