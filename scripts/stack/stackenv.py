"""Shared by the stack's own tests (tests/scripts/stack_*.py): load .stack/env, or skip / fail.

Without .stack/env a test prints SKIP and exits 0, except with CI=true, where it fails: in CI the
stack must be there."""

import os
import shlex
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
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("export "):
                continue
            name, _, value = line[len("export "):].partition("=")
            parts = shlex.split(value) if value else [""]
            env[name] = parts[0] if parts else ""
    return env


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
