#!/usr/bin/env python3
"""Differential test: essnap's retention (retention::apply_policy) against `restic forget`.

Creates a throw-away restic repository, makes snapshots of one tiny file at chosen times (hour,
day, ISO-week, month and year boundaries, DST changes in Europe/Berlin), then for each policy
runs `restic forget --dry-run --json` and feeds the same instants (read back from restic, all
SUCCESS, keep_min 0, nothing in the future) to tests/tools/retention_tool. The keep sets must be
equal. essnap's extra rules only ever keep more; with all SUCCESS, keep_min 0 and no future
snapshot the only one left is "newest successful snapshot", which restic's rules keep anyway.

restic before 0.16 differs from the restic essnap follows (0.16+) in two documented ways, which
this test then accounts for explicitly instead of hiding:
  * no "oldest snapshot" rule: essnap may keep the oldest snapshot in addition, and only when
    every reason essnap gives for it starts with "oldest ";
  * no -1 (unlimited) counts: those policies are skipped, and said so.

A control run checks that the comparison can fail: the first Berlin policy, given to essnap in
UTC, must differ from restic's Berlin answer.

Environment: ESSNAP_RETENTION_TOOL (else ESSNAP_BUILD_DIR/tests/essnap_retention_tool); RESTIC
(the restic binary, default `restic` on PATH, e.g. a newer one built with `go install`). Without
restic: SKIP (exit 0), or a failure when CI=true. Exit 1 on any difference, naming the policy.
"""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile

POLICIES = [
    # (name, policy as essnap's tool reads it, tz)
    ("last 5", {"last": 5}, "UTC"),
    ("hourly 10", {"hourly": 10}, "UTC"),
    ("daily 7", {"daily": 7}, "UTC"),
    ("weekly 8", {"weekly": 8}, "UTC"),
    ("monthly 12", {"monthly": 12}, "UTC"),
    ("yearly 3", {"yearly": 3}, "UTC"),
    ("d7 w4 m6 y-1", {"daily": 7, "weekly": 4, "monthly": 6, "yearly": -1}, "UTC"),
    ("hourly -1", {"hourly": -1}, "UTC"),
    ("weekly -1 monthly -1", {"weekly": -1, "monthly": -1}, "UTC"),
    ("daily 100 (counts left)", {"daily": 100}, "UTC"),
    ("within 30d", {"within": "30d"}, "UTC"),
    ("within 1y2m3d4h", {"within": "1y2m3d4h"}, "UTC"),
    ("within-hourly 2d within-daily 10d", {"within_hourly": "2d", "within_daily": "10d"}, "UTC"),
    ("within-weekly 2m within-monthly 1y within-yearly 5y",
     {"within_weekly": "2m", "within_monthly": "1y", "within_yearly": "5y"}, "UTC"),
    ("last 3 daily 5 within 7d within-daily 1m",
     {"last": 3, "daily": 5, "within": "7d", "within_daily": "1m"}, "UTC"),
    ("weekly 3 within-monthly 13m", {"weekly": 3, "within_monthly": "13m"}, "UTC"),
    ("Berlin daily 12", {"daily": 12}, "Europe/Berlin"),
    ("Berlin hourly 12 weekly 5", {"hourly": 12, "weekly": 5}, "Europe/Berlin"),
    ("Berlin within 1d within-hourly 3d weekly 4",
     {"within": "1d", "within_hourly": "3d", "weekly": 4}, "Europe/Berlin"),
]

FLAGS = {"last": "--keep-last", "hourly": "--keep-hourly", "daily": "--keep-daily",
         "weekly": "--keep-weekly", "monthly": "--keep-monthly", "yearly": "--keep-yearly",
         "within": "--keep-within", "within_hourly": "--keep-within-hourly",
         "within_daily": "--keep-within-daily", "within_weekly": "--keep-within-weekly",
         "within_monthly": "--keep-within-monthly", "within_yearly": "--keep-within-yearly"}


def utc_times():
    """~60 instants over two years, given as UTC wall clocks (host "utc")."""
    t = [
        "2023-12-31 23:59:59", "2024-01-01 00:00:00", "2024-01-01 00:59:59", "2024-01-01 01:00:00",
        "2024-01-07 23:00:00", "2024-01-08 00:30:00",  # Sun W01 / Mon W02
        "2024-02-28 12:00:00", "2024-02-29 12:00:00", "2024-03-01 12:00:00",
        "2024-03-31 00:59:59", "2024-03-31 01:00:01",  # around the EU spring change (UTC here)
        "2024-06-15 10:00:00", "2024-06-15 10:30:00", "2024-06-15 11:00:00",
        "2024-10-27 00:30:00", "2024-10-27 01:30:00",
        "2024-12-29 18:00:00", "2024-12-30 06:00:00",  # Sun 2024-W52 / Mon 2025-W01
        "2024-12-31 23:59:58", "2025-01-01 00:00:01", "2025-01-05 20:00:00", "2025-01-06 08:00:00",
    ]
    day = dt.datetime(2025, 9, 1, 3, 0, 0)
    for i in range(40):  # the last months densely: hours, days, weeks
        t.append((day + dt.timedelta(days=i * 2.5, hours=(i * 7) % 24)).strftime("%Y-%m-%d %H:%M:%S"))
    t += ["2025-11-30 23:00:00", "2025-11-30 23:40:00", "2025-12-01 00:10:00"]
    return sorted(set(t))


def berlin_times():
    """Wall clocks in Europe/Berlin around both DST changes of 2024 and 2025 (host "berlin")."""
    return sorted(set([
        "2024-03-30 12:00:00", "2024-03-30 23:30:00", "2024-03-31 00:30:00", "2024-03-31 01:59:59",
        "2024-03-31 03:00:00", "2024-03-31 03:30:00", "2024-03-31 23:59:59", "2024-04-01 00:00:00",
        "2024-10-26 23:30:00", "2024-10-27 01:30:00", "2024-10-27 02:30:00", "2024-10-27 03:30:00",
        "2024-10-27 23:30:00", "2024-10-28 00:30:00",
        "2025-03-29 22:00:00", "2025-03-30 01:30:00", "2025-03-30 03:15:00", "2025-03-30 04:00:00",
        "2025-03-30 23:00:00", "2025-10-25 22:00:00", "2025-10-26 01:00:00", "2025-10-26 02:15:00",
        "2025-10-26 02:45:00", "2025-10-26 04:00:00", "2025-10-26 23:59:00", "2025-10-27 00:01:00",
    ]))


RESTIC = os.environ.get("RESTIC", "restic")


def restic(env, *args, tz="UTC"):
    e = dict(env, TZ=tz)
    r = subprocess.run([RESTIC, *args], env=e, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: restic {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def restic_version():
    out = subprocess.run([RESTIC, "version"], capture_output=True, text=True).stdout
    ver = out.split()[1]  # "restic 0.14.0 compiled with ..."
    return tuple(int(x) for x in ver.split("-")[0].split(".")[:3]), ver


def to_utc(text):
    """restic's RFC 3339 time (maybe with nanoseconds) -> 'YYYY-MM-DDTHH:MM:SSZ'."""
    if "." in text:
        head, rest = text.split(".", 1)
        tail = rest.lstrip("0123456789")
        text = head + tail
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def find_tool():
    tool = os.environ.get("ESSNAP_RETENTION_TOOL")
    if not tool:
        tool = os.path.join(os.environ.get("ESSNAP_BUILD_DIR", "build"), "tests",
                            "essnap_retention_tool")
    if not os.access(tool, os.X_OK):
        sys.exit(f"FAIL: the retention tool is missing ({tool}); build the project first")
    return tool


def main():
    if shutil.which(RESTIC) is None:
        if os.environ.get("CI") == "true":
            sys.exit("FAIL: restic is not installed (scripts/install-deps.sh installs it)")
        print("SKIP: restic is not installed (scripts/install-deps.sh installs it)")
        return 0
    tool = find_tool()
    version, version_text = restic_version()
    old = version < (0, 16, 0)
    with tempfile.TemporaryDirectory(prefix="essnap-restic-") as tmp:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp,
               "RESTIC_PASSWORD": "essnap-test", "RESTIC_REPOSITORY": os.path.join(tmp, "repo"),
               "RESTIC_CACHE_DIR": os.path.join(tmp, "cache")}
        data = os.path.join(tmp, "data.txt")
        with open(data, "w") as f:
            f.write("tiny\n")
        restic(env, "init")
        hosts = {"utc": ("UTC", utc_times()), "berlin": ("Europe/Berlin", berlin_times())}
        for host, (tz, times) in hosts.items():
            for t in times:
                restic(env, "backup", "--time", t, "--host", host, "--tag", "t", data, tz=tz)
        listing = json.loads(restic(env, "snapshots", "--json"))
        by_host = {}
        for s in listing:
            by_host.setdefault(s["hostname"], []).append((s["id"], to_utc(s["time"])))
        print(f"restic {version_text}: {len(listing)} snapshots "
              f"({', '.join(f'{h}: {len(v)}' for h, v in by_host.items())})")

        proc = subprocess.Popen([tool], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

        def essnap(policy, tz, snaps):
            req = {"policy": dict(policy, keep_min=0, tz=tz), "now": now,
                   "snapshots": [{"name": i, "time": t, "state": "SUCCESS"} for i, t in snaps]}
            proc.stdin.write(json.dumps(req) + "\n")
            proc.stdin.flush()
            return json.loads(proc.stdout.readline())

        failures, compared, skipped, allowed_oldest = [], 0, [], []
        control = None
        for name, policy, tz in POLICIES:
            if old and any(v == -1 for v in policy.values()):
                skipped.append(f"{name} (restic {version_text} has no -1 = unlimited)")
                continue
            host = "berlin" if tz != "UTC" else "utc"
            flags = []
            for k, v in policy.items():
                flags += [FLAGS[k], str(v)]
            out = restic(env, "forget", "--dry-run", "--json", "--host", host, *flags, tz=tz)
            groups = json.loads(out.strip().splitlines()[-1])
            r_keep = {s["id"] for g in groups for s in (g.get("keep") or [])}
            snaps = by_host[host]
            res = essnap(policy, tz, snaps)
            if tz != "UTC" and control is None:
                ctl = essnap(policy, "UTC", snaps)
                control = {d["name"] for d in ctl.get("decisions", []) if d["action"] == "keep"}
                control = control != r_keep
            if not res.get("ok"):
                failures.append(f"{name}: essnap refused: {res.get('error')}")
                continue
            e_keep = {d["name"] for d in res["decisions"] if d["action"] == "keep"}
            reasons = {d["name"]: d["reasons"] for d in res["decisions"]}
            times = dict(snaps)
            extra = e_keep - r_keep
            if old:  # restic < 0.16 has no "oldest" rule (see the docstring)
                oldest = min(snaps, key=lambda x: x[1])[0]
                if extra == {oldest} and all(r.startswith("oldest ") for r in reasons[oldest]):
                    extra = set()
                    allowed_oldest.append(name)
            missing = r_keep - e_keep
            compared += 1
            if extra or missing:
                lines = [f"{name} (tz {tz}): essnap and restic differ"]
                for i in sorted(extra, key=times.get):
                    lines.append(f"  essnap keeps, restic removes: {times[i]} ({'; '.join(reasons[i])})")
                for i in sorted(missing, key=times.get):
                    lines.append(f"  restic keeps, essnap removes: {times[i]} ({'; '.join(reasons[i])})")
                failures.append("\n".join(lines))
            else:
                print(f"ok: {name} (tz {tz}): {len(e_keep)} kept of {len(snaps)}")
        proc.stdin.close()
        proc.wait()
    for s in skipped:
        print(f"skipped: {s}")
    if allowed_oldest:
        print(f"restic {version_text} has no oldest-snapshot rule; essnap kept the oldest snapshot "
              f"in addition (reason 'oldest ...') for: {', '.join(allowed_oldest)}")
    if control is not True:
        failures.append("control: essnap in UTC agreed with restic in Europe/Berlin; the "
                        "comparison cannot see time zones")
    if failures:
        print("\n".join(failures))
        print(f"FAIL: {len(failures)} differences ({compared} policies compared)")
        return 1
    print(f"PASS: {compared} policies agree with restic {version_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
