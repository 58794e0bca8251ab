"""The unity-name check passes on the tree, and fails, naming both units, on a planted clash.

A copy of src/essnap/ gets a second file-local `kPlanted` in another unit of one folder (the
batch CMakeLists.txt compiles together); the check must name both places and exit 1. The same
name in two different folders (different batches) is not a clash."""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from tree_check import SRC, check, finish  # noqa: E402
from tree_check import run as run_check  # noqa: E402


def run(root):
    return run_check("check_unity_names.py", root)


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

finish("unity_names")
