"""Hostile numbers must be refused with 4xx, never crash the process (one request must not
take the service down for everyone). Each probe runs against its own disposable server."""

import time

import pytest
import requests

from conftest import order_body
from helpers import assert_problem

ORDER_PROBES = [
    {"systemSizeKw": 1e308},
    {"systemSizeKw": 1e18},
    {"systemSizeKw": -1e308},
    {"panelCount": 9223372036854775807},
    {"panelCount": 1e30},
    {"location": {"latitude": 1e308, "longitude": -1e308}},
]

PROFILE_PROBES = [
    {"serviceArea": {"latitude": 1e308, "longitude": 1e308, "radiusKm": 1e308}, "available": True, "certifications": []},
    {"serviceArea": {"latitude": 40.4, "longitude": -3.7, "radiusKm": -1e308}, "available": True, "certifications": []},
]


def _survives(server, running, method, path, token, body):
    try:
        r = server.request(method, path, token=token, json=body)
    except requests.ConnectionError as e:
        r = e
    time.sleep(0.2)
    assert running.alive(), (
        f"{method} {path} with {body!r:.200} crashed the server (exit {running.proc.returncode}):\n"
        + "\n".join(l for l in server.read_log().splitlines() if "Fatal error" in l or "crashed" in l)
    )
    assert not isinstance(r, Exception), f"connection failed: {r}"
    assert 400 <= r.status_code < 500, f"{method} {path} {body!r:.200}: {r.status_code} {r.text[:300]}"
    assert_problem(r, r.status_code)
    assert server.get("/health/ready").status_code == 200


@pytest.mark.parametrize("bad", ORDER_PROBES, ids=[str(p)[:60] for p in ORDER_PROBES])
def test_order_numbers_do_not_crash_the_server(disposable_server, bad):
    server, running = disposable_server
    _, token = server.new_customer()
    _survives(server, running, "POST", "/api/v1/orders", token, order_body(**bad))


@pytest.mark.parametrize("body", PROFILE_PROBES, ids=["huge", "negative-radius"])
def test_profile_numbers_do_not_crash_the_server(disposable_server, body):
    server, running = disposable_server
    _survives(server, running, "PUT", "/api/v1/installer/profile", server.token("installer"), body)
