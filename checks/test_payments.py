"""Deposits against a running server: accepting a quote leaves the order waiting for its
deposit, and only a correctly signed, fresh, first-seen and matching webhook moves it on.
Forged, unsigned, stale, replayed and mismatched events are refused and change nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import pytest
import requests

from conftest import Running, base_env, free_port, order_body

SECRET = "checks-payment-webhook-secret-0123456789"
OLD_SECRET = "checks-payment-webhook-secret-previous-9876"


@pytest.fixture(scope="module")
def shop(solar_bin, tmp_root):
    tmp = tmp_root / "payments"
    tmp.mkdir()
    port = free_port()
    env = base_env(tmp, PORT=str(port), PAYMENT_AUTO_CONFIRM="false", PAYMENT_WEBHOOK_SECRETS=f"{SECRET},{OLD_SECRET}")
    running = Running(solar_bin, tmp, env, port)
    running.wait_ready()
    yield running
    running.stop()


def signed(body: bytes, secret: str = SECRET, at: float | None = None) -> dict:
    t = int(at if at is not None else time.time())
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "Solar-Signature": f"t={t},v1={mac}"}


def accepted_order(shop: Running) -> tuple[str, dict]:
    """A customer's order after accept-quote: (token, order)."""
    email = f"pay-{uuid.uuid4().hex[:10]}@example.com"
    r = requests.post(shop.base_url + "/api/v1/auth/signup", timeout=30,
                      json={"email": email, "password": "correct horse battery staple", "name": "Pau", "phone": "+34600333444"})
    assert r.status_code == 202
    token = requests.post(shop.base_url + "/api/v1/auth/login", timeout=30,
                          json={"email": email, "password": "correct horse battery staple"}).json()["accessToken"]
    h = {"Authorization": f"Bearer {token}"}
    order = requests.post(shop.base_url + "/api/v1/orders", json=order_body(), headers=h, timeout=30).json()
    accepted = requests.post(shop.base_url + f"/api/v1/orders/{order['id']}/accept-quote", headers=h, timeout=30)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted", accepted.text
    return token, accepted.json()


def intent_of(shop: Running, order_id: str) -> str:
    """The provider's intent id for the order. The provider knows it; the API does not expose it,
    so the check reads it from the server's database."""
    import sqlite3
    db = sqlite3.connect(str(shop.log_path.parent / "solar.sqlite"))
    try:
        return db.execute("SELECT intent_id FROM payments WHERE order_id = ?", (order_id.lower(),)).fetchone()[0]
    finally:
        db.close()


def event(order: dict, intent: str, **changes) -> bytes:
    deposit = (order["quote"]["totalCents"] * 20 + 99) // 100
    data = {"intentId": intent, "orderId": order["id"], "amountCents": deposit, "currency": order["quote"]["currency"]}
    data.update(changes)
    return json.dumps({"id": f"evt_{uuid.uuid4().hex}", "type": "payment_intent.succeeded", "data": data}).encode()


def status(shop: Running, token: str, order_id: str) -> str:
    return requests.get(shop.base_url + f"/api/v1/orders/{order_id}", headers={"Authorization": f"Bearer {token}"}, timeout=30).json()["status"]


def test_refused_events_change_nothing_and_the_genuine_one_moves_the_order_once(shop):
    token, order = accepted_order(shop)
    intent = intent_of(shop, order["id"])
    hook = shop.base_url + "/api/v1/webhooks/payments"
    genuine = event(order, intent)
    refused = [
        ("forged", genuine, signed(genuine, secret="not-the-secret-" + "x" * 30)),
        ("unsigned", genuine, {"Content-Type": "application/json"}),
        ("stale", genuine, signed(genuine, at=time.time() - 400)),
        ("amount", event(order, intent, amountCents=1), signed(event(order, intent, amountCents=1))),
        ("currency", event(order, intent, currency="USD"), signed(event(order, intent, currency="USD"))),
        ("tampered", genuine.replace(b'"currency"', b'"currency" '), signed(genuine)),
    ]
    for name, body, headers in refused:
        r = requests.post(hook, data=body, headers=headers, timeout=30)
        assert r.status_code == 400, (name, r.status_code, r.text)
        assert r.headers["Content-Type"].startswith("application/problem+json") and name not in r.text
        assert status(shop, token, order["id"]) == "accepted", name

    ok = requests.post(hook, data=genuine, headers=signed(genuine), timeout=30)
    assert ok.status_code == 200 and ok.json() == {"status": "processed"}, ok.text
    assert status(shop, token, order["id"]) == "dispatching"
    replay = requests.post(hook, data=genuine, headers=signed(genuine), timeout=30)
    assert replay.status_code == 409


def test_an_event_signed_with_the_previous_secret_is_accepted_during_rotation(shop):
    token, order = accepted_order(shop)
    body = event(order, intent_of(shop, order["id"]))
    r = requests.post(shop.base_url + "/api/v1/webhooks/payments", data=body, headers=signed(body, secret=OLD_SECRET), timeout=30)
    assert r.status_code == 200, r.text
    assert status(shop, token, order["id"]) == "dispatching"
