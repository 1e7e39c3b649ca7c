"""Security headers on every kind of response: API success, API errors and health."""

import re
import uuid

import pytest

from helpers import assert_problem

API_CSP = "default-src 'none'; frame-ancestors 'none'"


def assert_security_headers(r):
    h = r.headers
    where = f"{r.request.method} {r.request.path_url} -> {r.status_code}"
    hsts = h.get("Strict-Transport-Security")
    assert hsts, f"{where}: no Strict-Transport-Security"
    m = re.search(r"max-age=(\d+)", hsts)
    assert m and int(m.group(1)) >= 31536000, f"{where}: weak HSTS {hsts!r}"
    assert h.get("Content-Security-Policy") == API_CSP, f"{where}: CSP {h.get('Content-Security-Policy')!r}"
    assert h.get("X-Content-Type-Options") == "nosniff", f"{where}: X-Content-Type-Options {h.get('X-Content-Type-Options')!r}"
    assert h.get("Referrer-Policy") == "same-origin", f"{where}: Referrer-Policy {h.get('Referrer-Policy')!r}"
    assert "no-store" in (h.get("Cache-Control") or ""), f"{where}: Cache-Control {h.get('Cache-Control')!r}"
    assert (h.get("X-Request-ID") or "").strip(), f"{where}: no X-Request-ID"


def test_headers_on_api_success(server, customer):
    _, token = customer
    r = server.get("/api/v1/me", token=token)
    assert r.status_code == 200
    assert_security_headers(r)
    r = server.get("/api/v1/orders", token=token)
    assert r.status_code == 200
    assert_security_headers(r)


def test_headers_on_login_response_carrying_a_token(server):
    cred = server.signup_customer()
    r = server.post("/api/v1/auth/login", json={"email": cred.email, "password": cred.password})
    assert r.status_code == 200
    assert_security_headers(r)


def test_headers_on_401(server):
    r = server.get("/api/v1/me")
    assert_problem(r, 401)
    assert_security_headers(r)


@pytest.mark.parametrize("path", ["/api/v1/orders/{uuid}", "/api/v1/no-such-endpoint"])
def test_headers_on_404(server, customer, path):
    _, token = customer
    r = server.get(path.format(uuid=uuid.uuid4()), token=token)
    assert_problem(r, 404)
    assert_security_headers(r)


def test_headers_on_403_and_422(server, customer, tokens):
    _, token = customer
    r = server.get("/api/v1/staff/audit-events", token=token)
    assert_problem(r, 403)
    assert_security_headers(r)
    r = server.post("/api/v1/staff/customer-search", token=tokens["support"], json={"query": "a"})
    assert_problem(r, 422)
    assert_security_headers(r)


def test_headers_on_non_api_404(server):
    # Web pages may use their own CSP (HTML), but must still forbid framing and carry the rest.
    r = server.get("/no-such-page-" + uuid.uuid4().hex)
    assert r.status_code == 404
    h = r.headers
    assert "frame-ancestors 'none'" in (h.get("Content-Security-Policy") or ""), h
    assert h.get("X-Content-Type-Options") == "nosniff"
    assert h.get("Referrer-Policy") == "same-origin"
    assert "no-store" in (h.get("Cache-Control") or "")
    assert h.get("Strict-Transport-Security") and h.get("X-Request-ID")


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/openapi.yaml"])
def test_headers_on_health_and_contract(server, path):
    r = server.get(path)
    assert r.status_code == 200
    assert_security_headers(r)


def test_request_ids_are_unique(server):
    ids = {server.get("/health/live").headers.get("X-Request-ID") for _ in range(20)}
    assert None not in ids and len(ids) == 20, "X-Request-ID must be a fresh random id per request"
