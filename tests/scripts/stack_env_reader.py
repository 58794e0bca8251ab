"""scripts/stack/stackenv.py reads tests/data/stack_env_sample exactly as bash sources it and as
tests/unit/stack_env_test.cpp expects (the same values), refuses what bash would expand, and
reads the real .stack/env as bash does. Needs no stack for the sample; the real file is skipped
(or, with CI=true, failed) when missing."""

import os
import subprocess
import sys

SOURCE_DIR = os.environ.get("ESSNAP_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(SOURCE_DIR, "scripts", "stack"))
from stackenv import Checks, ShellSyntaxError, env_path, load_env, parse, read  # noqa: E402

SAMPLE = os.path.join(SOURCE_DIR, "tests", "data", "stack_env_sample")

# The same table as StackEnv.SampleQuotingCases in tests/unit/stack_env_test.cpp.
EXPECTED = {
    "SPACES": "a value with  spaces",
    "SQ_SPACES": "a value with  spaces",
    "SINGLE_QUOTE": "it's",
    "SQ_QUOTE": "it's",
    "DQ_QUOTE": 'it\'s "quoted"',
    "DOLLAR": "costs $5, not $HOME or $(id)",
    "SQ_DOLLAR": "$HOME $(id) `id`",
    "DQ_DOLLAR": "costs $5 `id` \\ $ and \\n stays",
    "EMPTY": "",
    "SQ_EMPTY": "",
    "DQ_EMPTY": "",
    "BARE_EMPTY": "",
    "EQUALS": "a=b=c",
    "EQUALS_SQ": "--opt=x=y",
    "URL": "http://127.0.0.1:19200/_snapshot?wait=true&x=[1]",
    "PATH_TILDE": "~/x:~/y",
    "NEWLINE": "line one\nline two\ttabbed",
    "UTF8": "caf\u00e9 \u2615",
    "SECRET": "wJalr/K7+bPx==",
    "MIXED": "\"double\" 'single' \\back\\slash `tick` #hash",
    "CONCAT": "singledoublebare word",
    "ANSI_C": "tab\thereAA\x1b[0m\x01",
    "TWO_A": "1",
    "TWO_B": "two words",
    "LATER": "exported below",
    "INDENTED": "yes",
    "CONTINUED": "partone",
}


def exported_by_bash(path):
    out = subprocess.run(["/bin/bash", "-c", '. "$1" && env -0', "bash", path], env={},
                         capture_output=True, check=True).stdout
    env = {}
    for kv in out.split(b"\0"):
        if kv:
            name, _, value = kv.decode("utf-8", "surrogateescape").partition("=")
            if name not in ("PWD", "SHLVL", "_"):
                env[name] = value
    return env


c = Checks("stack_env_reader")
sample = read(SAMPLE)
c.check(sample == EXPECTED, "the sample's quoting cases read as expected",
        repr({k: (sample.get(k), v) for k, v in EXPECTED.items() if sample.get(k) != v}))
c.check("NOT_EXPORTED" not in sample, "a plain assignment is not exported")
c.check(sample == exported_by_bash(SAMPLE), "the sample reads as bash sources it")
for text in ["export X=$HOME", 'export X="$(id)"', "export X=`id`", "export X=~", "export X=*",
             "export X={a,b}", "export X='open", "export X=a;b", "echo hi"]:
    try:
        parse(text)
        c.check(False, f"refuses {text!r}", "parsed")
    except ShellSyntaxError:
        c.check(True, f"refuses {text!r}")

env = load_env("stack_env_reader")  # below: the real file (skips or fails without it)
c.check(env == exported_by_bash(env_path()), f"{env_path()} reads as bash sources it")
c.check(env.get("ESSNAP_TEST_AWS_ACCOUNT_ID") == "123456789012", "ESSNAP_TEST_AWS_ACCOUNT_ID")
c.finish()
