"""Authentication: bearer tokens required, revocable, and login does not reveal accounts."""

import secrets

import pytest

from conftest import unique, unique_phone
from helpers import assert_problem, without_instance

PROTECTED = [
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/orders"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/installer/offers"),
    ("GET", "/api/v1/staff/audit-events"),
    ("POST", "/api/v1/staff/customer-search"),
    ("POST", "/api/v1/admin/accounts"),
]


@pytest.mark.parametrize("method,path", PROTECTED)
def test_no_token_is_401_with_www_authenticate(server, method, path):
    r = server.request(method, path)
    assert_problem(r, 401)
    assert (r.headers.get("WWW-Authenticate") or "").lower().startswith("bearer"), r.headers


@pytest.mark.parametrize("header", [
    "Bearer garbage",
    "Bearer " + "A" * 43,                   # well-formed but unknown
    "Bearer " + secrets.token_urlsafe(32),  # well-formed random
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "Bearer ' OR 1=1 --",
])
def test_garbage_token_is_401(server, header):
    r = server.get("/api/v1/me", headers={"Authorization": header})
    assert_problem(r, 401)


def test_token_from_query_or_cookie_is_not_accepted(server, customer):
    _, token = customer
    assert server.get("/api/v1/me", token=token).status_code == 200
    assert_problem(server.get(f"/api/v1/me?access_token={token}"), 401)
    assert_problem(server.get("/api/v1/me", headers={"Cookie": f"__Host-sd_session={token}"}), 401)


def test_logout_revokes_the_token(server, customer):
    cred, token = customer
    other = server.login(cred.email, cred.password)
    r = server.get("/api/v1/me", token=token)
    assert r.status_code == 200 and r.json()["email"] == cred.email
    r = server.post("/api/v1/auth/logout", token=token)
    assert r.status_code == 204, r.text
    r = server.get("/api/v1/me", token=token)
    assert_problem(r, 401)
    assert_problem(server.post("/api/v1/auth/logout", token=token), 401)
    # Only that session ends: a second login of the same account still works.
    assert server.get("/api/v1/me", token=other).status_code == 200


def test_wrong_password_and_unknown_email_are_indistinguishable(server, customer):
    cred, _ = customer
    wrong_pw = server.post("/api/v1/auth/login", json={"email": cred.email, "password": "not-the-password-1"})
    unknown = server.post("/api/v1/auth/login", json={"email": f"{unique('nobody')}@example.com", "password": "not-the-password-1"})
    a = assert_problem(wrong_pw, 401)
    b = assert_problem(unknown, 401)
    assert a["instance"] != b["instance"]
    assert without_instance(a) == without_instance(b), f"{a} != {b}"
    assert wrong_pw.headers.get("WWW-Authenticate") == unknown.headers.get("WWW-Authenticate")
    assert wrong_pw.headers.get("Content-Type") == unknown.headers.get("Content-Type")


def _signup(server, email: str, password: str):
    return server.post("/api/v1/auth/signup", json={"email": email, "password": password, "name": "Sig Nup", "phone": unique_phone()})


def test_signup_answers_known_and_new_emails_alike(server, customer):
    """No account enumeration at signup: a known email gets the same status, body and headers
    as a new one, in about the same time; only its owner learns of it, by email."""
    cred, _ = customer
    new_email = f"{unique('fresh')}@example.com"
    new = _signup(server, new_email, "a new sunny rooftop passphrase")
    known = _signup(server, cred.email.upper(), "someone else's passphrase")
    assert new.status_code == known.status_code == 202, (new.text, known.text)
    assert new.content == known.content == b'{"status":"accepted"}'
    skip = {"x-request-id", "date"}
    assert {k.lower(): v for k, v in new.headers.items() if k.lower() not in skip} == \
        {k.lower(): v for k, v in known.headers.items() if k.lower() not in skip}
    # The existing account is unchanged; the new one exists and may log in before confirming.
    assert server.login(cred.email, cred.password)
    assert_problem(server.post("/api/v1/auth/login", json={"email": cred.email, "password": "someone else's passphrase"}), 401)
    assert server.login(new_email, "a new sunny rooftop passphrase")
    # The owner is told, with a way to reset the password; the new address gets its code.
    notice = [m for m in server.mail_to(cred.email, "tried to sign up") if "tried to sign up" in m["subject"]]
    assert len(notice) == 1 and "/password/reset" in notice[0]["body"] and "code is:" in notice[0]["body"], notice
    assert "someone else's passphrase" not in notice[0]["body"]
    assert any("Confirm" in m["subject"] for m in server.mail_to(new_email, "Confirm"))
    # Both paths hash the password: the times are alike (generous bounds; medians of three).
    new_times, known_times = [], []
    for _ in range(3):
        new_times.append(_signup(server, f"{unique('t')}@example.com", "a new sunny rooftop passphrase").elapsed.total_seconds())
        known_times.append(_signup(server, cred.email, "a new sunny rooftop passphrase").elapsed.total_seconds())
    # The fastest of each; a path that skipped the hash would be over 20 times faster.
    ratio = min(known_times) / min(new_times)
    assert 1 / 6 < ratio < 6, f"known {known_times} vs new {new_times}"


def test_email_case_does_not_bypass_and_wrong_case_password_fails(server, customer):
    cred, _ = customer
    assert server.login(cred.email.upper(), cred.password)
    r = server.post("/api/v1/auth/login", json={"email": cred.email, "password": cred.password.upper()})
    assert_problem(r, 401)


def _assert_no_hash(text: str):
    lowered = text.lower()
    assert "argon2" not in lowered and "$argon" not in lowered, text
    assert "password" not in lowered and "hash" not in lowered, text


def test_password_hash_is_never_returned(server, tokens):
    cred = server.signup_customer()
    signup_resp = server.post("/api/v1/auth/signup", json={
        "email": f"{unique('h')}@example.com", "password": cred.password, "name": "H", "phone": cred.phone,
    })
    assert signup_resp.status_code == 202
    _assert_no_hash(signup_resp.text)
    token = server.login(cred.email, cred.password)
    me = server.get("/api/v1/me", token=token)
    assert me.status_code == 200
    assert set(me.json()) <= {"id", "email", "name", "phone", "role", "createdAt"}, me.json()
    _assert_no_hash(me.text)
    assert cred.password not in me.text
    # Staff views of the customer do not carry it either.
    search = server.post("/api/v1/staff/customer-search", json={"query": cred.email}, token=tokens["support"])
    assert search.status_code == 200 and len(search.json()["items"]) == 1
    _assert_no_hash(search.text)
    detail = server.get(f"/api/v1/staff/customers/{cred.id}", token=tokens["support"])
    assert detail.status_code == 200
    _assert_no_hash(detail.text)
    # Nor the admin's account creation answer.
    created = server.create_account("support")
    me2 = server.get("/api/v1/me", token=server.login(created.email, created.password))
    _assert_no_hash(me2.text)
