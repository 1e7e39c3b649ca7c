"""The deployment, checked like code: both kustomize overlays are rendered and every pod spec must
meet the restricted profile, the production image must be pinned by digest, a default-deny
NetworkPolicy must select every pod, and checkov and kubernetes-validate must pass on deploy/ and
on the rendered output. The image's Dockerfile and build context are checked statically (no
Docker engine here)."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

DEPLOY = REPO / "deploy"
OVERLAYS = ("staging", "production")
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
BIN = Path(sys.executable).parent
# The EKS version the manifests are validated against (docs/deployment.md).
KUBERNETES_VERSION = "1.34"


# --------------------------------------------------------------------------- rendering


def _load(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def render_without_kubectl(directory: Path) -> list[dict]:
    """The subset of kustomize the overlays use: resources, namespace, labels (metadata only),
    images (by name, with newName and digest), strategic-merge patches of ConfigMap data and
    JSON 6902 `replace` patches. Checked against `kubectl kustomize` where kubectl exists."""
    k = yaml.safe_load((directory / "kustomization.yaml").read_text())
    docs: list[dict] = []
    for r in k.get("resources", []):
        p = directory / r
        docs += render_without_kubectl(p) if p.is_dir() else _load(p)
    for doc in docs:
        meta = doc["metadata"]
        if "namespace" in k and doc["kind"] != "Namespace":
            meta["namespace"] = k["namespace"]
        for group in k.get("labels", []):
            assert not group.get("includeSelectors") and not group.get("includeTemplates"), group
            meta.setdefault("labels", {}).update(group["pairs"])
    for patch in k.get("patches", []):
        if "path" in patch:
            for p in _load(directory / patch["path"]):
                for doc in docs:
                    if doc["kind"] == p["kind"] and doc["metadata"]["name"] == p["metadata"]["name"]:
                        doc.setdefault("data", {}).update(p.get("data", {}))
            continue
        target = patch["target"]
        for doc in docs:
            if doc["kind"] == target["kind"] and doc["metadata"]["name"] == target.get("name", doc["metadata"]["name"]):
                for op in yaml.safe_load(patch["patch"]):
                    assert op["op"] == "replace", op
                    *parents, last = [s.replace("~1", "/").replace("~0", "~") for s in op["path"].split("/")[1:]]
                    node = doc
                    for s in parents:
                        node = node[int(s)] if isinstance(node, list) else node[s]
                    node[int(last) if isinstance(node, list) else last] = op["value"]
    for image in k.get("images", []):
        for spec in pod_specs(docs):
            for c in spec["containers"]:
                name, at, digest = c["image"].partition("@")
                if name.split(":")[0] == image["name"]:
                    c["image"] = image.get("newName", image["name"]) + "@" + image.get("digest", digest)
    return docs


def render(overlay: str) -> list[dict]:
    directory = DEPLOY / "k8s" / "overlays" / overlay
    if shutil.which("kubectl"):
        out = subprocess.run(["kubectl", "kustomize", str(directory)], capture_output=True, text=True, check=True).stdout
        return [d for d in yaml.safe_load_all(out) if d]
    return render_without_kubectl(directory)


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request, tmp_path_factory):
    docs = render(request.param)
    path = tmp_path_factory.mktemp(f"render-{request.param}") / f"{request.param}.yaml"
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return request.param, docs, path


def pod_specs(docs: list[dict]):
    for d in docs:
        if d["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
            yield d["spec"]["template"]["spec"]
        elif d["kind"] == "CronJob":
            yield d["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        elif d["kind"] == "Pod":
            yield d["spec"]


def pod_templates(docs: list[dict]):
    for d in docs:
        if d["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
            yield d, d["spec"]["template"]


def one(docs, kind, name=None):
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


# --------------------------------------------------------------------------- rendered manifests


@pytest.mark.skipif(not shutil.which("kubectl"), reason="kubectl not installed: nothing to compare the fallback with")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_fallback_renderer_agrees_with_kubectl(overlay):
    directory = DEPLOY / "k8s" / "overlays" / overlay
    key = lambda d: (d["kind"], d["metadata"]["name"])  # noqa: E731
    assert sorted(render_without_kubectl(directory), key=key) == sorted(render(overlay), key=key)


def test_every_pod_meets_the_restricted_profile(rendered):
    _, docs, _ = rendered
    specs = list(pod_specs(docs))
    assert len(specs) >= 2  # the server and the migration Job
    for spec in specs:
        ctx = spec["securityContext"]
        assert ctx["runAsNonRoot"] is True
        assert ctx["runAsUser"] >= 10000 and ctx["runAsGroup"] >= 10000
        assert ctx["seccompProfile"]["type"] == "RuntimeDefault"
        assert spec["automountServiceAccountToken"] is False
        assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC")
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        assert not any("hostPath" in v for v in volumes.values())
        for c in spec["containers"] + spec.get("initContainers", []):
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["readOnlyRootFilesystem"] is True
            assert sc["capabilities"]["drop"] == ["ALL"] and not sc["capabilities"].get("add")
            assert sc.get("privileged", False) is False
            assert sc.get("runAsNonRoot", True) is True
            res = c["resources"]
            assert {"cpu", "memory"} <= set(res["requests"]) and {"cpu", "memory"} <= set(res["limits"])
            # A read-only root needs somewhere to write: /tmp is an emptyDir.
            tmp = [m for m in c["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert tmp and "emptyDir" in volumes[tmp[0]["name"]]
            for m in c["volumeMounts"]:
                if "secret" in volumes[m["name"]]:
                    assert m.get("readOnly") is True


def test_the_namespace_enforces_the_restricted_pod_security_standard(rendered):
    _, docs, _ = rendered
    labels = one(docs, "Namespace")["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {"solar"}


def test_images_are_pinned_by_digest(rendered):
    overlay, docs, _ = rendered
    images = [c["image"] for s in pod_specs(docs) for c in s["containers"]]
    assert images and all(DIGEST.search(i) for i in images), images
    assert all(".dkr.ecr." in i for i in images)
    # The overlay pins the digest itself (the base's is only a placeholder).
    k = yaml.safe_load((DEPLOY / "k8s" / "overlays" / overlay / "kustomization.yaml").read_text())
    pins = [i for i in k["images"] if i["name"] == "solar"]
    assert pins and re.fullmatch(r"sha256:[0-9a-f]{64}", pins[0].get("digest", "")), pins
    assert {i.rpartition("@")[2] for i in images} == {pins[0]["digest"]}


def test_the_server_is_replicated_probed_and_drains(rendered):
    _, docs, _ = rendered
    deploy = one(docs, "Deployment", "solar")
    assert deploy["spec"]["replicas"] >= 2
    spec = deploy["spec"]["template"]["spec"]
    assert any(t["topologyKey"] == "topology.kubernetes.io/zone" and t["whenUnsatisfiable"] == "DoNotSchedule"
               for t in spec["topologySpreadConstraints"])
    c = spec["containers"][0]
    assert c["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert c["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    pause = int(c["lifecycle"]["preStop"]["exec"]["command"][-1])
    assert spec["terminationGracePeriodSeconds"] >= pause + 20
    assert one(docs, "HorizontalPodAutoscaler")["spec"]["minReplicas"] >= 2
    assert one(docs, "PodDisruptionBudget")["spec"]["minAvailable"] >= 1
    env = {e["name"]: e["value"] for e in c["env"]}
    config = one(docs, "ConfigMap", "solar-config")["data"]
    assert config["ENVIRONMENT"] == "production" and config["AUTO_MIGRATE"] == "false"
    assert config["DATABASE_URL"].startswith("mysql://") and config["DATABASE_TLS"] == "verify-identity"
    assert config["PUBLIC_ORIGIN"].startswith("https://")
    assert config["SMTP_HOST"] and config["SMTP_TLS"] in ("starttls", "tls") and "MAIL_DIRECTORY" not in config
    for key in ("DATABASE_PASSWORD", "ENCRYPTION_KEYS", "AUDIT_KEY", "BLIND_INDEX_KEY", "SMTP_USERNAME", "SMTP_PASSWORD", "PAYMENT_WEBHOOK_SECRETS"):
        assert env[key + "_FILE"].startswith("/var/run/secrets/solar/")


def test_a_default_deny_policy_selects_every_pod_and_flows_are_narrow(rendered):
    _, docs, _ = rendered
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    deny = [p for p in policies if p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress") and not p["spec"].get("egress")]
    assert deny, "no default-deny NetworkPolicy for ingress and egress"

    def selects(policy, labels):
        wanted = policy["spec"]["podSelector"].get("matchLabels", {})
        return all(labels.get(k) == v for k, v in wanted.items())

    for _, template in pod_templates(docs):
        labels = template["metadata"]["labels"]
        assert any(selects(p, labels) for p in deny)
    server = {"app.kubernetes.io/name": "solar", "app.kubernetes.io/component": "server"}
    ingress = [r for p in policies if selects(p, server) and p["spec"]["podSelector"] for r in p["spec"].get("ingress", [])]
    by_port = {port["port"]: r["from"] for r in ingress for port in r["ports"]}
    assert set(by_port) == {8080, 9091}
    assert all("ipBlock" in f for f in by_port[8080])
    assert by_port[9091] and all(f["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "monitoring"}
                                 for f in by_port[9091])
    egress = [r for p in policies if selects(p, server) and p["spec"]["podSelector"] for r in p["spec"].get("egress", [])]
    for rule in egress:
        for peer in rule["to"]:
            block = peer.get("ipBlock")
            if block and block["cidr"] == "0.0.0.0/0":
                # The open internet only for HTTPS and SMTP submission, never the metadata service or the VPC.
                assert {"169.254.0.0/16", "10.0.0.0/8"} <= set(block["except"])
                assert {p["port"] for p in rule["ports"]} <= {443, 587}


def test_secrets_come_from_the_secrets_manager_and_never_from_git(rendered):
    _, docs, _ = rendered
    assert not [d for d in docs if d["kind"] == "Secret"]
    for cm in (d for d in docs if d["kind"] == "ConfigMap"):
        for key in cm.get("data", {}):
            assert not re.search(r"PASSWORD|KEYS?$|SECRET|TOKEN", key), f"{key} belongs in a Secret"
    app = one(docs, "ExternalSecret", "solar-app")
    assert {d["secretKey"] for d in app["spec"]["data"]} == {"database-password", "encryption-keys", "audit-key", "blind-index-key",
                                                             "smtp-username", "smtp-password", "payment-webhook-secrets"}
    migrate = one(docs, "ExternalSecret", "solar-migrate")
    assert "database-password" not in {d["secretKey"] for d in migrate["spec"]["data"]}
    for sa in (d for d in docs if d["kind"] == "ServiceAccount"):
        assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith("arn:aws:iam::")
        assert sa["automountServiceAccountToken"] is False
    job = one(docs, "Job", "solar-migrate")
    assert job["spec"]["template"]["spec"]["serviceAccountName"] == "solar-migrate"
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]


def test_the_ingress_is_https_only_behind_the_waf(rendered):
    overlay, docs, _ = rendered
    a = one(docs, "Ingress")["metadata"]["annotations"]
    # One listener, HTTPS on 443: nothing answers plain HTTP (test_plain_http_api_calls_are_refused_not_redirected).
    assert json.loads(a["alb.ingress.kubernetes.io/listen-ports"]) == [{"HTTPS": 443}]
    assert a["alb.ingress.kubernetes.io/ssl-policy"] == TLS_POLICY
    assert a["alb.ingress.kubernetes.io/wafv2-acl-arn"].startswith("arn:aws:wafv2:") and "REPLACE" not in a["alb.ingress.kubernetes.io/wafv2-acl-arn"]
    assert "REPLACE" not in a["alb.ingress.kubernetes.io/certificate-arn"]
    attributes = lb_attributes(a)
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["deletion_protection.enabled"] == "true"


# The ALB's TLS policy (ASVS V12.1.2): TLS 1.3, and TLS 1.2 with ECDHE and AES-GCM only, no CBC
# suites. Checked by name: `aws elbv2 describe-ssl-policies --names <policy>` lists the suites.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
# Policies that offer only AEAD suites with forward secrecy: the restricted TLS 1.2+1.3 policy and
# the TLS 1.3-only one. The non-restricted TLS13-1-2-2021-06 (it keeps CBC suites for TLS 1.2) is not.
AEAD_ONLY_TLS_POLICIES = {"ELBSecurityPolicy-TLS13-1-2-Res-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06"}


def test_the_tls_policy_offers_only_aead_suites(rendered):
    _, docs, _ = rendered
    for ingress in (d for d in docs if d["kind"] == "Ingress"):
        policy = ingress["metadata"]["annotations"].get("alb.ingress.kubernetes.io/ssl-policy")
        assert policy in AEAD_ONLY_TLS_POLICIES, f"{ingress['metadata']['name']}: {policy} is not an AEAD-only policy"


def lb_attributes(annotations: dict) -> dict[str, str]:
    text = annotations.get("alb.ingress.kubernetes.io/load-balancer-attributes", "")
    return dict(item.strip().split("=", 1) for item in text.split(",") if item.strip())


# ----------------------------------------------------------- plain HTTP (ASVS V4.1.2)

# A path every API client calls; what the ALB does with it over plain HTTP is what is checked.
API_PROBE_PATH = "/api/v1/me"


def _listen_ports(annotations: dict) -> list[dict]:
    text = annotations.get("alb.ingress.kubernetes.io/listen-ports")
    if text:
        return json.loads(text)
    # The controller's default: HTTPS 443 with a certificate, otherwise HTTP 80.
    return [{"HTTPS": 443}] if "alb.ingress.kubernetes.io/certificate-arn" in annotations else [{"HTTP": 80}]


def _path_matches(path: dict, target: str) -> bool:
    kind, pattern = path.get("pathType", "ImplementationSpecific"), path.get("path", "/")
    if kind == "Exact":
        return target == pattern
    if kind == "Prefix":
        parts = [s for s in pattern.split("/") if s]
        return [s for s in target.split("/") if s][: len(parts)] == parts
    return target.startswith(pattern.rstrip("*"))  # ImplementationSpecific: ALB wildcards


def plain_http_api_problems(docs: list[dict]) -> list[str]:
    """What the ALB would do with `GET /api/...` sent over plain HTTP, as a list of problems: a
    redirect to HTTPS (the `ssl-redirect` annotation makes every HTTP listener of the whole
    IngressGroup a blanket redirect, or a redirect action on the path), or forwarding to the pods.
    A listener only on HTTPS, or an HTTP listener whose API paths get a 4xx fixed response (a
    separate Ingress in an IngressGroup), passes."""
    problems = []
    for ingress in (d for d in docs if d["kind"] == "Ingress"):
        name, a = ingress["metadata"]["name"], ingress["metadata"].get("annotations") or {}
        if "alb.ingress.kubernetes.io/ssl-redirect" in a:
            # The HTTP listeners then only redirect; the rules below are not applied to them.
            problems.append(f"{name}: ssl-redirect redirects every plain-HTTP request, {API_PROBE_PATH} included")
            continue
        if not any("HTTP" in port for port in _listen_ports(a)):
            continue
        spec = ingress["spec"]
        paths = [p for r in spec.get("rules", []) for p in (r.get("http") or {}).get("paths", []) if _path_matches(p, API_PROBE_PATH)]
        chosen = max(paths, key=lambda p: len(p.get("path", "")), default=None)
        backend = (chosen or {}).get("backend") or spec.get("defaultBackend")
        service = (backend or {}).get("service")
        if service is None:
            continue  # the listener's own default: 404, nothing forwarded
        if service.get("port", {}).get("name") != "use-annotation":
            problems.append(f"{name}: {API_PROBE_PATH} over plain HTTP is forwarded to {service['name']}")
            continue
        action = {k.lower(): v for k, v in json.loads(a.get(f"alb.ingress.kubernetes.io/actions.{service['name']}", "{}")).items()}
        status = str((action.get("fixedresponseconfig") or {}).get("statusCode", ""))
        if action.get("type") != "fixed-response" or not status.startswith("4"):
            problems.append(f"{name}: {API_PROBE_PATH} over plain HTTP gets a {action.get('type')} action, not a 4xx fixed response")
    return problems


def test_plain_http_api_calls_are_refused_not_redirected(rendered):
    _, docs, _ = rendered
    assert [d for d in docs if d["kind"] == "Ingress"], "no Ingress rendered"
    assert plain_http_api_problems(docs) == []


def test_the_plain_http_check_notices_a_redirect_or_a_forward():
    """The rule above, on broken copies of the base Ingress: each must be reported."""
    base = _load(DEPLOY / "k8s" / "base" / "ingress.yaml")
    assert plain_http_api_problems(base) == []

    def broken(change) -> list[dict]:
        docs = copy.deepcopy(base)
        change(one(docs, "Ingress")["metadata"]["annotations"], one(docs, "Ingress")["spec"])
        return docs

    def old_redirect(a, _):  # what the base had before: port 80 redirected everything
        a["alb.ingress.kubernetes.io/listen-ports"] = '[{"HTTP": 80}, {"HTTPS": 443}]'
        a["alb.ingress.kubernetes.io/ssl-redirect"] = "443"

    def plain_forward(a, _):  # port 80 serving the app in clear
        a["alb.ingress.kubernetes.io/listen-ports"] = '[{"HTTP": 80}, {"HTTPS": 443}]'

    def redirect_action(a, spec):  # a per-path redirect action that covers /api/
        a["alb.ingress.kubernetes.io/listen-ports"] = '[{"HTTP": 80}]'
        a["alb.ingress.kubernetes.io/actions.to-https"] = json.dumps(
            {"type": "redirect", "redirectConfig": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}})
        spec["rules"][0]["http"]["paths"].insert(0, {"path": "/api", "pathType": "Prefix",
                                                     "backend": {"service": {"name": "to-https", "port": {"name": "use-annotation"}}}})

    for change in (old_redirect, plain_forward, redirect_action):
        assert plain_http_api_problems(broken(change)), change.__name__

    def refused(a, spec):  # what an HTTP-only Ingress of an IngressGroup may do: 4xx for the API
        a["alb.ingress.kubernetes.io/listen-ports"] = '[{"HTTP": 80}]'
        a["alb.ingress.kubernetes.io/actions.https-required"] = json.dumps(
            {"type": "fixed-response", "fixedResponseConfig": {"contentType": "text/plain", "statusCode": "403", "messageBody": "HTTPS required"}})
        spec["rules"][0]["http"]["paths"] = [{"path": "/api", "pathType": "Prefix",
                                              "backend": {"service": {"name": "https-required", "port": {"name": "use-annotation"}}}}]

    assert plain_http_api_problems(broken(refused)) == []


def test_the_load_balancer_keeps_access_logs(rendered):
    overlay, docs, _ = rendered
    attributes = lb_attributes(one(docs, "Ingress")["metadata"]["annotations"])
    assert attributes["access_logs.s3.enabled"] == "true"
    bucket = attributes["access_logs.s3.bucket"]
    assert overlay in bucket and "REPLACE" not in bucket and re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket), bucket
    assert attributes.get("access_logs.s3.prefix") and "AWSLogs" not in attributes["access_logs.s3.prefix"]


def test_alerts_sum_counters_across_replicas(rendered):
    _, docs, _ = rendered
    rules = [r for g in one(docs, "PrometheusRule")["spec"]["groups"] for r in g["rules"]]
    assert rules
    for r in rules:
        assert not re.search(r"\bmax\s+by\b", r["expr"]), r["expr"]
    assert one(docs, "ServiceMonitor")["spec"]["endpoints"][0]["port"] == "metrics"


def test_kubernetes_validate_strict_passes(rendered):
    _, _, path = rendered
    r = subprocess.run([str(BIN / "kubernetes-validate"), "--strict", "--quiet", "-k", KUBERNETES_VERSION, str(path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    # Custom resources (External Secrets, Prometheus Operator) have no bundled schema; every
    # built-in kind must have been validated.
    unknown = {m for m in re.findall(r"schema for kind (\w+)", r.stdout + r.stderr)}
    assert unknown <= {"ExternalSecret", "SecretStore", "PrometheusRule", "ServiceMonitor"}, unknown


# --------------------------------------------------------------------------- checkov


def checkov(*args: str) -> dict:
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false", LOG_LEVEL="ERROR")
    r = subprocess.run([str(BIN / "checkov"), "--skip-download", "--output", "json", "--compact", *args],
                       capture_output=True, text=True, env=env, timeout=300)
    reports = json.loads(r.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [(rep["check_type"], f["check_id"], f["resource"], f["file_path"])
              for rep in reports for f in rep["results"]["failed_checks"]]
    passed = sum(rep["summary"]["passed"] for rep in reports)
    assert not failed, failed
    assert passed > 0, "checkov checked nothing"
    return {rep["check_type"]: rep["summary"] for rep in reports}


def test_checkov_passes_on_deploy():
    summary = checkov("-d", str(DEPLOY), "--framework", "kubernetes", "dockerfile", "secrets")
    assert summary["dockerfile"]["passed"] > 0 and summary["kubernetes"]["passed"] > 0


def test_checkov_passes_on_the_rendered_overlay(rendered):
    _, _, path = rendered
    summary = checkov("-f", str(path), "--framework", "kubernetes")
    assert summary["kubernetes"]["passed"] > 50


# --------------------------------------------------------------------------- image


def test_the_image_is_slim_pinned_and_runs_as_a_numeric_non_root_user():
    text = (DEPLOY / "Dockerfile").read_text()
    froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert len(froms) >= 2, "a multi-stage build"
    for image in froms:
        name, _, digest = image.partition("@")
        assert ":" in name and not name.endswith(":latest") and re.fullmatch(r"sha256:[0-9a-f]{64}", digest), image
    runtime = text[text.rindex("\nFROM "):]
    assert "debian:bookworm-slim@" in runtime and "swift" not in runtime.split("\n")[1]
    user = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    assert user and all(int(part) >= 10000 for part in user[-1].split(":"))
    entry = re.findall(r"^ENTRYPOINT\s+(.+)$", runtime, re.M)
    assert entry and isinstance(json.loads(entry[-1]), list), "exec-form entrypoint"
    for lib in ("libargon2-1", "libmariadb3", "libsqlite3-0"):
        assert lib in runtime


def test_the_build_context_holds_only_the_sources():
    rules = [l.strip() for l in (REPO / ".dockerignore").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert rules[0] == "*", "everything is excluded first"
    included = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    assert included <= {"Package.swift", "openapi.yaml", "Sources"}, included
    copied = re.findall(r"^COPY\s+(?!--from)(\S+)", (DEPLOY / "Dockerfile").read_text(), re.M)
    assert {c.rstrip("/") for c in copied} <= included
    # Nothing secret or generated lives under the directories the context keeps.
    tracked = subprocess.run(["git", "ls-files", "Sources"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    assert not [f for f in tracked if re.search(r"\.(sqlite\w*|db|key|keys|pem)$", f)]
