"""Logs: one JSON object per line, request ids on request lines, and no secrets or personal data."""

import json
import time

from conftest import order_body, unique, unique_phone


def _wait_for_request_ids(server, ids, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        text = server.read_log()
        if all(i in text for i in ids) or time.monotonic() > deadline:
            return text
        time.sleep(0.1)


def test_logs_are_json_and_free_of_secrets(server, tokens):
    email = f"{unique('logprobe')}@example.com"
    password = f"Sup3r-{unique('secret')}-pw"
    wrong_password = f"Wr0ng-{unique('guess')}-pw"
    phone = unique_phone()
    name = f"Logname {unique('N')}"
    street = f"Calle {unique('Privada')} 99"

    request_ids = []

    def track(r):
        rid = r.headers.get("X-Request-ID")
        assert rid
        request_ids.append(rid)
        return r

    r = track(server.post("/api/v1/auth/signup", json={"email": email, "password": password, "name": name, "phone": phone}))
    assert r.status_code == 202
    r = track(server.post("/api/v1/auth/login", json={"email": email, "password": wrong_password}))
    assert r.status_code == 401
    r = track(server.post("/api/v1/auth/login", json={"email": email, "password": password}))
    assert r.status_code == 200
    token = r.json()["accessToken"]
    body = order_body()
    body["address"] = dict(body["address"], line1=street)
    r = track(server.post("/api/v1/orders", json=body, headers={"Authorization": f"Bearer {token}"}))
    assert r.status_code == 201
    # Personal data in a search body must not reach the log either.
    r = track(server.post("/api/v1/staff/customer-search", json={"query": email}, token=tokens["support"]))
    assert r.status_code == 200 and len(r.json()["items"]) == 1
    # A rejected token must not be logged.
    bogus = "Z" * 43
    track(server.get("/api/v1/me", headers={"Authorization": f"Bearer {bogus}"}))

    text = _wait_for_request_ids(server, request_ids)

    lines = [line for line in text.splitlines() if line.strip()]
    assert lines, "the server wrote no log"
    records = []
    for n, line in enumerate(lines, start=1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            raise AssertionError(f"log line {n} is not JSON: {line[:300]!r}")
        assert isinstance(obj, dict), f"log line {n} is not a JSON object: {line[:300]!r}"
        records.append(obj)

    request_lines = [r for r in records if r.get("msg") == "request"]
    assert request_lines, "no request lines in the log"
    for rec in request_lines:
        assert rec.get("request_id"), f"request line without request_id: {rec}"
        assert "?" not in rec.get("path", ""), f"query string logged: {rec}"
    logged_ids = {rec.get("request_id") for rec in request_lines}
    for rid in request_ids:
        assert rid in logged_ids, f"request {rid} was not logged"

    lowered = text.lower()
    secrets = {
        "password": password, "wrong password": wrong_password, "token": token, "rejected token": bogus,
        "email": email, "phone": phone, "phone digits": phone.lstrip("+"), "name": name, "street address": street,
    }
    for label, value in secrets.items():
        assert value.lower() not in lowered, f"the log contains the {label} ({value!r})"
