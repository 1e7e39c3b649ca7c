"""CORS: only the configured origin may read responses cross-origin; never with credentials."""

from conftest import CORS_ORIGIN
from helpers import assert_problem

EVIL = "https://evil.example"


def _no_credentials(r):
    assert "Access-Control-Allow-Credentials" not in r.headers, (
        f"{r.request.method} {r.request.path_url}: Access-Control-Allow-Credentials must never be sent"
    )


def test_allowed_origin_is_reflected(server, customer):
    _, token = customer
    for path, tok in (("/health/live", None), ("/api/v1/me", token)):
        r = server.get(path, token=tok, headers={"Origin": CORS_ORIGIN})
        assert r.status_code == 200
        assert r.headers.get("Access-Control-Allow-Origin") == CORS_ORIGIN, r.headers
        assert "Origin" in (r.headers.get("Vary") or ""), "responses that depend on Origin must say Vary: Origin"
        _no_credentials(r)


def test_evil_origin_gets_no_cors_headers(server, customer):
    _, token = customer
    for origin in (EVIL, "null", CORS_ORIGIN + ".evil.example", "http://app.solardispatch.example"):
        for path, tok in (("/health/live", None), ("/api/v1/me", token), ("/api/v1/me", None)):
            r = server.get(path, token=tok, headers={"Origin": origin})
            assert "Access-Control-Allow-Origin" not in r.headers, f"origin {origin!r} got {r.headers.get('Access-Control-Allow-Origin')!r}"
            _no_credentials(r)


def test_allowed_preflight(server):
    r = server.request("OPTIONS", "/api/v1/orders", headers={
        "Origin": CORS_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    })
    assert r.status_code in (200, 204), r.status_code
    assert r.headers.get("Access-Control-Allow-Origin") == CORS_ORIGIN
    assert "POST" in (r.headers.get("Access-Control-Allow-Methods") or "")
    _no_credentials(r)


def test_evil_preflight_is_refused(server):
    for origin in (EVIL, "null"):
        r = server.request("OPTIONS", "/api/v1/orders", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        })
        assert_problem(r, 403)
        assert "Access-Control-Allow-Origin" not in r.headers
        assert "Access-Control-Allow-Methods" not in r.headers
        _no_credentials(r)
