#!/usr/bin/env python3
"""Holds src/essnap/ to its layers: a folder includes only itself and the folders below it.

The order is read from the `layers:` line at the top of docs/ARCHITECTURE.md, so the document and
the check cannot disagree. Peers on one level (`s3 iam cluster`) may not include each other.
A folder that the line does not name is an error too: a new folder needs a place in the order.

Usage: scripts/check_layers.py [--root DIR]   exit 0 clean, 1 with one line per violation.
"""

import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"essnap/([A-Za-z0-9_]+)/([^"]+)"')


def read_layers(architecture_md):
    with open(architecture_md, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\s*layers:\s*(.+?)\s*$", line)
            if m:
                levels = [lvl.split() for lvl in m.group(1).split("<")]
                return {folder: i for i, lvl in enumerate(levels) for folder in lvl}
    raise SystemExit(f"{architecture_md}: no 'layers:' line (e.g. 'layers: util < http < aws')")


def violations(root):
    arch = os.path.join(root, "docs", "ARCHITECTURE.md")
    level = read_layers(arch)
    src = os.path.join(root, "src", "essnap")
    out = []
    for folder in sorted(os.listdir(src)):
        path = os.path.join(src, folder)
        if not os.path.isdir(path):
            continue
        if folder not in level:
            out.append(f"src/essnap/{folder}/: folder not in the layer order of docs/ARCHITECTURE.md")
            continue
        for dirpath, _, files in os.walk(path):
            for name in sorted(files):
                if not name.endswith((".hpp", ".cpp", ".h", ".cc")):
                    continue
                file = os.path.join(dirpath, name)
                rel = os.path.relpath(file, root)
                with open(file, encoding="utf-8", errors="replace") as f:
                    for n, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = m.group(1)
                        inc = f"essnap/{target}/{m.group(2)}"
                        if target == folder:
                            continue
                        if target not in level:
                            out.append(f"{rel}:{n}: includes \"{inc}\": {target}/ is not in the layer order")
                        elif level[target] >= level[folder]:
                            how = ("a peer of" if level[target] == level[folder] else "above")
                            out.append(
                                f"{rel}:{n}: includes \"{inc}\": {target}/ is {how} {folder}/ in "
                                f"the layer order of docs/ARCHITECTURE.md; move the code down or "
                                f"the include up")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."))
    args = ap.parse_args()
    bad = violations(os.path.abspath(args.root))
    for line in bad:
        print(line)
    if bad:
        print(f"layer check: {len(bad)} include(s) against the layer order")
        return 1
    print("layer check: every include follows the layer order")
    return 0


if __name__ == "__main__":
    sys.exit(main())
