"""The unity-name check passes on the tree, and fails, naming both units, on a planted clash.

A copy of src/essnap/ gets a second file-local `kPlanted` in another unit of one folder (the
batch CMakeLists.txt compiles together); the check must name both places and exit 1. The same
name in two different folders (different batches) is not a clash."""

import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("ESSNAP_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
CHECK = os.path.join(SRC, "scripts", "check_unity_names.py")
failures = 0


def check(name, cond, detail=""):
    global failures
    print(("ok   " if cond else "FAIL ") + name + (f": {detail}" if detail and not cond else ""))
    failures += 0 if cond else 1


def run(root):
    p = subprocess.run([sys.executable, CHECK, "--root", root], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


rc, out = run(SRC)
check("no file-local name twice in one batch of the tree", rc == 0, out)

with tempfile.TemporaryDirectory() as tmp:
    shutil.copytree(os.path.join(SRC, "src", "essnap"), os.path.join(tmp, "src", "essnap"))
    planted = "\nnamespace essnap {\nnamespace {\nconstexpr int kPlanted = 1;\n}  // namespace\n}\n"
    for rel in ("util/strings.cpp", "util/escape.cpp", "http/factory.cpp"):
        with open(os.path.join(tmp, "src", "essnap", rel), "a") as f:
            f.write(planted)
    rc, out = run(tmp)
    check("a planted clash exits 1", rc == 1, out)
    check("the clash names both units of util/",
          "util/strings.cpp" in out and "util/escape.cpp" in out and "kPlanted" in out, out)
    check("another folder's copy is another batch: not named", "http/factory.cpp" not in out, out)

sys.exit(1 if failures else 0)
