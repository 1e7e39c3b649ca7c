"""Authorization: object ownership (404), role checks (403) and no mass assignment."""

import uuid

import pytest

from conftest import order_body, unique, unique_phone
from helpers import assert_problem, same_id, without_instance


# ----------------------------------------------------------------------------- ownership


def test_other_customers_order_is_404_like_a_random_id(server):
    owner, owner_token = server.new_customer()
    _, intruder_token = server.new_customer()
    r = server.post("/api/v1/orders", token=owner_token, json=order_body())
    assert r.status_code == 201, r.text
    order_id = r.json()["id"]

    assert server.get(f"/api/v1/orders/{order_id}", token=owner_token).status_code == 200

    theirs = server.get(f"/api/v1/orders/{order_id}", token=intruder_token)
    random = server.get(f"/api/v1/orders/{uuid.uuid4()}", token=intruder_token)
    a = assert_problem(theirs, 404)
    b = assert_problem(random, 404)
    assert without_instance(a) == without_instance(b), f"existence leaks: {a} vs {b}"
    assert set(theirs.headers) == set(random.headers)
    assert order_id.lower() not in theirs.text.lower()

    # Writes on someone else's order are hidden the same way and change nothing.
    for action in ("accept-quote", "cancel"):
        r = server.post(f"/api/v1/orders/{order_id}/{action}", token=intruder_token)
        r2 = server.post(f"/api/v1/orders/{uuid.uuid4()}/{action}", token=intruder_token)
        assert without_instance(assert_problem(r, 404)) == without_instance(assert_problem(r2, 404))
    after = server.get(f"/api/v1/orders/{order_id}", token=owner_token).json()
    assert after["status"] == "quoted", after

    # The intruder's list does not contain it.
    listed = server.get("/api/v1/orders", token=intruder_token).json()["items"]
    assert all(not same_id(o["id"], order_id) for o in listed)


def test_installer_cannot_read_customer_order(server, tokens):
    _, owner_token = server.new_customer()
    order_id = server.post("/api/v1/orders", token=owner_token, json=order_body()).json()["id"]
    assert_problem(server.get(f"/api/v1/orders/{order_id}", token=tokens["installer"]), 403)
    r = server.post(f"/api/v1/installer/jobs/{order_id}/status", token=tokens["installer"], json={"status": "in_progress"})
    assert_problem(r, 404)


# ----------------------------------------------------------------------------- roles

ANY = "00000000-0000-4000-8000-000000000000"
ADMIN_BODY = {"email": "x@staff.example.com", "name": "X", "phone": "+34600000099", "role": "admin", "password": "a-long-password-1"}

FORBIDDEN = [
    ("customer", "POST", "/api/v1/staff/customer-search"),
    ("customer", "GET", f"/api/v1/staff/customers/{ANY}"),
    ("customer", "GET", f"/api/v1/staff/orders/{ANY}"),
    ("customer", "PATCH", f"/api/v1/staff/orders/{ANY}"),
    ("customer", "GET", "/api/v1/staff/sales/summary"),
    ("customer", "GET", "/api/v1/staff/audit-events"),
    ("customer", "POST", "/api/v1/admin/accounts"),
    ("customer", "GET", "/api/v1/installer/offers"),
    ("customer", "PUT", "/api/v1/installer/profile"),
    ("customer", "GET", "/api/v1/installer/jobs"),
    ("installer", "GET", "/api/v1/orders"),
    ("installer", "POST", "/api/v1/orders"),
    ("installer", "POST", "/api/v1/staff/customer-search"),
    ("installer", "POST", "/api/v1/admin/accounts"),
    ("sales", "POST", "/api/v1/staff/customer-search"),
    ("sales", "GET", f"/api/v1/staff/orders/{ANY}"),
    ("sales", "GET", "/api/v1/staff/audit-events"),
    ("sales", "GET", "/api/v1/orders"),
    ("support", "GET", "/api/v1/staff/audit-events"),
    ("support", "GET", "/api/v1/staff/sales/summary"),
    ("support", "POST", "/api/v1/admin/accounts"),
    ("support", "GET", "/api/v1/installer/offers"),
    ("engineer", "POST", "/api/v1/admin/accounts"),
    ("engineer", "POST", "/api/v1/staff/customer-search"),
    ("engineer", "GET", f"/api/v1/staff/customers/{ANY}"),
    ("engineer", "GET", f"/api/v1/staff/orders/{ANY}"),
    ("engineer", "GET", "/api/v1/orders"),
    ("admin", "GET", "/api/v1/orders"),
    ("admin", "GET", "/api/v1/installer/offers"),
    # Admins manage staff; customer data needs a break-glass grant, as for engineers.
    ("admin", "POST", "/api/v1/staff/customer-search"),
]

# The same endpoints answer the right role, so a 403 above is the role check, not a dead route.
ALLOWED = [
    ("support", "POST", "/api/v1/staff/customer-search"),
    ("sales", "GET", "/api/v1/staff/sales/summary"),
    ("engineer", "GET", "/api/v1/staff/audit-events"),
    ("admin", "GET", "/api/v1/staff/audit-events"),
    ("customer", "GET", "/api/v1/orders"),
    ("installer", "GET", "/api/v1/installer/offers"),
    ("installer", "GET", "/api/v1/installer/jobs"),
]


def _body_for(method, path):
    if path.endswith("/admin/accounts"):
        return dict(ADMIN_BODY, email=f"{unique('esc')}@staff.example.com")
    if path.endswith("/api/v1/orders") and method == "POST":
        return order_body()
    if path.endswith("/installer/profile"):
        return {"serviceArea": {"latitude": 40.4, "longitude": -3.7, "radiusKm": 10}, "available": True, "certifications": []}
    if method == "PATCH":
        return {"action": "cancel", "reason": "x"}
    if path.endswith("/staff/customer-search"):
        return {"query": "ab"}
    return None


@pytest.fixture(scope="module")
def role_tokens(server, tokens):
    _, customer_token = server.new_customer()
    return dict(tokens, customer=customer_token)


@pytest.mark.parametrize("role,method,path", FORBIDDEN, ids=[f"{r}-{m}-{p}" for r, m, p in FORBIDDEN])
def test_wrong_role_is_403(server, role_tokens, role, method, path):
    body = _body_for(method, path)
    r = server.request(method, path, token=role_tokens[role], json=body)
    problem = assert_problem(r, 403)
    assert "items" not in problem
    if body and path.endswith("/admin/accounts"):
        # The account was not created behind the 403.
        login = server.post("/api/v1/auth/login", json={"email": body["email"], "password": body["password"]})
        assert_problem(login, 401)


@pytest.mark.parametrize("role,method,path", ALLOWED, ids=[f"{r}-{m}-{p}" for r, m, p in ALLOWED])
def test_right_role_is_allowed(server, role_tokens, role, method, path):
    r = server.request(method, path, token=role_tokens[role], json=_body_for(method, path))
    assert r.status_code == 200, f"{role} {method} {path}: {r.status_code} {r.text[:300]}"


def test_sales_summary_has_no_personal_data(server, tokens):
    cred, token = server.new_customer()
    body = order_body()
    body["address"] = dict(body["address"], line1=f"Calle {unique('Secreta')} 9")
    assert server.post("/api/v1/orders", token=token, json=body).status_code == 201
    r = server.get("/api/v1/staff/sales/summary", token=tokens["sales"])
    assert r.status_code == 200
    for secret in (cred.email, cred.phone, cred.name, body["address"]["line1"], cred.id):
        assert secret.lower() not in r.text.lower(), f"sales summary contains {secret!r}"


# ----------------------------------------------------------------------------- mass assignment


@pytest.mark.parametrize("extra", [{"role": "admin"}, {"role": "customer"}, {"id": ANY}, {"passwordHash": "x"}])
def test_signup_rejects_server_owned_fields(server, extra):
    email = f"{unique('mass')}@example.com"
    password = "a-long-password-" + unique()
    body = {"email": email, "password": password, "name": "Mallory", "phone": unique_phone(), **extra}
    r = server.post("/api/v1/auth/signup", json=body)
    problem = assert_problem(r, 422)
    fields = [e.get("field") for e in problem.get("errors", [])]
    assert list(extra)[0] in fields, problem
    login = server.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert_problem(login, 401)


def test_normal_signup_is_a_customer(server):
    cred = server.signup_customer()
    token = server.login(cred.email, cred.password)
    me = server.get("/api/v1/me", token=token).json()
    assert me["role"] == "customer"
    assert_problem(server.get("/api/v1/staff/audit-events", token=token), 403)


def test_order_rejects_server_owned_fields(server, customer):
    _, token = customer
    for extra in ({"status": "scheduled"}, {"quote": {"totalCents": 1}}, {"installerId": ANY}, {"customerId": ANY}):
        r = server.post("/api/v1/orders", token=token, json={**order_body(), **extra})
        assert_problem(r, 422)
    assert server.get("/api/v1/orders", token=token).json()["items"] == []
