"""The layer check passes on the tree, and fails, naming file and include, on a wrong one.

A copy of docs/ARCHITECTURE.md and src/essnap/ gets one deliberately wrong include (http/
including aws/, the cycle issue 9 removed), one peer include (s3/ including iam/) and one
unknown folder; the check must name each and exit 1."""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from tree_check import SRC, check, finish  # noqa: E402
from tree_check import run as run_check  # noqa: E402


def run(root):
    return run_check("check_layers.py", root)


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

finish("layers_check")
