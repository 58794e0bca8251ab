#!/usr/bin/env python3
"""Finds names that two units of one target define file-locally: they collide in a unity build.

The library and the tests compile in unity batches (CMakeLists.txt, ESSNAP_UNITY): a dozen .cpp
files become one translation unit, so a helper `kWhere` or `run()` in an anonymous namespace of
two files of the same target is a redefinition (or an ambiguous call) as soon as CMake puts them
in one batch — and which files share a batch changes whenever a file is added. This check makes
such a name an error whatever the batches are today: give it a distinct name, or move a helper
written twice to a shared header (one copy).

Looks at top-level declarations inside `namespace {` blocks, file-level `static` functions and
variables, and namespace-scope `using NAME =` aliases. Batches as CMakeLists.txt makes them: one
per folder of src/essnap/ (so a name needs to be unique in its folder), tests/unit and
tests/integration each as a whole (when tests/CMakeLists.txt batches them). A name is taken with its enclosing named namespaces
(`essnap::http::Harness` and `essnap::doctor::Harness` do not clash); overloads of one name in
two units count as a clash: a call can turn ambiguous. The same alias to the same target
declared again (`namespace fs = std::filesystem;`) is allowed, as C++ allows it.

Usage: scripts/check_unity_names.py [--root DIR]   exit 0 clean, 1 with one line per clash.
"""

import argparse
import os
import re
import sys
from collections import defaultdict

DECL = re.compile(
    r"^(?:template\s*<[^>]*>\s*)?(?:(?:static|inline|constexpr|const|extern|thread_local)\s+)*"
    r"(?:struct|class|enum\s+class|enum|union)\s+([A-Za-z_]\w*)\b(?!\s*;)")
FUNC_OR_VAR = re.compile(
    r"^(?:template\s*<.*>\s*)?(?:(?:static|inline|constexpr|const|constinit|thread_local|"
    r"\[\[nodiscard\]\]|\[\[maybe_unused\]\])\s+)*"
    r"[A-Za-z_][\w:<>,\s\*&]*?[\s\*&>]([A-Za-z_]\w*)\s*(?:\(|=|\[|\{|;)")
ALIAS = re.compile(r"^(?:using|namespace)\s+([A-Za-z_]\w*)\s*=")
KEYWORDS = {"return", "if", "for", "while", "switch", "case", "else", "do", "operator", "main",
            "namespace", "using", "typedef", "TEST", "TEST_F", "TEST_P"}
SKIP = re.compile(r"^using\s+namespace\b")


def strip_comments_and_strings(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r'R"(\w*)\((.*?)\)\1"', lambda m: '""' + "\n" * m.group(0).count("\n"), text,
                  flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"'(?:\\.|[^'\\\n])'", "''", text)
    return text


def local_names(path):
    """(name, line) of the file-local declarations of one .cpp."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = strip_comments_and_strings(f.read())
    out = []
    # Walk the braces; remember which open braces are namespaces (named or anonymous).
    stack = []  # entries: "anon", ("ns", name), "other"
    line_no = 1
    i = 0
    line_start = 0
    lines = text.split("\n")
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        in_anon = "anon" in stack
        only_namespaces = all(s == "anon" or isinstance(s, tuple) for s in stack)
        ns = "::".join(s[1] for s in stack if isinstance(s, tuple))
        at_top = only_namespaces and line[:1] not in (" ", "\t", "")
        if at_top and stripped and not stripped.startswith("#") and not SKIP.match(stripped):
            m = ALIAS.match(stripped)
            if m:
                out.append((ns + "::" + m.group(1), n, "alias=" + stripped))
            elif in_anon or stripped.startswith("static "):
                m = DECL.match(stripped) or FUNC_OR_VAR.match(stripped)
                if m and m.group(1) not in KEYWORDS:
                    out.append((ns + "::" + m.group(1), n, "local"))
        # braces on this line
        for j, ch in enumerate(line):
            if ch == "{":
                before = line[:j]
                if re.search(r"\bnamespace\s*$", before):
                    stack.append("anon")
                elif (mm := re.search(r"\bnamespace\s+([\w:]+)\s*$", before)):
                    stack.append(("ns", mm.group(1)))
                else:
                    stack.append("other")
            elif ch == "}":
                if stack:
                    stack.pop()
    return out


def targets(root):
    src = os.path.join(root, "src", "essnap")
    groups = defaultdict(list)
    for dirpath, _, files in os.walk(src):
        for name in files:
            if name.endswith(".cpp"):
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                folder = os.path.relpath(dirpath, src).replace(os.sep, "/")
                # the batches of CMakeLists.txt: a folder of the library each; cli/ as a whole
                # (its three batches are filled by position, which moves as files are added)
                groups["src/essnap/" + folder].append(rel)
    tests_cmake = os.path.join(root, "tests", "CMakeLists.txt")
    tests_unity = os.path.exists(tests_cmake) and "UNITY_BUILD ON" in open(tests_cmake).read()
    for sub in ("unit", "integration") if tests_unity else ():
        d = os.path.join(root, "tests", sub)
        if os.path.isdir(d):
            groups["tests/" + sub] = [os.path.relpath(os.path.join(d, f), root)
                                      for f in os.listdir(d) if f.endswith(".cpp")]
    return groups


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = ap.parse_args()
    problems = []
    for target, files in sorted(targets(args.root).items()):
        seen = defaultdict(list)
        for rel in sorted(files):
            for name, line, kind in local_names(os.path.join(args.root, rel)):
                seen[name].append((f"{rel}:{line}", kind))
        for name, found in sorted(seen.items()):
            where = [w for w, _ in found]
            files_with = {w.rsplit(":", 1)[0] for w in where}
            kinds = {k for _, k in found}
            # the same alias to the same type may be declared again (C++ allows it)
            if len(kinds) == 1 and next(iter(kinds)).startswith("alias="):
                continue
            if len(files_with) > 1:
                problems.append(f"{target}: '{name}' is file-local in {len(files_with)} units: "
                                + ", ".join(where))
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} name(s) would collide in a unity batch: rename, or share one copy",
              file=sys.stderr)
        return 1
    print("unity names: no file-local name is defined in two units of one target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
