"""Assertions shared by the check modules."""

from __future__ import annotations

import json

PROBLEM_TYPE = "application/problem+json"

# Strings that reveal internals; an error body must never contain them.
LEAK_CASE_SENSITIVE = ("SELECT", "Error")
LEAK_CASE_INSENSITIVE = ("sqlite", "swift", ".swift", "constraint")


def assert_problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem with `status`, whose instance is the request id."""
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: expected {status}, got {response.status_code}: {response.text[:500]}"
    )
    ctype = response.headers.get("Content-Type", "")
    assert ctype.split(";")[0].strip() == PROBLEM_TYPE, f"Content-Type {ctype!r} for {status}"
    body = response.json()
    assert body.get("status") == status, body
    assert isinstance(body.get("type"), str) and isinstance(body.get("title"), str), body
    assert body.get("instance") == response.headers.get("X-Request-ID"), "problem instance must be the request id"
    assert_no_leak(response)
    return body


def assert_no_leak(response) -> None:
    text = response.text
    for needle in LEAK_CASE_SENSITIVE:
        assert needle not in text, f"error body leaks {needle!r}: {text[:500]}"
    lowered = text.lower()
    for needle in LEAK_CASE_INSENSITIVE:
        assert needle not in lowered, f"error body leaks {needle!r}: {text[:500]}"


def without_instance(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "instance"}


def same_id(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


def dumps(obj) -> str:
    return json.dumps(obj, sort_keys=True)
