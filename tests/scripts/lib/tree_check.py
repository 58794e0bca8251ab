"""What the script tests of the tree's own checks (scripts/check_*.py) share: where the sources
are, one `check` line per expectation, running a check on a tree, and the exit status.
Imported by tests/scripts/layers_check.py and unity_names.py; kept in lib/, where the glob of
script tests (tests/CMakeLists.txt) does not make it a test of its own."""

import os
import subprocess
import sys

SRC = os.environ.get("ESSNAP_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")))
failures = 0


def check(name, cond, detail=""):
    global failures
    print(("ok   " if cond else "FAIL ") + name + (f": {detail}" if detail and not cond else ""))
    failures += 0 if cond else 1


def run(script, root):
    """Runs scripts/<script> --root ROOT: its exit code and its output."""
    p = subprocess.run([sys.executable, os.path.join(SRC, "scripts", script), "--root", root],
                       capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def finish(name):
    print(name + ":", "FAIL" if failures else "ok")
    sys.exit(1 if failures else 0)
