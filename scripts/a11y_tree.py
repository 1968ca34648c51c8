#!/usr/bin/python3
"""Lists ChangeTalk's accessible tree as a screen reader (Orca) sees it, through AT-SPI.

Run it with Debian's Python (it needs `gi` and the Atspi typelib: python3-gi,
gir1.2-atspi-2.0; the AT-SPI bus itself comes from at-spi2-core):

    /usr/bin/python3 scripts/a11y_tree.py [--enable] [--app changetalk] [--pid PID]
        [--timeout 60] [--json expected.json] [EXPECTED TEXT ...]

It waits until the application shows up on the AT-SPI desktop and its tree is populated,
prints the tree (role, name, text and bounds of every node), and, given expected texts (as
arguments, or a JSON file holding a list of strings or {"expect": [...]}), exits 0 only when
each one is found in (part of) some node's name, description or text. Otherwise it prints
what is missing and exits 1; 2 means it could not look at all (no Atspi, no application).

`--enable` first tells the session's AT-SPI bus that a screen reader is running (the
`org.a11y.Status` properties `IsEnabled` and `ScreenReaderEnabled`): AccessKit, which the
app uses, exposes its tree only then, exactly as when Orca is started. `--enable-only` does
that and exits, so it can be done before the app starts.
"""

import argparse
import json
import re
import sys
import time

try:
    import gi

    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi, Gio, GLib
except (ImportError, ValueError) as e:  # pragma: no cover - depends on the system
    print(
        f"a11y_tree: cannot load AT-SPI from Python ({e}).\n"
        "Run it with /usr/bin/python3 and install the Debian packages "
        "python3-gi gir1.2-atspi-2.0 at-spi2-core (python3-pyatspi pulls them all in).",
        file=sys.stderr,
    )
    sys.exit(2)

MAX_NODES = 20000


def norm(s):
    """Collapses runs of whitespace, so wrapped or padded texts still match."""
    return re.sub(r"\s+", " ", s or "").strip()


def enable_screen_reader():
    """Sets org.a11y.Status IsEnabled and ScreenReaderEnabled on the session bus (the AT-SPI
    bus launcher is started by D-Bus activation if it is not running yet)."""
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    for prop in ("IsEnabled", "ScreenReaderEnabled"):
        bus.call_sync(
            "org.a11y.Bus",
            "/org/a11y/bus",
            "org.freedesktop.DBus.Properties",
            "Set",
            GLib.Variant("(ssv)", ("org.a11y.Status", prop, GLib.Variant("b", True))),
            None,
            Gio.DBusCallFlags.NONE,
            10000,
            None,
        )


def pump(seconds):
    """Sleeps while letting libatspi handle D-Bus signals (new applications, tree changes)."""
    ctx = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        while ctx.pending():
            ctx.iteration(False)
        time.sleep(0.05)


def safe(f, default=None):
    try:
        return f()
    except GLib.Error:
        return default
    except Exception:  # a node that disappeared mid-walk
        return default


def clear_cache(acc):
    for name in ("clear_cache", "clear_cache_single"):
        f = getattr(acc, name, None)
        if f is not None:
            safe(f)
            return


def node_info(acc, with_bounds):
    role = safe(acc.get_role_name, "?")
    name = safe(acc.get_name, "") or ""
    desc = safe(acc.get_description, "") or ""
    interfaces = safe(acc.get_interfaces, []) or []
    text = ""
    if "Text" in interfaces:
        n = safe(lambda: Atspi.Text.get_character_count(acc), 0) or 0
        if n > 0:
            text = safe(lambda: Atspi.Text.get_text(acc, 0, n), "") or ""
    bounds = None
    if with_bounds and "Component" in interfaces:
        r = safe(lambda: Atspi.Component.get_extents(acc, Atspi.CoordType.SCREEN))
        if r is not None:
            bounds = (r.x, r.y, r.width, r.height)
    return role, name, desc, text, bounds


def walk(acc, with_bounds, depth=0, out=None):
    """Depth-first list of (depth, role, name, description, text, bounds)."""
    if out is None:
        out = []
    if len(out) >= MAX_NODES:
        return out
    out.append((depth,) + node_info(acc, with_bounds))
    count = safe(acc.get_child_count, 0) or 0
    for i in range(count):
        child = safe(lambda: acc.get_child_at_index(i))
        if child is not None:
            walk(child, with_bounds, depth + 1, out)
    return out


def find_app(name, pid):
    desktop = Atspi.get_desktop(0)
    clear_cache(desktop)
    for i in range(safe(desktop.get_child_count, 0) or 0):
        app = safe(lambda: desktop.get_child_at_index(i))
        if app is None:
            continue
        if pid is not None and safe(app.get_process_id) == pid:
            return app
        app_name = safe(app.get_name, "") or ""
        if pid is None and name.lower() in app_name.lower():
            return app
    return None


def apps_seen():
    desktop = Atspi.get_desktop(0)
    names = []
    for i in range(safe(desktop.get_child_count, 0) or 0):
        app = safe(lambda: desktop.get_child_at_index(i))
        if app is not None:
            names.append(f"{safe(app.get_name, '?')} (pid {safe(app.get_process_id, '?')})")
    return names


def searchable(node):
    _, _, name, desc, text, _ = node
    return [norm(name), norm(desc), norm(text)]


def missing_texts(nodes, expected):
    hay = [s for n in nodes for s in searchable(n) if s]
    return [e for e in expected if not any(norm(e) in h for h in hay)]


def fmt(node):
    depth, role, name, desc, text, bounds = node
    parts = ["  " * depth + role]
    if name:
        parts.append(json.dumps(name, ensure_ascii=False))
    if desc:
        parts.append("desc=" + json.dumps(desc, ensure_ascii=False))
    if text and norm(text) != norm(name):
        parts.append("text=" + json.dumps(text, ensure_ascii=False))
    if bounds:
        parts.append("[%d,%d %dx%d]" % bounds)
    return " ".join(parts)


def load_expected(args):
    expected = list(args.expected)
    if args.json:
        with open(args.json, encoding="utf-8") as f:
            data = json.load(f)
        if isinstance(data, dict):
            data = data.get("expect", [])
        if not isinstance(data, list) or not all(isinstance(s, str) for s in data):
            print(f"a11y_tree: {args.json} must hold a list of strings", file=sys.stderr)
            sys.exit(2)
        expected += data
    return [e for e in expected if norm(e)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("expected", nargs="*", help="texts that must appear in the tree")
    ap.add_argument("--json", help="JSON file: a list of expected texts, or {\"expect\": [...]}")
    ap.add_argument("--app", default="changetalk", help="application name (default changetalk)")
    ap.add_argument("--pid", type=int, help="find the application by process id instead")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds to wait (default 60)")
    ap.add_argument("--enable", action="store_true", help="say a screen reader runs, then look")
    ap.add_argument("--enable-only", action="store_true", help="say a screen reader runs; exit")
    ap.add_argument("--no-bounds", action="store_true", help="do not print bounds")
    args = ap.parse_args()

    if args.enable or args.enable_only:
        try:
            enable_screen_reader()
        except GLib.Error as e:
            print(f"a11y_tree: cannot reach org.a11y.Bus on the session bus: {e.message}\n"
                  "Is there a D-Bus session (dbus-run-session) and is at-spi2-core installed?",
                  file=sys.stderr)
            return 2
        if args.enable_only:
            return 0

    expected = load_expected(args)
    Atspi.init()
    start = time.monotonic()
    deadline = start + args.timeout
    app, nodes, missing = None, [], expected
    want = f"pid {args.pid}" if args.pid is not None else f"named like `{args.app}`"
    while True:
        app = find_app(args.app, args.pid)
        if app is not None:
            clear_cache(app)
            nodes = walk(app, with_bounds=False)
            missing = missing_texts(nodes, expected)
            # Populated: more than the application and its bare window; all texts found.
            if len(nodes) > 2 and not missing:
                break
        if time.monotonic() >= deadline:
            break
        pump(0.5)

    took = time.monotonic() - start
    if app is None:
        print(f"a11y_tree: no application {want} on the AT-SPI desktop after {took:.0f} s; "
              f"seen: {', '.join(apps_seen()) or 'none'}", file=sys.stderr)
        return 2
    if not args.no_bounds:
        nodes = walk(app, with_bounds=True)
        missing = missing_texts(nodes, expected)
    print(f"# accessible tree of {safe(app.get_name, '?')} (pid {safe(app.get_process_id, '?')}), "
          f"{len(nodes)} nodes, after {took:.1f} s")
    for n in nodes:
        print(fmt(n))
    if missing:
        print(f"\na11y_tree: {len(missing)} of {len(expected)} expected texts are missing:",
              file=sys.stderr)
        for m in missing:
            print(f"  - {json.dumps(m, ensure_ascii=False)}", file=sys.stderr)
        return 1
    if expected:
        print(f"\na11y_tree: all {len(expected)} expected texts found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
