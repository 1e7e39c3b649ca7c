"""Protection of customer data against a running server: masked support search with
reveal-with-reason, the engineers' break-glass with the two-person rule, and key rotation."""

import base64
import os
import uuid

from conftest import Running, base_env, enroll_totp, launch, order_body, run_cli
from helpers import assert_problem

REASON = {"reason": "Customer called about the installation date", "ticket": "SUP-1042"}


def _customer_with_order(server):
    cred, token = server.new_customer()
    street = f"Calle Reservada {uuid.uuid4().hex[:8]}"
    body = order_body()
    body["address"] = dict(body["address"], line1=street)
    r = server.post("/api/v1/orders", token=token, json=body)
    assert r.status_code == 201, r.text
    return cred, token, street


def _audit(server, action):
    r = server.get("/api/v1/staff/audit-events?limit=100", token=server.token("admin"))
    assert r.status_code == 200, r.text
    return [e for e in r.json()["items"] if e["action"] == action]


def test_support_sees_masked_data_and_reveals_only_with_a_reason(server):
    cred, _, street = _customer_with_order(server)
    support = server.token("support")
    found = server.post("/api/v1/staff/customer-search", token=support, json={"query": cred.email})
    assert found.status_code == 200, found.text
    [match] = found.json()["items"]
    for secret in (cred.email, cred.phone, cred.name, street):
        assert secret not in found.text, f"search shows {secret!r} unmasked"
    assert match["phone"].endswith(cred.phone[-3:]) and "*" in match["phone"] and "*" in match["name"]
    detail = server.get(f"/api/v1/staff/customers/{cred.id}", token=support)
    assert detail.status_code == 200 and street not in detail.text and cred.phone not in detail.text

    reveal = f"/api/v1/staff/customers/{cred.id}/reveal"
    before = len(_audit(server, "pii.reveal"))
    assert_problem(server.post(reveal, token=support, json={}), 422)
    assert_problem(server.post(reveal, token=support, json={"reason": "because"}), 422)
    assert len(_audit(server, "pii.reveal")) == before, "a refused reveal must not look like a reveal"
    assert_problem(server.post(reveal, token=server.token("sales"), json=REASON), 403)

    shown = server.post(reveal, token=support, json=REASON)
    assert shown.status_code == 200, shown.text
    assert shown.json()["phone"] == cred.phone and street in shown.text
    events = [e for e in _audit(server, "pii.reveal") if e.get("targetId", "").lower() == cred.id.lower()]
    assert len(events) == 1, events
    assert cred.phone not in str(events) and street not in str(events), "the audit trail must not copy the data"


def test_engineer_needs_a_grant_approved_by_someone_else(server):
    engineer = server.create_account("engineer")
    enroll_totp(server, engineer)
    token = server.login(engineer.email, engineer.password)
    search, query = "/api/v1/staff/customer-search", {"query": "someone@example.com"}
    assert_problem(server.post(search, token=token, json=query), 403)

    asked = server.post("/api/v1/staff/break-glass", token=token,
                        json={"reason": "INC-2211 customer cannot see their order", "durationMinutes": 5})
    assert asked.status_code == 201, asked.text
    grant = asked.json()["id"]
    assert_problem(server.post(f"/api/v1/staff/break-glass/{grant}/approve", token=token), 403)  # never self-approval
    assert_problem(server.post(search, token=token, json=query), 403)

    approved = server.post(f"/api/v1/staff/break-glass/{grant}/approve", token=server.token("admin"))
    assert approved.status_code == 200, approved.text
    assert server.post(search, token=token, json=query).status_code == 200
    actions = [e for e in _audit(server, "security.break_glass.action") if e.get("actorId", "").lower() == engineer.id.lower()]
    assert actions, "every request under a grant is audited as a security event"
    assert_problem(server.post(f"/api/v1/staff/break-glass/{grant}/approve", token=server.token("admin")), 403)


def test_key_rotation_re_encrypts_every_row_and_the_old_key_can_go(solar_bin, tmp_root):
    old = "old1:" + base64.b64encode(os.urandom(32)).decode()
    new = "new1:" + base64.b64encode(os.urandom(32)).decode()
    srv, running = launch(solar_bin, tmp_root / "rotation", roles=("installer",), ENCRYPTION_KEYS=old)
    cred, token, street = _customer_with_order(srv)
    order_id = srv.get("/api/v1/orders", token=token).json()["items"][0]["id"]
    assert running.stop() == 0

    def raw():
        return b"".join(p.read_bytes() for p in srv.tmp.glob("solar.sqlite*"))

    assert b"v1:old1:" in raw()
    env = base_env(srv.tmp, PORT=str(srv.port), ENCRYPTION_KEYS=f"{new},{old}")
    rotated = run_cli(srv.binary, ["keys", "rotate", "--batch", "2"], env, timeout=120)
    assert rotated.returncode == 0, rotated.stdout + rotated.stderr
    assert "every protected field uses key new1" in rotated.stdout
    data = raw()
    assert b"v1:old1:" not in data and b"v1:new1:" in data

    # The old key is gone from the configuration and everything still reads.
    restarted = Running(srv.binary, srv.tmp, base_env(srv.tmp, PORT=str(srv.port), ENCRYPTION_KEYS=new), srv.port)
    try:
        restarted.wait_ready()
        token = srv.login(cred.email, cred.password)
        order = srv.get(f"/api/v1/orders/{order_id}", token=token)
        assert order.status_code == 200 and order.json()["address"]["line1"] == street
        assert srv.get("/api/v1/me", token=token).json()["phone"] == cred.phone
    finally:
        restarted.stop()
