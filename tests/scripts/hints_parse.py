#!/usr/bin/env python3
"""Every `essnap …` command written for a user parses (issue 20, item 6).

Extracts the commands of
  - hints and messages: the string literals of src/**/*.cpp|hpp (adjacent literals joined, a
    value spliced in with `+ expr +` or `<< expr <<` read as VALUE);
  - --help: the output of `essnap [COMMAND...] --help` for every command of the tree (the
    footers' EXAMPLES);
  - README.md and docs/*.md: fenced code blocks and `inline code`;
and runs each through the real parser with ESSNAP_CHECK_COMMAND_LINE (parse, run nothing): the
command path and every flag must exist and every value be accepted. Fails listing each command
that does not parse, where it was found, and the parser's answer.

What counts as a command (`essnap` and a space, then):
  - in quotes ('essnap …', `essnap …`, "essnap …"): always, up to the closing quote;
  - at the start of a line of a code block, or of an indented line (the EXAMPLES of --help and of
    the footers in the source): always, to the end of the line (a trailing backslash continues
    it), a shell operator (| && ; > 2>) or a `#` comment;
  - elsewhere (a sentence): when the next word is a command and a flag follows in the same
    clause ("list them with essnap snapshot list -r REPO"), up to the end of the clause.
A command named in prose without flags ("written by essnap export") is not a command line.

Placeholders: UPPER_CASE words (SNAPSHOT, REPO, INDEX, VALUE …) are values, as written. `…` or
`...` stands for "more arguments": the command is then checked in the names mode
(ESSNAP_CHECK_COMMAND_LINE=names: the command and its flags must exist, nothing is required),
with the ellipsis read as a flag's value where one follows a flag that takes one, else dropped.
The names mode also checks: a command a source literal cuts short (the literal ends in `+` or
`<<` with what follows unknown); a command without any flag (`essnap run`: the command named);
inline code in the docs; `a|b` (alternatives: the first is checked); `--keep-within*` (a family
of flags: the stem). `[optional]` brackets are not understood: write the flag, and say it is
optional in a comment.
"""
import os
import pathlib
import re
import shlex
import subprocess
import sys

ROOT = pathlib.Path(os.environ.get("ESSNAP_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
BINARY = os.environ.get("ESSNAP_BINARY", str(ROOT / "build" / "src" / "app" / "essnap"))
ELLIPSIS = ("…", "...")
# Sources whose literals are not written for a user to run: the shell completion scripts'
# templates (`complete -c essnap -f …`, printf formats). What they generate is tested by
# tests/unit/cli_completion_test.cpp instead.
NOT_HINTS = {"completion_script.cpp"}


def run(args, mode="1"):
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "ESSNAP_CHECK_COMMAND_LINE": mode}
    return subprocess.run([BINARY] + args, env=env, capture_output=True, text=True, timeout=30)


def command_tree():
    """Every command path, from the --help of each command; and the top-level names."""
    paths, todo = [], [[]]
    while todo:
        path = todo.pop()
        paths.append(path)
        out = run(path + ["--help"]).stdout
        if "Subcommands:" in out:
            for line in out.split("Subcommands:", 1)[1].splitlines()[1:]:
                m = re.match(r"^  (\S+)\s", line)
                if not m:
                    if line.strip() == "":
                        break
                    continue
                todo.append(path + [m.group(1)])
    return paths


# --- extraction -----------------------------------------------------------------------------

def cut(cmd):
    """The command up to a shell operator or a comment, continuation lines joined."""
    cmd = re.sub(r"\\\n\s*", " ", cmd)
    cmd = cmd.split("\n", 1)[0]
    for op in (" | ", " && ", " || ", "; ", " > ", " 2>", " >>", "  #", " # "):
        at = cmd.find(op)
        if at >= 0:
            cmd = cmd[:at]
    return cmd.strip().rstrip("\\").strip()


QUOTES = ("'", "`", '"')


def commands_in_text(text, top, examples_indented=False):
    """Each `essnap …` command in `text` (the rules in the module's docstring)."""
    text = re.sub(r"\\\n\s*", " ", text)  # continuation lines
    found = []
    for m in re.finditer(r"(^|[\s'`\"(=])essnap((?: +)[^\n]*(?:\\\n[^\n]*)*)", text):
        opener = m.group(1)
        rest = m.group(2)
        words = rest.split()
        first = words[0] if words else ""
        line_start = text.rfind("\n", 0, m.start(2)) + 1
        before = text[line_start:m.start(2) - len("essnap")]
        at_line_start = re.fullmatch(r"\s*(\$ )?([A-Z_][A-Z0-9_]*=\S* )*", before) is not None
        indented = before.startswith("  ") or "$ " in before
        known = (first.startswith("-") and len(first) > 1) or first in top
        if opener in QUOTES:
            # 'essnap 0.1.0' is a version, "essnap snapshots list" a typo of a command
            if known or (first.isalpha() and first.islower()):
                found.append("essnap " + rest.split(opener, 1)[0].split("\n")[0].strip())
        elif at_line_start and (indented or (known and not examples_indented)):
            found.append("essnap " + cut(rest))
        elif known:
            # Mid-sentence: a command when it carries a flag, up to the end of the clause.
            clause = re.split(r"[;,)](?:\s|$)| \(", rest.split("\n", 1)[0], maxsplit=1)[0]
            if any(w.startswith("-") for w in clause.split()[1:]):
                found.append("essnap " + cut(clause))
        # else prose: "written by essnap export", "then run essnap setup again"
    return found


def cpp_tokens(text):
    """A C++ file as ("str", body) and ("code", text) tokens, comments dropped."""
    out, i, n, code = [], 0, len(text), []

    def flush():
        if code:
            out.append(("code", "".join(code)))
            code.clear()

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i) if text.find("\n", i) >= 0 else n
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            d = text.index("(", i)
            delim = text[i + 2:d]
            end = text.index(")" + delim + '"', d)
            flush()
            out.append(("str", text[d + 1:end]))
            i = end + len(delim) + 2
        elif c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            code.append("'x'")
            i = j + 1
        elif c == '"':
            j, body = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    body.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'"}.get(
                        text[j + 1], "\\" + text[j + 1]))
                    j += 2
                else:
                    body.append(text[j])
                    j += 1
            flush()
            out.append(("str", "".join(body)))
            i = j + 1
        else:
            code.append(c)
            i += 1
    flush()
    return out


def cpp_literals(text):
    """The string literals of a C++ file: adjacent literals joined, a value spliced in with
    `+ expr +` or `<< expr <<` read as VALUE, a literal cut short by a trailing `+` ending in …"""
    toks = cpp_tokens(text)
    out, cur, i = [], None, 0
    splice = re.compile(r"\s*(\+|<<)\s*[^;{}\"]*?\s*(\+|<<)\s*")
    while i < len(toks):
        kind, t = toks[i]
        if kind == "str":
            cur = t if cur is None else cur + t
        else:
            if cur is not None:
                nxt = toks[i + 1][0] if i + 1 < len(toks) else None
                if t.strip() == "" and nxt == "str":
                    pass  # adjacent literals
                elif splice.fullmatch(t) and nxt == "str":
                    cur += "VALUE"
                else:
                    if re.match(r"\s*(\+|<<)", t):
                        cur += " …"
                    out.append(cur)
                    cur = None
        i += 1
    if cur is not None:
        out.append(cur)
    return out


def markdown_code(text):
    """(code, names_mode): fenced blocks (whole commands) and inline spans (often a command
    named in prose, `essnap copy`: checked in the names mode)."""
    parts = []
    for m in re.finditer(r"```[^\n]*\n(.*?)```", text, flags=re.S):
        parts.append((m.group(1), False))
    no_fences = re.sub(r"```.*?```", "", text, flags=re.S)
    for m in re.finditer(r"`([^`\n]+)`", no_fences):
        parts.append((m.group(1), True))
    return parts


# --- checking -------------------------------------------------------------------------------

def check(cmd, names=False):
    """None when it parses, else the parser's answer."""
    try:
        words = shlex.split(cmd)
    except ValueError as e:
        return f"cannot be split into words: {e}"
    args = words[1:]
    # "essnap run" (a command named, no flags) only has to exist; so does "a|b" (alternatives:
    # the first) and "--keep-within*" (a family of flags: the stem).
    names = (names or not any(w.startswith("-") for w in args) or
             any(w in ELLIPSIS or w.endswith("…") or "|" in w or w.endswith("*") and
                 w.startswith("--") for w in args))
    args = [w.replace("\\|", "|").split("|")[0] if "|" in w else w for w in args]
    family = [w.startswith("--") and w.endswith("*") for w in args]
    args = [w.rstrip("*") if f else w for w, f in zip(args, family)]
    if not names:
        r = run(args)
        return None if r.returncode == 0 else (r.stderr.strip() or r.stdout.strip())
    args = [w.rstrip("…") for w in args]
    as_value = [("VALUE" if w in ELLIPSIS or w == "" else w) for w in args]
    dropped = [w for w in args if w not in ELLIPSIS and w != ""]
    answers = []
    with_value = [w + "=VALUE" if f else w for w, f in zip(args, family)]
    for attempt in (as_value, dropped, with_value):
        r = run(attempt, "names")
        if r.returncode == 0:
            return None
        answers.append(r.stderr.strip() or r.stdout.strip())
    return answers[-1]


def main():
    if not os.path.exists(BINARY):
        print(f"essnap binary not found at {BINARY} (set ESSNAP_BINARY)")
        return 1
    paths = command_tree()
    top = {p[0] for p in paths if len(p) == 1}
    found = []  # (where, command, names mode)
    for f in sorted((ROOT / "src").rglob("*.[ch]pp")):
        if f.name in NOT_HINTS:
            continue
        for lit in cpp_literals(f.read_text()):
            if "essnap" not in lit:
                continue
            for c in commands_in_text(lit, top, examples_indented=True):
                found.append((str(f.relative_to(ROOT)), c, False))
    for path in paths:
        out = run(path + ["--help"]).stdout
        for c in commands_in_text(out, top, examples_indented=True):
            found.append(("essnap " + " ".join(path + ["--help"]), c, False))
    for md in [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md")):
        for code, names in markdown_code(md.read_text()):
            for c in commands_in_text(code, top):
                found.append((str(md.relative_to(ROOT)), c, names))

    seen, failures = set(), []
    for where, c, names in found:
        if (where, c) in seen:
            continue
        seen.add((where, c))
        answer = check(c, names)
        if answer is not None:
            failures.append((where, c, answer))
    if os.environ.get("HINTS_PARSE_LIST"):
        for where, c in sorted(seen):
            print(f"{where}: {c}")
    print(f"{len(seen)} essnap commands checked in hints, --help, README.md and docs/*.md; "
          f"{len(failures)} do not parse")
    for where, c, answer in failures:
        print(f"\n{where}:\n  {c}\n  -> {answer}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
