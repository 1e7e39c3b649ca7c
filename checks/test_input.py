"""Input handling: parse errors, size and media-type limits, validation, state machine,
and error bodies that never reveal internals."""

import json
import uuid

import pytest

from conftest import order_body, unique_phone
from helpers import assert_no_leak, assert_problem

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("raw", [b"{not json", b"{\"email\": \"a@b.co\",", b"", b"[]", b"\"just a string\"", b"\xff\xfe\x00"])
def test_malformed_json_is_400_problem(server, raw):
    r = server.post("/api/v1/auth/login", data=raw, headers=JSON)
    assert_problem(r, 400)


DUPLICATE_KEYS = [
    b'{"email": "a@example.com", "password": "x-long-enough-1", "email": "b@example.com"}',
    b'{"email": "a@example.com", "password": "x-long-enough-1", "\\u0065mail": "b@example.com"}',
    b'{"email": "a@example.com", "password": "x-long-enough-1", "totpCode": {"a": 1, "a": 2}}',
    b'{"email": "a@example.com", "password": "x-long-enough-1", "totpCode": [{"a": 1}, {"a": 1, "\\u0061": 2}]}',
]


@pytest.mark.parametrize("raw", DUPLICATE_KEYS)
def test_duplicate_keys_are_400_problem(server, raw):
    r = server.post("/api/v1/auth/login", data=raw, headers=JSON)
    problem = assert_problem(r, 400)
    assert problem["type"] == "/problems/malformed-request", problem
    assert "errors" not in problem and "detail" not in problem, problem


def test_duplicate_keys_in_an_order_change_nothing(server, customer):
    _, token = customer
    clean = json.dumps(order_body())
    smuggled = clean.replace('"address": {', '"address": {"line1": "x", "city": "y", "region": "z", "postalCode": "1", '
                                             '"country": "ES", "hack": 1}, "address": {', 1)
    nested = clean.replace('"city": "Madrid"', '"city": "Madrid", "c\\u0069ty": "Toledo"', 1)
    for body in (smuggled, nested):
        assert body != clean
        assert_problem(server.post("/api/v1/orders", token=token, data=body.encode(), headers=JSON), 400)
    assert server.get("/api/v1/orders", token=token).json()["items"] == []
    assert server.post("/api/v1/orders", token=token, data=clean.encode(), headers=JSON).status_code == 201


def test_malformed_json_on_authenticated_route(server, customer):
    _, token = customer
    r = server.post("/api/v1/orders", token=token, data=b"{\"address\": ", headers=JSON)
    assert_problem(r, 400)


def test_100_kib_body_is_413(server, customer):
    _, token = customer
    big = b"{\"email\": \"" + b"a" * (100 * 1024) + b"\"}"
    assert_problem(server.post("/api/v1/auth/signup", data=big, headers=JSON), 413)
    assert_problem(server.post("/api/v1/orders", token=token, data=big, headers=JSON), 413)


def test_100_kib_chunked_body_without_length_is_413(server):
    def chunks():
        yield b"{\"email\": \""
        for _ in range(100):
            yield b"a" * 1024
        yield b"\"}"
    assert_problem(server.post("/api/v1/auth/signup", data=chunks(), headers=JSON), 413)


def test_header_section_over_16_kib_is_431(server):
    """A 64 KiB header (and a 17 KiB one) is refused with 431 and a generic problem; 8 KiB passes."""
    for size in (64 * 1024, 17 * 1024):
        r = server.get("/api/v1/orders", headers={"X-Padding": "a" * size})
        assert_problem(r, 431)
    assert server.get("/health/live", headers={"X-Padding": "a" * 8 * 1024}).status_code == 200


def test_body_just_under_the_limit_is_read(server):
    # 60 KiB of valid JSON is accepted for parsing (and then refused as invalid input, not 413).
    body = json.dumps({"email": "a" * (60 * 1024), "password": "x"}).encode()
    r = server.post("/api/v1/auth/login", data=body, headers=JSON)
    assert r.status_code in (401, 422), r.status_code


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None])
def test_non_json_media_type_is_415(server, ctype):
    headers = {"Content-Type": ctype} if ctype else {}
    body = b'{"email": "a@example.com", "password": "whatever-long"}'
    r = server.post("/api/v1/auth/login", data=body, headers=headers)
    assert_problem(r, 415)


def test_out_of_range_latitude_is_422_on_location(server, customer):
    _, token = customer
    for loc in ({"latitude": 120, "longitude": -3.7}, {"latitude": -90.5, "longitude": 0}, {"latitude": 40.4, "longitude": 181}):
        r = server.post("/api/v1/orders", token=token, json=order_body(location=loc))
        problem = assert_problem(r, 422)
        assert "location" in [e.get("field") for e in problem.get("errors", [])], problem
    assert server.get("/api/v1/orders", token=token).json()["items"] == [], "an invalid order was stored"


@pytest.mark.parametrize("bad", [
    {"systemSizeKw": -1},
    {"panelCount": 100000},
    {"roofType": "thatch"},
    {"preferredDate": "2001-01-01"},
    {"preferredDate": "2030-02-30"},
    {"notes": "x" * 1001},
    {"notes": "bell\u0007"},
    {"location": {"latitude": "40", "longitude": -3.7}},
    {"address": {"line1": "", "city": "M", "region": "M", "postalCode": "1", "country": "ES"}},
    {"address": {"line1": "a", "city": "M", "region": "M", "postalCode": "1", "country": "spain"}},
])
def test_invalid_order_fields_are_422(server, customer, bad):
    _, token = customer
    r = server.post("/api/v1/orders", token=token, json=order_body(**bad))
    problem = assert_problem(r, 422)
    assert problem.get("errors"), problem


def test_invalid_state_change_is_409_and_changes_nothing(server, customer):
    _, token = customer
    order = server.post("/api/v1/orders", token=token, json=order_body()).json()
    oid = order["id"]
    r = server.post(f"/api/v1/orders/{oid}/cancel", token=token)
    assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    r = server.post(f"/api/v1/orders/{oid}/accept-quote", token=token)
    assert_problem(r, 409)
    r = server.post(f"/api/v1/orders/{oid}/cancel", token=token)
    assert_problem(r, 409)
    after = server.get(f"/api/v1/orders/{oid}", token=token).json()
    assert after["status"] == "cancelled", after
    assert after.get("installerId") is None


def test_accept_quote_twice_is_409(server, customer):
    _, token = customer
    oid = server.post("/api/v1/orders", token=token, json=order_body(location={"latitude": -33.86, "longitude": 151.2})).json()["id"]
    r = server.post(f"/api/v1/orders/{oid}/accept-quote", token=token)
    assert r.status_code == 200, r.text
    status = r.json()["status"]
    assert_problem(server.post(f"/api/v1/orders/{oid}/accept-quote", token=token), 409)
    assert server.get(f"/api/v1/orders/{oid}", token=token).json()["status"] == status


def test_bad_path_and_query_parameters_are_400(server, customer, tokens):
    _, token = customer
    assert_problem(server.get("/api/v1/orders/not-a-uuid", token=token), 400)
    assert_problem(server.get("/api/v1/orders/1' OR '1'='1", token=token), 400)
    for q in ("limit=0", "limit=101", "limit=abc", "offset=-1", "limit=99999999999999999999"):
        assert_problem(server.get(f"/api/v1/orders?{q}", token=token), 400)
    assert_problem(server.get("/api/v1/staff/audit-events?limit=100000", token=tokens["engineer"]), 400)


def test_signup_of_a_known_email_is_202_like_a_new_one(server):
    cred = server.signup_customer()
    r = server.post("/api/v1/auth/signup", json={
        "email": cred.email.upper(), "password": cred.password, "name": "Again", "phone": unique_phone(),
    })
    assert r.status_code == 202 and r.json() == {"status": "accepted"}, r.text
    assert_no_leak(r)


NASTY = [
    ("POST", "/api/v1/auth/signup", {"email": None, "password": None, "name": None, "phone": None}),
    ("POST", "/api/v1/auth/signup", {"email": ["a"], "password": {"x": 1}, "name": 1, "phone": True}),
    ("POST", "/api/v1/auth/signup", {"email": "a\u0000b@example.com", "password": "pw-long-enough", "name": "N", "phone": "+34600000000"}),
    ("POST", "/api/v1/auth/signup", {"email": "x@example.com", "password": "p" * 10000, "name": "N" * 10000, "phone": "+1"}),
    ("POST", "/api/v1/auth/login", {"email": "x" * 5000 + "@example.com", "password": "y" * 5000}),
    ("POST", "/api/v1/auth/login", {"email": 1, "password": 2}),
    ("POST", "/api/v1/auth/login", {"email": "a@example.com"}),
    ("POST", "/api/v1/auth/login", {"email": "\ud800", "password": "x"}),
]


@pytest.mark.parametrize("method,path,body", NASTY)
def test_nasty_bodies_get_4xx_without_internals(server, method, path, body):
    r = server.request(method, path, data=json.dumps(body).encode(), headers=JSON)
    assert 400 <= r.status_code < 500, f"{path} {body!r:.200}: {r.status_code} {r.text[:300]}"
    assert_problem(r, r.status_code)


def test_deeply_nested_json_is_refused_cleanly(server):
    raw = b'{"email": ' + b"[" * 5000 + b"]" * 5000 + b', "password": "x"}'
    r = server.post("/api/v1/auth/login", data=raw, headers=JSON)
    assert 400 <= r.status_code < 500, r.status_code
    assert_problem(r, r.status_code)
    assert server.get("/health/live").status_code == 200


def test_error_bodies_never_leak_internals(server, customer, tokens):
    """One sweep over many error paths; every body is checked for internals."""
    _, token = customer
    probes = [
        server.post("/api/v1/auth/login", data=b"{", headers=JSON),
        server.post("/api/v1/auth/login", data=b"{}", headers=JSON),
        server.post("/api/v1/auth/login", data=b"x", headers={"Content-Type": "text/plain"}),
        server.get(f"/api/v1/orders/{uuid.uuid4()}", token=token),
        server.get("/api/v1/orders/zzz", token=token),
        server.post("/api/v1/staff/customer-search", token=tokens["support"], json={"query": "'\";--"}),
        server.request("PATCH", f"/api/v1/staff/orders/{uuid.uuid4()}", token=tokens["support"], json={"action": "explode", "reason": "x"}),
        server.request("PATCH", f"/api/v1/staff/orders/{uuid.uuid4()}", token=tokens["support"], json={"action": "cancel", "reason": "x"}),
        server.post("/api/v1/admin/accounts", token=tokens["admin"], json={"email": "bad", "name": "", "phone": "0", "role": "root", "password": "x"}),
        server.put("/api/v1/installer/profile", token=tokens["installer"], json={"serviceArea": {"latitude": 91, "longitude": 0, "radiusKm": 0}, "available": "yes", "certifications": [1]}),
        server.request("DELETE", "/api/v1/orders", token=token),
        server.get("/api/v1/%00"),
    ]
    errors = 0
    for r in probes:
        assert r.status_code < 500, f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:300]}"
        if r.status_code >= 400:
            errors += 1
            assert_no_leak(r)
    assert errors >= len(probes) - 1


def _raw(server, payload: bytes) -> bytes:
    """Sends bytes as they are on one connection and reads until the server closes it (or 5 s)."""
    import socket
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(payload)
        received = b""
        try:
            while chunk := s.recv(65536):
                received += chunk
        except TimeoutError:
            pass
    return received


def test_conflicting_transfer_encoding_and_content_length_is_refused(server):
    """ASVS V4.2.1, request smuggling: a request with both Transfer-Encoding and Content-Length
    is refused with 400 and the connection closed, so nothing hidden in its body is read as a
    second request."""
    smuggled = b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\n\r\n"
    body = b"0\r\n\r\n" + smuggled
    request = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    answer = _raw(server, request)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert answer.count(b"HTTP/1.1 ") == 1, f"a second answer came back: {answer[:600]!r}"
    # The helper is not blind: a well-formed request on the same server is answered.
    ok = _raw(server, b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert ok.startswith(b"HTTP/1.1 200"), ok[:200]
