"""Dispatch: offers reveal no address, and exactly one of several concurrent accepts wins."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import auth, order_body, unique
from helpers import assert_problem, same_id

MADRID = {"latitude": 40.4168, "longitude": -3.7038}
PROFILE = {"serviceArea": {"latitude": 40.45, "longitude": -3.69, "radiusKm": 50}, "available": True, "certifications": ["NABCEP"]}


@pytest.fixture(scope="module")
def installers(server, tokens):
    """Three installers serving Madrid: the CLI one and two created by the admin."""
    creds = [server.credentials["installer"], server.create_account("installer"), server.create_account("installer")]
    result = []
    for cred in creds:
        token = server.login(cred.email, cred.password)
        r = server.put("/api/v1/installer/profile", token=token, json=PROFILE)
        assert r.status_code == 200, r.text
        assert r.json()["available"] is True
        result.append((cred, token))
    yield result
    for _, token in result:  # leave no available installers behind for other modules
        server.put("/api/v1/installer/profile", token=token, json=dict(PROFILE, available=False))


def _madrid_order(server, token, street):
    body = order_body(location=MADRID)
    body["address"] = {"line1": street, "line2": "Piso 3, puerta B", "city": "Madrid", "region": "Madrid",
                       "postalCode": "MQ-28013", "country": "ES"}
    r = server.post("/api/v1/orders", token=token, json=body)
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    r = server.post(f"/api/v1/orders/{oid}/accept-quote", token=token)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "dispatching", r.json()
    return oid, body


def _offers(server, token, order_id=None):
    r = server.get("/api/v1/installer/offers", token=token)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    return [o for o in items if order_id is None or same_id(o["orderId"], order_id)], r


def test_installer_sees_the_offer_without_the_address(server, installers):
    cred, token = installers[0]
    customer, ctoken = server.new_customer()
    street = f"Calle {unique('Oculta')} 17"
    oid, body = _madrid_order(server, ctoken, street)

    offers, resp = _offers(server, token)
    assert len(offers) == 1, f"expected exactly the one offer, got {resp.text[:500]}"
    offer = offers[0]
    assert same_id(offer["orderId"], oid)
    assert offer["status"] == "open"
    assert 0 <= offer["distanceKm"] <= 50
    assert offer["area"]["city"] == "Madrid"
    assert "address" not in offer and "location" not in offer and "customerId" not in offer
    text = resp.text
    for secret in (street, "Piso 3", "MQ-28013", customer.email, customer.phone, customer.name):
        assert secret not in text, f"offer list reveals {secret!r}"

    # Before accepting, the installer cannot read the order or its address elsewhere.
    jobs = server.get("/api/v1/installer/jobs", token=token)
    assert jobs.status_code == 200 and street not in jobs.text
    assert_problem(server.get(f"/api/v1/orders/{oid}", token=token), 403)

    # Another installer cannot accept this installer's offer (hidden as 404).
    other_cred, other_token = installers[1]
    r = server.post(f"/api/v1/installer/offers/{offer['id']}/accept", token=other_token)
    assert_problem(r, 404)
    assert server.get(f"/api/v1/orders/{oid}", token=ctoken).json()["status"] == "dispatching"

    # The customer is not an installer and cannot accept either.
    assert_problem(server.post(f"/api/v1/installer/offers/{offer['id']}/accept", token=ctoken), 403)

    # Cancel so this order does not linger among open offers.
    assert server.post(f"/api/v1/orders/{oid}/cancel", token=ctoken).status_code == 200
    assert _offers(server, token, oid)[0] == [], "a cancelled order's offer is still open"


def test_concurrent_accepts_have_exactly_one_winner(server, installers):
    _, ctoken = server.new_customer()
    street = f"Calle {unique('Carrera')} 5"
    oid, _ = _madrid_order(server, ctoken, street)

    offer_ids = []
    for cred, token in installers:
        offers, resp = _offers(server, token, oid)
        assert len(offers) == 1, f"installer {cred.email} has no offer for the order: {resp.text[:300]}"
        offer_ids.append(offers[0]["id"])

    barrier = threading.Barrier(len(installers))

    def accept(i):
        (cred, token), offer_id = installers[i], offer_ids[i]
        with requests.Session() as s:
            s.get(server.url("/health/live"), timeout=10)  # open the connection before the race
            barrier.wait(timeout=10)
            r = s.post(server.url(f"/api/v1/installer/offers/{offer_id}/accept"), headers=auth(token), timeout=30)
            return cred, r

    with ThreadPoolExecutor(max_workers=len(installers)) as pool:
        results = list(pool.map(accept, range(len(installers))))

    statuses = sorted(r.status_code for _, r in results)
    assert statuses == [200] + [409] * (len(installers) - 1), [(c.email, r.status_code, r.text[:200]) for c, r in results]
    winner, win_resp = next((c, r) for c, r in results if r.status_code == 200)
    for c, r in results:
        if r.status_code == 409:
            assert_problem(r, 409)
    job = win_resp.json()
    assert same_id(job["id"], oid) and job["status"] == "scheduled"
    assert job["address"]["line1"] == street  # the winner now holds the job, with its address

    order = server.get(f"/api/v1/orders/{oid}", token=ctoken).json()
    assert order["status"] == "scheduled", order
    assert same_id(order["installerId"], winner.id), (order["installerId"], winner.id)

    # Losers: no open offer left, the job is not theirs, a retry still loses.
    for (cred, token), offer_id in zip(installers, offer_ids):
        if cred.email == winner.email:
            jobs = server.get("/api/v1/installer/jobs", token=token).json()["items"]
            assert any(same_id(j["id"], oid) for j in jobs)
            continue
        assert _offers(server, token, oid)[0] == []
        jobs = server.get("/api/v1/installer/jobs", token=token)
        assert street not in jobs.text
        assert_problem(server.post(f"/api/v1/installer/offers/{offer_id}/accept", token=token), 409)
        assert_problem(server.post(f"/api/v1/installer/jobs/{oid}/status", token=token, json={"status": "in_progress"}), 404)

    # And the order is still held by the winner.
    order = server.get(f"/api/v1/orders/{oid}", token=ctoken).json()
    assert order["status"] == "scheduled" and same_id(order["installerId"], winner.id)
