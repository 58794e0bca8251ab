"""The layer check passes on the tree, and fails, naming file and include, on a wrong one.

A copy of docs/ARCHITECTURE.md and src/essnap/ gets one deliberately wrong include (http/
including aws/, the cycle issue 9 removed), one peer include (s3/ including iam/) and one
unknown folder; the check must name each and exit 1."""

import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("ESSNAP_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
CHECK = os.path.join(SRC, "scripts", "check_layers.py")
failures = 0


def check(name, cond, detail=""):
    global failures
    print(("ok   " if cond else "FAIL ") + name + (f": {detail}" if detail and not cond else ""))
    failures += 0 if cond else 1


def run(root):
    p = subprocess.run([sys.executable, CHECK, "--root", root], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


rc, out = run(SRC)
check("the tree follows its layer order", rc == 0, out)

with tempfile.TemporaryDirectory() as tmp:
    os.makedirs(os.path.join(tmp, "docs"))
    shutil.copy(os.path.join(SRC, "docs", "ARCHITECTURE.md"), os.path.join(tmp, "docs"))
    shutil.copytree(os.path.join(SRC, "src", "essnap"), os.path.join(tmp, "src", "essnap"))
    with open(os.path.join(tmp, "src", "essnap", "http", "factory.cpp"), "a") as f:
        f.write('#include "essnap/aws/credentials.hpp"\n')
    with open(os.path.join(tmp, "src", "essnap", "s3", "client.cpp"), "a") as f:
        f.write('#include "essnap/iam/iam.hpp"\n')
    os.makedirs(os.path.join(tmp, "src", "essnap", "misc"))
    rc, out = run(tmp)
    check("a wrong include fails the check", rc == 1, out)
    check("it names the file and the include",
          'src/essnap/http/factory.cpp' in out and '"essnap/aws/credentials.hpp"' in out
          and "aws/ is above http/" in out, out)
    check("a peer include is named", 'src/essnap/s3/client.cpp' in out and "a peer" in out, out)
    check("an unknown folder is named", "src/essnap/misc/" in out, out)

print("layers_check:", "FAIL" if failures else "ok")
sys.exit(1 if failures else 0)
