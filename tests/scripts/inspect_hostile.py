#!/usr/bin/env python3
"""`essnap inspect verify` on the hostile repositories of tests/data/inspect/hostile/ (written by
its make_hostile.py): `clean` is intact (exit 0), every other case is damage (exit 1, at least one
PROBLEM line), never an error or a crash, and memory stays bounded whatever the bytes claim (peak
RSS under 768 MiB; the run is also capped at 3 GiB of address space so a regression fails instead
of exhausting the machine). Names from the repository are escaped: a crafted blob name cannot
forge a PROBLEM line or send a terminal escape.

ESSNAP_BINARY: the essnap binary (set by ctest); ESSNAP_SOURCE_DIR: the source tree.
"""
import os
import resource
import subprocess
import sys

BINARY = os.environ.get("ESSNAP_BINARY", "build/essnap")
SOURCE = os.environ.get("ESSNAP_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
HOSTILE = os.path.join(SOURCE, "tests", "data", "inspect", "hostile")
RSS_LIMIT_KIB = 768 * 1024
AS_LIMIT = 3 << 30

# case -> (expected exit code, substrings every run's stdout must hold)
CASES = {
    "clean": (0, ["no problems found"]),
    "shared-file-disagreement": (1, ["disagree"]),
    "root-drops-index": (1, ["does not list index i1"]),
    "json-body": (1, ["JSON, not SMILE"]),
    "generation-19-digits": (1, ["index-9999999999999999999", "index.latest"]),
    "parts-bomb": (1, ["1152921504606846976 parts"]),
    "shards-bomb": (1, ["number_of_shards 2147483647"]),
    "smile-bomb": (1, ["refused"]),
    "root-deep-nesting": (1, ["index-2"]),
    "crafted-name": (1, ["__B\\nPROBLEM forged: all is well\\e[2K"]),
}


def limit():
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def run(case, read_data):
    args = [BINARY, "inspect", "verify", os.path.join(HOSTILE, case), "--concurrency", "8"]
    if read_data:
        args.append("--read-data")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.run(args, capture_output=True, preexec_fn=limit, timeout=300)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return p, (peak if peak > before else None)


def main():
    failures = []
    for case, (code, needles) in CASES.items():
        for read_data in (False, True):
            label = case + (" --read-data" if read_data else "")
            p, peak = run(case, read_data)
            out = p.stdout.decode("utf-8", "replace")
            err = p.stderr.decode("utf-8", "replace")
            if p.returncode != code:
                failures.append("%s: exit %d, expected %d\n%s%s" % (label, p.returncode, code, out, err))
                continue
            for n in needles:
                if n not in out:
                    failures.append("%s: output lacks %r\n%s" % (label, n, out))
            if code == 1 and not any(l.startswith("PROBLEM ") for l in out.splitlines()):
                failures.append("%s: no PROBLEM line\n%s" % (label, out))
            if "\x1b" in out or "\r" in out:
                failures.append("%s: a control character reached stdout" % label)
            if any(l.startswith("PROBLEM forged") for l in out.splitlines()):
                failures.append("%s: a crafted name forged a PROBLEM line\n%s" % (label, out))
            if peak is not None and peak > RSS_LIMIT_KIB:
                failures.append("%s: peak RSS %d MiB, over %d MiB" % (label, peak // 1024, RSS_LIMIT_KIB // 1024))
            print("%-40s exit %d%s" % (label, p.returncode, "" if peak is None else ", peak RSS so far %d MiB" % (peak // 1024)))
    for f in failures:
        print("FAIL " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
