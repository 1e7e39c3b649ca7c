"""Security monitoring against a running server: Prometheus counters on the internal metrics
port only, and the scheduled audit-chain verification noticing a direct database edit."""

import re
import sqlite3
import time

import requests

from conftest import launch


def _metrics(srv) -> str:
    r = requests.get(f"http://127.0.0.1:{srv.metrics_port}/metrics", timeout=10)
    assert r.status_code == 200
    return r.text


def _value(text: str, name: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if re.match(rf"^{name}(\{{.*\}})? ", line):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_are_internal_and_count_login_failures(server):
    public = server.get("/metrics")  # never on the public port (a web 404 page there)
    assert public.status_code == 404 and "solar_" not in public.text
    before = _value(_metrics(server), "solar_login_failures_total")
    cred = server.signup_customer()
    server.post("/api/v1/auth/login", json={"email": cred.email, "password": "not-the-password-at-all"})
    text = _metrics(server)
    assert _value(text, "solar_login_failures_total") == before + 1
    assert cred.email not in text and cred.id not in text  # labels carry no customer data
    assert _value(text, "solar_audit_chain_intact") == 1


def test_scheduled_verification_notices_an_edited_audit_entry(solar_bin, tmp_root):
    srv, running = launch(solar_bin, tmp_root / "audit-monitor", roles=("installer",), AUDIT_VERIFY_SECONDS="10")
    try:
        for _ in range(3):
            srv.new_customer()
        assert _value(_metrics(srv), "solar_audit_chain_intact") == 1
        db = sqlite3.connect(srv.tmp / "solar.sqlite")
        db.execute("DROP TRIGGER audit_events_no_update")
        target = db.execute("SELECT seq FROM audit_events ORDER BY seq LIMIT 1 OFFSET 2").fetchone()[0]
        db.execute("UPDATE audit_events SET detail = 'nothing happened' WHERE seq = ?", (target,))
        db.commit()
        db.close()
        deadline = time.monotonic() + 30
        while _value(_metrics(srv), "solar_audit_chain_intact") != 0:
            assert time.monotonic() < deadline, "the scheduled check did not notice the edit"
            time.sleep(1)
        log = srv.read_log()
        assert "audit chain broken" in log and f'"seq":"{target}"' in log.replace(" ", "")
    finally:
        running.stop()
