#!/usr/bin/env python3
"""Validates deploy/: systemd units with `systemd-analyze verify` (the ExecStart binary pointed at
the built essnap), Kubernetes manifests parse and have the expected kinds and keys, and the
Prometheus rules' expressions name only metrics essnap exposes. Also what names the container
image: the manifests name REGISTRY/essnap:VERSION (VERSION = kVersion in src/essnap/version.hpp), the
image the user builds from the Dockerfile, and nothing names an image essnap does not build; the
Dockerfile builds the .deb on Debian and installs it on Debian slim; the sample config
(deploy/essnap.yaml) passes `essnap config check`."""
import os, re, shutil, subprocess, sys, tempfile
import yaml

SRC = os.environ.get("ESSNAP_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("ESSNAP_BINARY", "")
DEPLOY = os.path.join(SRC, "deploy")
# Every metric essnap exposes: the essnap_* names in src/essnap/schedule/metrics.cpp.
METRICS = set(re.findall(r'\b(essnap_[a-z_]+)',
                         open(os.path.join(SRC, "src", "essnap", "schedule", "metrics.cpp")).read()))
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
        # The units' Documentation= names man pages: those the build generated (cmake/install.cmake).
        env = dict(os.environ)
        build = os.environ.get("ESSNAP_BUILD_DIR", "")
        if build:
            env["MANPATH"] = os.path.join(build, "generated", "man")
        r = subprocess.run([analyze, "verify", *paths], capture_output=True, text=True, env=env)
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
    job = yaml.safe_load(open(os.path.join(DEPLOY, "kubernetes", "export-from-snapshot-job.yaml")))
    if job.get("kind") != "Job" or job.get("apiVersion") != "batch/v1":
        fail("export-from-snapshot-job.yaml: not a batch/v1 Job")
    if job["spec"].get("completionMode") != "Indexed":
        fail("export-from-snapshot-job.yaml: completionMode must be Indexed")
    if job["spec"].get("completions") != job["spec"].get("parallelism"):
        fail("export-from-snapshot-job.yaml: completions and parallelism must be equal")
    c = job["spec"]["template"]["spec"]["containers"][0]
    cmd = " ".join(c.get("command", []) + c.get("args", []))
    shares = {e["name"]: e.get("value") for e in c.get("env", [])}.get("SHARES")
    if "--from-snapshot" not in cmd or '--shards "$JOB_COMPLETION_INDEX/$SHARES"' not in cmd:
        fail("export-from-snapshot-job.yaml: must run export --from-snapshot --shards $JOB_COMPLETION_INDEX/N")
    if str(shares) != str(job["spec"].get("completions")):
        fail("export-from-snapshot-job.yaml: SHARES must equal completions")

def check_prometheus():
    rules = yaml.safe_load(open(os.path.join(DEPLOY, "prometheus", "essnap-alerts.yaml")))
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    if not any("essnap_policy_healthy == 0" in e for e in exprs):
        fail("alerts: no rule on essnap_policy_healthy == 0")
    if not any("essnap_policy_consecutive_failures" in e for e in exprs):
        fail("alerts: no rule on consecutive failures")
    if not any("essnap_drill_last_success_timestamp_seconds" in e and "8 * 86400" in e
               for e in exprs):
        fail("alerts: no rule for 'no successful drill in 8 days'")
    for e in exprs:
        for name in re.findall(r"\b(essnap_[a-z_]+)", e):
            if name not in METRICS:
                fail(f"alerts: '{name}' in '{e}' is not a metric essnap exposes")

def project_version():
    # The one place the version is written (CMakeLists.txt and the Makefile read it from there).
    text = open(os.path.join(SRC, "src", "essnap", "version.hpp")).read()
    m = re.search(r'kVersion = "([0-9]+\.[0-9]+\.[0-9]+)";', text)
    if not m:
        fail("src/essnap/version.hpp: no kVersion")
        return None
    return m.group(1)

def containers(doc):
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]["containers"]

def check_image():
    version = project_version()
    want = f"REGISTRY/essnap:{version}"
    for name in sorted(os.listdir(os.path.join(DEPLOY, "kubernetes"))):
        if not name.endswith(".yaml"):
            continue
        for doc in yaml.safe_load_all(open(os.path.join(DEPLOY, "kubernetes", name))):
            if not doc or doc.get("kind") not in ("CronJob", "Deployment", "Job"):
                continue
            for c in containers(doc):
                if c.get("image") != want:
                    fail(f"{name}: image {c.get('image')!r}, want {want!r} (the image built from the Dockerfile)")
    # No file may name a published image: only REGISTRY/essnap, the one the user builds.
    published = re.compile(r"\b(ghcr\.io|docker\.io|quay\.io|gcr\.io)/[\w./-]*essnap")
    places = [os.path.join(SRC, p) for p in ("README.md", "Dockerfile") if os.path.exists(os.path.join(SRC, p))]
    for top in ("deploy", "docs"):
        for d, _, files in os.walk(os.path.join(SRC, top)):
            places += [os.path.join(d, f) for f in files]
    for p in places:
        for i, line in enumerate(open(p, errors="replace"), 1):
            if published.search(line):
                fail(f"{os.path.relpath(p, SRC)}:{i}: names an image nobody builds: {line.strip()}")
    path = os.path.join(SRC, "Dockerfile")
    if not os.path.exists(path):
        fail("no Dockerfile: nothing builds the image the manifests name")
        return
    docker = open(path).read()
    froms = re.findall(r"^FROM\s+(\S+)", docker, re.M)
    if len(froms) < 2 or not froms[0].startswith("debian:") or not re.match(r"debian:.*-slim$", froms[-1]):
        fail(f"Dockerfile: want a Debian build stage and a Debian slim runtime, have {froms}")
    if "cpack -G DEB" not in docker or not re.search(r"apt-get install[^\n]*essnap_\*\.deb", docker):
        fail("Dockerfile: the runtime stage must install the .deb built by the first stage")
    readme = open(os.path.join(SRC, "README.md")).read()
    if "REGISTRY/essnap:" not in readme:
        fail("README.md: does not say how the image REGISTRY/essnap:VERSION is built")

def check_sample_config():
    sample = os.path.join(DEPLOY, "essnap.yaml")
    if not BIN:
        print("ESSNAP_BINARY not set: sample config not checked")
        return
    with tempfile.TemporaryDirectory() as tmp:
        # Its password file must exist for the check; the path is the sample's own.
        r = subprocess.run([BIN, "config", "check", sample], capture_output=True, text=True,
                           env={**os.environ, "XDG_CONFIG_HOME": tmp})
    out = (r.stdout + r.stderr).strip()
    if r.returncode != 0:
        fail(f"essnap config check deploy/essnap.yaml: exit {r.returncode}: {out}")
    else:
        print("essnap config check deploy/essnap.yaml: ok")

def check_unit_paths():
    # cmake/install.cmake rewrites this path to <prefix>/bin/essnap when it installs the units.
    for u in ("essnap.service", "essnap-once.service"):
        text = open(os.path.join(DEPLOY, "systemd", u)).read()
        if not re.search(r"^ExecStart=/usr/local/bin/essnap ", text, re.M):
            fail(f"{u}: ExecStart must name /usr/local/bin/essnap (rewritten at install)")

check_systemd()
check_kubernetes()
check_prometheus()
check_image()
check_sample_config()
check_unit_paths()
sys.exit(1 if failures else 0)
