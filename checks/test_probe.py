"""`solar audit probe` against a live server: it passes against the real server, and fails
against a test build with a control switched off (SOLAR_TEST_WEAKEN, honoured only by debug
builds in ENVIRONMENT=test)."""

from __future__ import annotations

import json

from conftest import launch, run_cli


def probe(srv, tmp, name: str, *extra: str):
    out_json, out_html = tmp / f"{name}.json", tmp / f"{name}.html"
    r = run_cli(srv.binary, ["audit", "probe", "--target", srv.base_url, "--json", str(out_json), "--html", str(out_html), *extra],
                {"PATH": "/usr/bin:/bin"}, timeout=180)
    report = json.loads(out_json.read_text(encoding="utf-8"))
    return r, report, out_html.read_text(encoding="utf-8")


def test_probe_passes_against_the_server(server, tmp_root):
    r, report, html = probe(server, tmp_root, "probe")
    assert r.returncode == 0, r.stdout + r.stderr
    checks = report["checks"]
    failed = [c for c in checks if c["outcome"] == "fail"]
    assert not failed, failed
    categories = {c["category"] for c in checks}
    assert categories == {f"A{n:02d}" for n in range(1, 11)}, categories
    assert sum(c["outcome"] == "pass" for c in checks) >= 25, r.stdout
    names = " ".join(c["name"] for c in checks)
    for must in ("every non-public operation needs a session", "staff, admin and installer", "another customer's order",
                 "CSRF token", "throttled", "security headers"):
        assert must in names, must
    assert "<script" not in html and "OWASP Top 10" in html
    assert "A01 Broken Access Control" in r.stdout


def test_probe_logs_in_where_new_devices_get_an_emailed_code(solar_bin, tmp_root):
    """As production runs: customers' first login from a device needs the emailed code. The probe
    reads it from a local server's mail directory, and says why it stops without one."""
    srv, running = launch(solar_bin, tmp_root / "emailed", roles=("installer",), NEW_DEVICE_EMAIL_CODE="true")
    try:
        blind, _, _ = probe(srv, tmp_root, "emailed-blind")
        runs = [probe(srv, tmp_root, "emailed", "--mail-dir", str(srv.tmp / "mail"))]
        # A deployment's test mailbox, read by a command the operator gives (here: the same spool).
        reader = ("python3 -c 'import glob,json,os,re;m=[json.load(open(p)) for p in sorted(glob.glob(\"%s/*.json\"))];"
                  "c=[re.search(\"code is: ([0-9]{6})\",x[\"body\"]).group(1) for x in m if x[\"to\"]==os.environ[\"PROBE_EMAIL\"] "
                  "and \"login code\" in x[\"subject\"]];print(c[-1] if c else \"\")'") % (srv.tmp / "mail")
        runs.append(probe(srv, tmp_root, "emailed-command", "--login-code-command", reader))
    finally:
        running.stop()
    assert blind.returncode == 1 and "--mail-dir" in blind.stdout, blind.stdout
    for r, report, _ in runs:
        assert r.returncode == 0, r.stdout + r.stderr
        assert not [c for c in report["checks"] if c["outcome"] == "fail"]
        assert sum(c["outcome"] == "pass" for c in report["checks"]) >= 25, r.stdout


def test_probe_fails_against_a_weakened_build(solar_bin, tmp_root):
    srv, running = launch(solar_bin, tmp_root / "weakened", roles=("installer",), SOLAR_TEST_WEAKEN="security-headers")
    try:
        r, report, _ = probe(srv, tmp_root, "weakened")
    finally:
        running.stop()
    assert r.returncode == 1, r.stdout
    failed = {c["name"] for c in report["checks"] if c["outcome"] == "fail"}
    assert "security headers on a web page" in failed and "security headers on an API error" in failed, failed


def test_outside_the_test_environment_the_weakening_switch_refuses_to_start(solar_bin, tmp_root):
    # Production and release builds refuse it too: ConfigTests.weakeningOnlyInTests (production)
    # and the `#else` branch in AppConfig+environment.swift (release builds never read it).
    from conftest import base_env
    env = base_env(tmp_root, ENVIRONMENT="development", SOLAR_TEST_WEAKEN="security-headers")
    r = run_cli(solar_bin, ["migrate"], env)
    assert r.returncode != 0 and "SOLAR_TEST_WEAKEN" in r.stdout + r.stderr
