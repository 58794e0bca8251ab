#!/usr/bin/env python3
"""The table and the JSON summary of bench/repo_sync.sh.

  repo_sync_report.py READY.json RECORDS.jsonl NEW_OBJECTS NEW_BYTES RCLONE_VERSION AWS_VERSION
                      ESSNAP_VERSION HAVE_ESSNAP OUT.json

Targets (issue 22), per case, essnap against rclone: full-copy throughput >= 1.0x; incremental
requests <= 1/5 and time <= 1/2; bytes written to DST by the incremental <= 1.05x the bytes of the
objects snapshot 2 added or changed; peak RSS (full and incremental) <= 256 MiB. A target whose
essnap figure is missing is "pending" (null in the JSON).
"""
import datetime
import json
import sys

MiB = 2**20
KINDS = ["GET", "HEAD", "PUT", "COPY", "LIST", "DELETE", "POST", "BUCKET"]


def total(req):
    return sum(req["requests"].values()) if req else None


def fmt(v, f="%.2f"):
    return "-" if v is None else f % v


def main():
    ready = json.load(open(sys.argv[1]))
    runs = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
    new_objects, new_bytes = int(sys.argv[3]), int(sys.argv[4])
    have_essnap = sys.argv[8] == "1"
    versions = {"rclone": sys.argv[5], "aws": sys.argv[6], "essnap": (sys.argv[7] or None) if have_essnap else None}
    out = sys.argv[9]
    src_bytes = ready["snap1"]["bytes"]

    for r in runs:
        f, i = r["full"], r["incremental"]
        f["mib_per_s"] = src_bytes / MiB / f["seconds"] if f["exit"] == 0 and f["seconds"] > 0 else None
        f["rss_mib"] = f["rss_kib"] / 1024
        i["rss_mib"] = i["rss_kib"] / 1024
        f["requests_total"] = total(f["requests"])
        i["requests_total"] = total(i["requests"])
        # Bytes moved by the incremental: into an S3 DST, the bytes of the objects it created or
        # rewrote (server-side copies included); into a directory, the bytes it received from S3
        # in the counting run (answers with their headers), unknown without one.
        if r["case"] == "s3":
            i["bytes_moved"] = i["written_bytes"]
        else:
            i["bytes_moved"] = i["requests"]["bytes_down"] if i["requests"] else None

    cases = []
    for r in runs:
        if r["case"] not in cases:
            cases.append(r["case"])
    label = {"s3": "S3 -> S3", "dir": "S3 -> directory"}

    print()
    print("repo sync: full = snapshot 1's repository (%d objects, %.1f MiB) into an empty DST; "
          "incremental = then snapshot 2's (+%d objects, %.1f MiB new)"
          % (ready["snap1"]["objects"], src_bytes / MiB, new_objects, new_bytes / MiB))
    head = ("%-16s %-15s %8s %8s %8s | %8s %8s %9s %9s %6s %7s | %8s  %s"
            % ("case", "tool", "full s", "MiB/s", "RSS MiB", "incr s", "RSS MiB", "moved MiB", "wrote MiB", "objs", "deleted",
               "requests", "incremental requests by kind (full's total)"))
    print(head)
    print("-" * len(head))
    for case in cases:
        for tool in ["essnap", "rclone", "rclone-checksum", "aws"]:
            rs = [r for r in runs if r["case"] == case and r["tool"] == tool]
            if not rs:
                if tool == "essnap":
                    print("%-16s %-15s %s" % (label[case], tool, "pending (essnap repo sync not available)"))
                continue
            r = rs[0]
            f, i = r["full"], r["incremental"]
            kinds = (" ".join("%s %d" % (k, v) for k, v in i["requests"]["requests"].items() if v)
                     if i["requests"] else "-")
            fails = "".join(" [%s exit %d]" % (n, x["exit"]) for n, x in (("full", f), ("incr", i)) if x["exit"])
            print("%-16s %-15s %8s %8s %8.1f | %8s %8.1f %9s %9.1f %6d %7d | %8s  %s (%s)%s"
                  % (label[case], tool, fmt(f["seconds"]), fmt(f["mib_per_s"], "%.1f"), f["rss_mib"],
                     fmt(i["seconds"]), i["rss_mib"],
                     fmt(None if i["bytes_moved"] is None else i["bytes_moved"] / MiB, "%.1f"), i["written_bytes"] / MiB, i["written_objects"],
                     i["deleted_objects"], fmt(i["requests_total"], "%d"), kinds, fmt(f["requests_total"], "%d"), fails))

    for r in runs:
        if r["incremental"].get("dst_vs_snapshot2", "same") != "same":
            print("  %s, %s: DST after the incremental vs the repository after snapshot 2: %s"
                  % (label[r["case"]], r["tool"], r["incremental"]["dst_vs_snapshot2"]))

    def get(case, tool):
        rs = [r for r in runs if r["case"] == case and r["tool"] == tool]
        return rs[0] if rs else None

    def target(value, limit, cmp, text):
        met = None if value is None else (value >= limit if cmp == ">=" else value <= limit)
        return {"target": text, "value": value, "met": met}

    targets = {}
    for case in cases:
        e, rc = get(case, "essnap"), get(case, "rclone")
        ok = lambda r, part: r is not None and r[part]["exit"] == 0  # noqa: E731
        thr = (e["full"]["mib_per_s"] / rc["full"]["mib_per_s"]
               if ok(e, "full") and ok(rc, "full") and rc["full"]["mib_per_s"] else None)
        req = (e["incremental"]["requests_total"] / rc["incremental"]["requests_total"]
               if ok(e, "incremental") and ok(rc, "incremental") and e["incremental"]["requests_total"] is not None
               and rc["incremental"]["requests_total"] else None)
        tim = (e["incremental"]["seconds"] / rc["incremental"]["seconds"]
               if ok(e, "incremental") and ok(rc, "incremental") else None)
        moved = (e["incremental"]["bytes_moved"] / new_bytes
                 if ok(e, "incremental") and new_bytes and e["incremental"]["bytes_moved"] is not None else None)
        rss = max(e["full"]["rss_mib"], e["incremental"]["rss_mib"]) if ok(e, "full") and ok(e, "incremental") else None
        targets[case] = {
            "full_throughput_vs_rclone": target(thr, 1.0, ">=", "essnap full MiB/s >= 1.0x rclone's"),
            "incremental_requests_vs_rclone": target(req, 0.2, "<=", "essnap incremental requests <= 1/5 of rclone's"),
            "incremental_time_vs_rclone": target(tim, 0.5, "<=", "essnap incremental time <= 1/2 of rclone's"),
            "bytes_moved_vs_new_blobs": target(moved, 1.05, "<=", "essnap incremental bytes moved <= 1.05x the new blobs' bytes"),
            "peak_rss_mib": target(rss, 256, "<=", "essnap peak RSS <= 256 MiB"),
        }
    print()
    print("%-16s %-64s %9s  %s" % ("case", "target (essnap vs rclone)", "value", "met"))
    for case in cases:
        for t in targets[case].values():
            v = t["value"]
            print("%-16s %-64s %9s  %s" % (label[case], t["target"], "-" if v is None else "%.3f" % v,
                                           "pending" if t["met"] is None else ("met" if t["met"] else "NOT MET")))
    summary = {
        "benchmark": "bench/repo_sync.sh",
        "date": datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z",
        "dataset": dict(ready, new_in_snap2={"objects": new_objects, "bytes": new_bytes}),
        "versions": versions,
        "essnap_available": have_essnap,
        "runs": runs,
        "targets": targets,
    }
    with open(out, "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    print("\nsummary: %s" % out)


if __name__ == "__main__":
    main()
