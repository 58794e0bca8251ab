#!/usr/bin/env python3
"""The engines of ENGINE_TABLE (scripts/stack/engine.sh) are the engines the C++ suites know
(tests/support/stack_engines.hpp): every table row is in stack_engine_list() or
stack_source_engine_list(), and nothing else is. Needs no stack."""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "stack"))
from stackenv import SOURCE_DIR, Checks  # noqa: E402

t = Checks("stack_engine_list")
engine_sh = open(os.path.join(SOURCE_DIR, "scripts", "stack", "engine.sh"), encoding="utf-8").read()
table = engine_sh.split("ENGINE_TABLE=$(cat <<'EOF'", 1)[1].split("\nEOF", 1)[0]
rows = [line.split() for line in table.splitlines() if line.strip() and not line.startswith("#")]
names = [r[0].upper() for r in rows]
t.check(len(names) >= 6, "ENGINE_TABLE has one engine per major at least", str(names))
t.check(all(len(r) == 7 for r in rows), "every ENGINE_TABLE row has 7 columns")

hpp = open(os.path.join(SOURCE_DIR, "tests", "support", "stack_engines.hpp"), encoding="utf-8").read()
known = re.findall(r'\{"ESSNAP_TEST_([A-Z0-9]+)_URL",', hpp)
t.check(sorted(known) == sorted(names), "stack_engines.hpp lists exactly ENGINE_TABLE's engines",
        f"table {sorted(names)} vs header {sorted(known)}")
t.check(len(set(known)) == len(known), "stack_engines.hpp lists each engine once")
versions = {r[0]: r[2] for r in rows}
majors = {(r[1], versions[r[0]].split(".")[0]) for r in rows}
for kind, major in [("elasticsearch", "7"), ("elasticsearch", "8"), ("elasticsearch", "9"),
                    ("opensearch", "1"), ("opensearch", "2"), ("opensearch", "3")]:
    t.check((kind, major) in majors, f"ENGINE_TABLE runs {kind} {major}.x")
ports = [r[3] for r in rows]
t.check(len(set(ports)) == len(ports), "every engine has its own port offset", str(ports))
t.finish()
