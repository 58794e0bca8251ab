#!/usr/bin/env python3
"""Validates deploy/: systemd units with `systemd-analyze verify` (the ExecStart binary pointed at
the built essnap), Kubernetes manifests parse and have the expected kinds and keys, and the
Prometheus rules' expressions name only metrics essnap exposes."""
import os, re, shutil, subprocess, sys, tempfile
import yaml

SRC = os.environ.get("ESSNAP_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("ESSNAP_BINARY", "")
DEPLOY = os.path.join(SRC, "deploy")
METRICS = {  # src/essnap/schedule/metrics.cpp
    "essnap_policy_last_success_timestamp_seconds", "essnap_policy_last_run_timestamp_seconds",
    "essnap_policy_last_duration_seconds", "essnap_policy_last_snapshot_bytes",
    "essnap_policy_consecutive_failures", "essnap_policy_runs_total",
    "essnap_policy_snapshots_deleted_total", "essnap_policy_snapshots", "essnap_policy_healthy"}
failures = []

def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)

def check_systemd():
    analyze = shutil.which("systemd-analyze")
    units = ["essnap.service", "essnap-once.service", "essnap-once.timer"]
    with tempfile.TemporaryDirectory() as tmp:
        for u in units:
            text = open(os.path.join(DEPLOY, "systemd", u)).read()
            if BIN:
                text = text.replace("/usr/local/bin/essnap", BIN)
            open(os.path.join(tmp, u), "w").write(text)
            if u.endswith(".service") and "ExecStart=" not in text:
                fail(f"{u}: no ExecStart")
        if not analyze:
            print("systemd-analyze not found: structure checked only")
            return
        paths = [os.path.join(tmp, u) for u in units]
        r = subprocess.run([analyze, "verify", *paths], capture_output=True, text=True)
        out = (r.stdout + r.stderr).strip()
        ours = [l for l in out.splitlines() if any(u in l for u in units)]
        if r.returncode != 0 or ours:
            fail("systemd-analyze verify: " + out)
        else:
            print("systemd-analyze verify: ok")

def check_kubernetes():
    cron = yaml.safe_load(open(os.path.join(DEPLOY, "kubernetes", "cronjob.yaml")))
    if cron.get("kind") != "CronJob" or cron.get("apiVersion") != "batch/v1":
        fail("cronjob.yaml: not a batch/v1 CronJob")
    c = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    if "--once" not in c["args"] or c["args"][0] != "run":
        fail("cronjob.yaml: container does not run 'essnap run --once'")
    if cron["spec"].get("concurrencyPolicy") != "Forbid":
        fail("cronjob.yaml: concurrencyPolicy must be Forbid (one operation per repository)")
    dep = yaml.safe_load(open(os.path.join(DEPLOY, "kubernetes", "deployment.yaml")))
    if dep.get("kind") != "Deployment" or dep.get("apiVersion") != "apps/v1":
        fail("deployment.yaml: not an apps/v1 Deployment")
    spec = dep["spec"]["template"]["spec"]["containers"][0]
    if spec["args"][0] != "run" or "--once" in spec["args"]:
        fail("deployment.yaml: container must run 'essnap run' (long-running)")
    ports = {p["name"]: p["containerPort"] for p in spec.get("ports", [])}
    if "metrics" not in ports:
        fail("deployment.yaml: no metrics port")
    probe = spec.get("livenessProbe", {}).get("httpGet", {})
    if probe.get("path") != "/metrics" or probe.get("port") not in ("metrics", ports.get("metrics")):
        fail("deployment.yaml: liveness probe must GET /metrics on the metrics port")
    if dep["spec"].get("replicas") != 1:
        fail("deployment.yaml: exactly one replica")

def check_prometheus():
    rules = yaml.safe_load(open(os.path.join(DEPLOY, "prometheus", "essnap-alerts.yaml")))
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    if not any("essnap_policy_healthy == 0" in e for e in exprs):
        fail("alerts: no rule on essnap_policy_healthy == 0")
    if not any("essnap_policy_consecutive_failures" in e for e in exprs):
        fail("alerts: no rule on consecutive failures")
    for e in exprs:
        for name in re.findall(r"\b(essnap_[a-z_]+)", e):
            if name not in METRICS:
                fail(f"alerts: '{name}' in '{e}' is not a metric essnap exposes")

check_systemd()
check_kubernetes()
check_prometheus()
sys.exit(1 if failures else 0)
