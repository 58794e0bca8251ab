"""Shared by the stack's own tests (tests/scripts/*.py): load .stack/env, or skip / fail.

Without .stack/env a test prints SKIP and exits 0, except with CI=true, where it fails: in CI the
stack must be there. The file is read with bash's quoting rules (what `. .stack/env` would
export), the same rules as the C++ reader tests/support/stack_env.cpp; tests/scripts/
stack_env_reader.py and tests/unit/stack_env_test.cpp hold both to bash on
tests/data/stack_env_sample. `python3 stackenv.py --dump [FILE]` prints the parsed file as JSON.
"""

import json
import os
import sys

SOURCE_DIR = os.environ.get(
    "ESSNAP_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
)


def env_path():
    return os.environ.get("ESSNAP_STACK_ENV") or os.path.join(SOURCE_DIR, ".stack", "env")


def load_env(test_name):
    path = env_path()
    if not os.path.exists(path):
        msg = f"{test_name}: {path} is missing; start the stack with `make stack-up`"
        if os.environ.get("CI") == "true":
            print(f"FAIL: {msg} (CI=true: integration tests do not skip)")
            sys.exit(1)
        print(f"SKIP: {msg}")
        sys.exit(0)
    return read(path)


class ShellSyntaxError(ValueError):
    """Text bash would expand or could not read; refused rather than read differently."""


_OPERATORS = ";&|<>()"
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
_EXPANSION_STARTS = _NAME_CHARS + "{(@*#?-$!"
_ANSI_C = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
           "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def _is_name(s):
    return bool(s) and not s[0].isdigit() and all(c in _NAME_CHARS for c in s)


class _Lexer:
    """bash's word rules for simple commands: quotes, backslashes, $'...', comments."""

    def __init__(self, src):
        self.src = src
        self.pos = 0

    def fail(self, what):
        raise ShellSyntaxError(f"line {self.src.count(chr(10), 0, self.pos) + 1}: {what}")

    def peek(self, k=0):
        i = self.pos + k
        return self.src[i] if i < len(self.src) else ""

    def commands(self):
        """Yields each command as a list of (text, assign_eq) words; assign_eq is the offset of the
        '=' ending an unquoted NAME= prefix, or None."""
        words = []
        while True:
            while True:  # blanks and backslash-newline continuations
                if self.peek() in (" ", "\t") and self.peek():
                    self.pos += 1
                elif self.src.startswith("\\\n", self.pos):
                    self.pos += 2
                else:
                    break
            c = self.peek()
            if not c:
                if words:
                    yield words
                return
            if c == "\n":
                self.pos += 1
                if words:
                    yield words
                    words = []
            elif c == "#":
                while self.peek() and self.peek() != "\n":
                    self.pos += 1
            elif c in _OPERATORS:
                self.fail(f"unsupported shell operator {c!r}")
            else:
                words.append(self.word())

    def word(self):
        text, eq, quoted, after_colon = "", None, False, False
        while True:
            c = self.peek()
            if not c or c in " \t\n" or c in _OPERATORS:
                return text, eq
            value_start = eq is not None and len(text) == eq + 1
            word_start = not text and not quoted
            colon = False
            if c == "\\":
                if not self.peek(1):
                    text += "\\"
                    self.pos += 1
                elif self.peek(1) == "\n":
                    self.pos += 2
                else:
                    text += self.peek(1)
                    self.pos += 2
                    quoted = True
            elif c == "'":
                end = self.src.find("'", self.pos + 1)
                if end < 0:
                    self.fail("unterminated single quote")
                text += self.src[self.pos + 1:end]
                self.pos = end + 1
                quoted = True
            elif c == '"':
                self.pos += 1
                text += self.double_quoted()
                quoted = True
            elif c == "$" and self.peek(1) == "'":
                self.pos += 2
                text += self.ansi_c()
                quoted = True
            elif c == "$" and self.peek(1) == '"':
                self.pos += 2
                text += self.double_quoted()
                quoted = True
            elif c == "$" and self.peek(1) and self.peek(1) in _EXPANSION_STARTS:
                self.fail(f"unsupported expansion '${self.peek(1)}' (quote it)")
            elif c == "`":
                self.fail("unsupported command substitution '`'")
            elif c == "~" and (word_start or value_start or (after_colon and eq is not None)):
                self.fail("unsupported tilde expansion (quote the '~')")
            elif c in "*?[{":
                self.fail(f"unquoted {c!r} would be expanded by the shell (quote it)")
            else:
                if c == "=" and not quoted and eq is None and _is_name(text):
                    eq = len(text)
                colon = c == ":"
                text += c
                self.pos += 1
            after_colon = colon

    def double_quoted(self):
        out = ""
        while self.peek() and self.peek() != '"':
            c, n = self.peek(), self.peek(1)
            if c == "\\" and n:
                if n == "\n":
                    self.pos += 2
                elif n in '$`"\\':
                    out += n
                    self.pos += 2
                else:
                    out += c
                    self.pos += 1
            elif c == "$" and n and n in _EXPANSION_STARTS:
                self.fail(f"unsupported expansion '${n}' in double quotes")
            elif c == "`":
                self.fail("unsupported command substitution '`' in double quotes")
            else:
                out += c
                self.pos += 1
        if not self.peek():
            self.fail("unterminated double quote")
        self.pos += 1
        return out

    def ansi_c(self):
        out = bytearray()
        while self.peek() and self.peek() != "'":
            c = self.peek()
            if c != "\\" or not self.peek(1):
                out += c.encode("utf-8")
                self.pos += 1
                continue
            e = self.peek(1)
            self.pos += 2
            if e in _ANSI_C:
                out += _ANSI_C[e].encode()
            elif e == "c":
                if self.peek():
                    out.append(ord(self.peek()) & 0x1F)
                    self.pos += 1
                else:
                    out += b"\\c"
            elif e in "xuU":
                digits = ""
                while len(digits) < {"x": 2, "u": 4, "U": 8}[e] and self.peek() and \
                        self.peek() in "0123456789abcdefABCDEF":
                    digits += self.peek()
                    self.pos += 1
                if not digits:
                    out += ("\\" + e).encode()
                elif e == "x":
                    out.append(int(digits, 16))
                else:
                    out += chr(int(digits, 16)).encode("utf-8", "surrogatepass")
            elif e in "01234567":
                digits = e
                while len(digits) < 3 and self.peek() and self.peek() in "01234567":
                    digits += self.peek()
                    self.pos += 1
                out.append(int(digits, 8) & 0xFF)
            else:
                out += ("\\" + e).encode("utf-8")
        if not self.peek():
            self.fail("unterminated $'...'")
        self.pos += 1
        return out.decode("utf-8", "surrogateescape")


def parse(text):
    """What `. FILE` then `env` would show of FILE's variables: `export NAME=value` lines (and
    `NAME=value` lines later exported by `export NAME`). Raises ShellSyntaxError for anything it
    cannot read exactly as bash would."""
    shell, exported = {}, {}
    for words in _Lexer(text).commands():
        if words[0][0] == "export":
            for text_, eq in words[1:]:
                if eq is not None:
                    shell[text_[:eq]] = exported[text_[:eq]] = text_[eq + 1:]
                elif text_.startswith("-"):
                    raise ShellSyntaxError(f"unsupported option to export: {text_}")
                elif text_ in shell:
                    exported[text_] = shell[text_]
            continue
        for text_, eq in words:
            if eq is None:
                raise ShellSyntaxError(f"unsupported command {words[0][0]!r} (only assignments)")
            shell[text_[:eq]] = text_[eq + 1:]
            if text_[:eq] in exported:
                exported[text_[:eq]] = text_[eq + 1:]
    return exported


def read(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    try:
        return parse(text)
    except ShellSyntaxError as e:
        raise ShellSyntaxError(f"{path}: {e}") from None


class Checks:
    """Counts passed and failed checks and prints the closing 'N passed, N failed' line."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}{': ' + detail if detail else ''}")
        return ok

    def finish(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed or not self.passed else 0)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--dump":
        path = sys.argv[2] if len(sys.argv) > 2 else env_path()
        print(json.dumps(read(path), sort_keys=True, ensure_ascii=False))
    else:
        print("usage: stackenv.py --dump [FILE]   (default: $ESSNAP_STACK_ENV or .stack/env)",
              file=sys.stderr)
        sys.exit(2)
