"""Injection probes: SQL metacharacters are data, never code. Search and login look up the exact
value through a keyed hash (no LIKE query exists), so wildcard characters are plain data too."""

import pytest

from conftest import unique
from helpers import assert_no_leak, assert_problem

SQL_PAYLOADS = ["' OR '1'='1", "admin'--", "%' UNION SELECT 1--", "_%", "%%", "__", "\\%", "') OR 1=1 --", "'; DROP TABLE accounts; --"]


@pytest.fixture(scope="module")
def known_customer(server):
    """At least one customer exists, so a wildcard or injection that matched everything would show."""
    return server.signup_customer(name="Injection Target")


def test_search_works_for_a_real_match(server, tokens, known_customer):
    # Positive control: the endpoint does find customers, so empty results below mean something.
    r = server.post("/api/v1/staff/customer-search", json={"query": known_customer.email}, token=tokens["support"])
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["id"].lower() for i in items] == [known_customer.id.lower()]
    # Support sees the address masked.
    local, domain = known_customer.email.split("@")
    assert items[0]["email"] == local[0] + "***@" + domain
    r = server.post("/api/v1/staff/customer-search", json={"query": "a"}, token=tokens["support"])
    assert_problem(r, 422)


@pytest.mark.parametrize("payload", SQL_PAYLOADS)
def test_customer_search_payloads_match_nothing(server, tokens, known_customer, payload):
    r = server.post("/api/v1/staff/customer-search", json={"query": payload}, token=tokens["support"])
    assert r.status_code in (200, 422), f"query {payload!r}: {r.status_code} {r.text[:300]}"
    if r.status_code == 200:
        assert r.json() == {"items": []}, f"query {payload!r} matched: {r.text[:300]}"
    else:
        assert_problem(r, 422)
    assert_no_leak(r)


def test_database_survives_the_probes(server, tokens, known_customer):
    # After "DROP TABLE accounts" and friends, accounts still work.
    assert server.login(known_customer.email, known_customer.password)
    assert server.get("/health/ready").status_code == 200


@pytest.mark.parametrize("email", ["' OR 1=1 --", "' OR '1'='1' --", "admin'--", "\" OR \"\"=\"", "%", "_@_._"])
def test_login_injection_is_refused(server, email):
    for password in ("' OR 1=1 --", "anything-at-all"):
        r = server.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert r.status_code in (401, 422), f"login {email!r}: {r.status_code} {r.text[:300]}"
        body = assert_problem(r, r.status_code)
        assert "accessToken" not in body


def test_login_with_wildcard_email_does_not_match_a_real_account(server):
    cred = server.signup_customer(email=f"{unique('wild')}@example.com")
    local, domain = cred.email.split("@")
    for pattern in (f"{local[:-1]}_@{domain}", f"{local[:4]}%@{domain}", "%"):
        r = server.post("/api/v1/auth/login", json={"email": pattern, "password": cred.password})
        assert_problem(r, 401)


def test_stored_payloads_round_trip_as_text(server):
    """A customer name full of SQL is stored and returned verbatim."""
    name = "Robert'); DROP TABLE orders;--"
    cred = server.signup_customer(name=name)
    token = server.login(cred.email, cred.password)
    assert server.get("/api/v1/me", token=token).json()["name"] == name
    assert server.get("/api/v1/orders", token=token).status_code == 200
