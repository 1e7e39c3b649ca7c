"""The authorization matrix (authorization-matrix.yaml) against a live server: every API operation
and web route, for every role, on the caller's own object and on someone else's. Fails on any cell
that differs, on an operation in openapi.yaml or a route the router registers that the matrix does
not list, and on a matrix entry that no longer exists."""

from __future__ import annotations

import re

import pytest
import requests
import yaml

from actors import SESSION_COOKIE, Actor, same_origin, unused_totp
from conftest import RECOVERY, REPO, TOTP_SECRETS, base_env, launch, order_body, run_cli, unique, unique_phone
from helpers import same_id

MATRIX = yaml.safe_load((REPO / "authorization-matrix.yaml").read_text(encoding="utf-8"))
ROLES = MATRIX["roles"]
ENTRIES = {**MATRIX["api"], **MATRIX["web"]}
OUTCOMES = {"public", "allow", "login", "deny", "hidden"}
# Requests that end the caller's own sessions run last, each in a session opened for it.
# Forms that confirm the password (and the second factor) before they act: the check confirms
# them correctly, so that what is left is the decision on the merits (e.g. self-approval).
# Requests that replace the caller's recovery codes (the actors log in with recovery codes).
NEW_RECOVERY_CODES = ("POST /api/v1/me/mfa/recovery-codes", "POST /account/mfa/recovery-codes")
STEP_UP = ("POST /account/mfa/disable", "POST /admin/role-grants/{id}/approve")
TERMINAL = ("DELETE /api/v1/me/sessions", "POST /account/sessions/revoke-others", "POST /api/v1/auth/logout", "POST /logout")
MADRID = {"latitude": 40.4168, "longitude": -3.7038}
PROFILE = {"serviceArea": {"latitude": 40.45, "longitude": -3.69, "radiusKm": 50}, "available": True, "certifications": ["NABCEP"]}


def normalized(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{id}", path)


# ----------------------------------------------------------------------------- completeness


def test_matrix_is_well_formed():
    assert ROLES == ["anonymous", "customer", "installer", "support", "sales", "engineer", "engineer+grant", "admin"]
    problems = []
    for key, entry in ENTRIES.items():
        if set(entry) - {"operation", "object"} != set(ROLES):
            problems.append(f"{key}: roles {sorted(set(entry) - {'operation', 'object'})}")
        for role in ROLES:
            cell = entry.get(role)
            values = cell if isinstance(cell, list) else [cell]
            if isinstance(cell, list) and (len(cell) != 2 or "object" not in entry):
                problems.append(f"{key} {role}: an [own, foreign] pair needs an object and two outcomes")
            if not set(values) <= OUTCOMES:
                problems.append(f"{key} {role}: {cell!r}")
    assert not problems, "; ".join(problems)


def test_every_openapi_operation_is_in_the_matrix():
    spec = yaml.safe_load((REPO / "openapi.yaml").read_text(encoding="utf-8"))
    in_spec = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                in_spec[f"{method.upper()} {normalized(path)}"] = op["operationId"]
    api = {key: entry.get("operation") for key, entry in MATRIX["api"].items()}
    assert set(in_spec) - set(api) == set(), f"operations missing from the matrix: {sorted(set(in_spec) - set(api))}"
    wrong = {key: (api[key], op) for key, op in in_spec.items() if api[key] != op}
    assert not wrong, f"operation ids differ from openapi.yaml (matrix, spec): {wrong}"
    stray = [key for key, op in api.items() if op is not None and key not in in_spec]
    assert not stray, f"matrix names operations openapi.yaml does not have: {stray}"


def test_every_router_route_is_in_the_matrix(solar_bin, tmp_root):
    tmp = tmp_root / "routes"
    tmp.mkdir()
    env = base_env(tmp, LOG_LEVEL="error")
    assert run_cli(solar_bin, ["migrate"], env).returncode == 0
    r = run_cli(solar_bin, ["routes"], env)
    assert r.returncode == 0, r.stderr
    registered = {normalized(line.strip()) for line in r.stdout.splitlines() if line.strip()}
    assert len(registered) > 80, r.stdout
    listed = {normalized(key) for key in ENTRIES}
    assert registered - listed == set(), f"routes missing from the matrix: {sorted(registered - listed)}"
    assert listed - registered == set(), f"matrix entries the router does not register: {sorted(listed - registered)}"


# ----------------------------------------------------------------------------- actors


@pytest.fixture(scope="module")
def world(solar_bin, tmp_root):
    """A server of its own (the checks lock, revoke and re-role accounts) with one actor per
    role and the objects each cell needs."""
    srv, running = launch(solar_bin, tmp_root / "matrix", roles=(
        "installer", "installer2", "support", "sales", "engineer", "engineer2", "engineer3", "admin", "admin2"),
        LOGIN_MAX_FAILURES_PER_ACCOUNT="100")
    c = srv.credentials
    customer, customer2 = srv.signup_customer(), srv.signup_customer()
    actors = {"anonymous": Actor(srv, "anonymous")}
    for role, cred in (("customer", customer), ("installer", c["installer"]), ("support", c["support"]), ("sales", c["sales"]),
                       ("engineer", c["engineer"]), ("engineer+grant", c["engineer2"]), ("admin", c["admin"])):
        actors[role] = Actor(srv, role, cred)
    other = {"customer": Actor(srv, "customer", customer2), "installer": Actor(srv, "installer", c["installer2"]),
             "engineer": Actor(srv, "engineer", c["engineer3"]), "admin": Actor(srv, "admin", c["admin2"])}

    # engineer+grant: an approved break-glass grant that outlasts the run.
    asked = srv.post("/api/v1/staff/break-glass", token=actors["engineer+grant"].token,
                     json={"reason": "INC-1 authorization matrix check", "durationMinutes": 60})
    assert asked.status_code == 201, asked.text
    assert srv.post(f"/api/v1/staff/break-glass/{asked.json()['id']}/approve", token=other["engineer"].token).status_code == 200

    # Installers serving Madrid; orders for the customer and the other customer.
    for who in (actors["installer"], other["installer"]):
        assert srv.put("/api/v1/installer/profile", token=who.token, json=PROFILE).status_code == 200

    def order(owner: Actor, dispatch: bool) -> str:
        r = srv.post("/api/v1/orders", token=owner.token, json=order_body(location=MADRID))
        assert r.status_code == 201, r.text
        if dispatch:
            assert srv.post(f"/api/v1/orders/{r.json()['id']}/accept-quote", token=owner.token).json()["status"] == "dispatching"
        return r.json()["id"]

    def offer(installer: Actor, order_id: str) -> str:
        items = srv.get("/api/v1/installer/offers", token=installer.token).json()["items"]
        (found,) = [o["id"] for o in items if same_id(o["orderId"], order_id)]
        return found

    def assigned(installer: Actor) -> str:
        oid = order(actors["customer"], dispatch=True)
        assert srv.post(f"/api/v1/installer/offers/{offer(installer, oid)}/accept", token=installer.token).status_code == 200
        return oid

    open_order = order(actors["customer"], dispatch=True)
    objects = {
        "order": (order(actors["customer"], False), order(other["customer"], False)),
        "job": (assigned(actors["installer"]), assigned(other["installer"])),
        "offer": (offer(actors["installer"], open_order), offer(other["installer"], open_order)),
        "customer": customer.id,
        "staff-order": order(actors["customer"], False),
        "account": srv.signup_customer().id,
        "asset": re.search(r'/static/([^"\']+)', srv.get("/").text).group(1),
    }
    yield srv, actors, other, objects
    running.stop()


# ----------------------------------------------------------------------------- requests


def body_for(key: str, world_objects: dict) -> dict:
    """A plausible request for each route (any refusal on the merits still counts as allow)."""
    strong = unique("Pw-") + "-long-enough"
    bodies = {
        "POST /api/v1/webhooks/payments": {"data": b"{}"},
        "POST /api/v1/auth/signup": {"json": {"email": "not-an-email", "password": "x", "name": "", "phone": "1"}},
        "POST /api/v1/auth/login": {"json": {"email": f"{unique()}@example.com", "password": "wrong-password-123"}},
        "POST /api/v1/auth/refresh": {"json": {"refreshToken": "x" * 43}},
        "POST /api/v1/auth/verify-email": {"json": {"token": "x" * 43}},
        "POST /api/v1/auth/password-reset": {"json": {"email": f"{unique()}@example.com"}},
        "POST /api/v1/auth/password-reset/confirm": {"json": {"token": "x" * 43, "newPassword": strong}},
        "POST /api/v1/auth/invitation": {"json": {"token": "x" * 43, "password": strong}},
        "POST /api/v1/me/reauth": {"json": {"password": "wrong-password-123"}},
        "POST /api/v1/me/password": {"json": {"currentPassword": "wrong-password-123", "newPassword": strong}},
        "POST /api/v1/me/email": {"json": {"email": f"{unique()}@example.com"}},
        "POST /api/v1/me/email/confirm": {"json": {"code": "000000"}},
        "DELETE /api/v1/me/mfa/totp": {"json": {"password": "wrong-password-123", "totpCode": "000000"}},
        "POST /api/v1/me/mfa/totp/confirm": {"json": {"code": "000000"}},
        "POST /api/v1/orders": {"json": order_body()},
        "POST /api/v1/installer/jobs/{id}/status": {"json": {"status": "in_progress"}},
        "PUT /api/v1/installer/profile": {"json": PROFILE},
        "POST /api/v1/staff/customer-search": {"json": {"query": "someone@example.com"}},
        "POST /api/v1/staff/customers/{id}/reveal": {"json": {"reason": "Customer called about the date", "ticket": "SUP-7"}},
        "PATCH /api/v1/staff/orders/{id}": {"json": {"action": "hold", "reason": "Matrix check hold"}},
        "POST /api/v1/staff/break-glass": {"json": {"reason": "INC-2 matrix check request", "durationMinutes": 5}},
        "POST /api/v1/admin/accounts": {"json": {"email": f"{unique('i')}@staff.example.com", "name": "New installer",
                                                 "phone": unique_phone(), "role": "installer"}},
        "PUT /api/v1/admin/accounts/{id}/role": {"json": {"role": "installer"}},
        "POST /login": {"form": {"email": f"{unique()}@example.com", "password": "wrong-password-123"}},
        "POST /signup": {"form": {"email": "not-an-email", "password": "x", "name": "", "phone": "1"}},
        "POST /password/forgot": {"form": {"email": f"{unique()}@example.com"}},
        "POST /password/reset": {"form": {"token": "x" * 43, "password": strong}},
        "POST /invitation": {"form": {"token": "x" * 43, "password": strong}},
        "POST /verify-email": {"form": {"token": "x" * 43}},
        "POST /account/email": {"form": {"email": f"{unique()}@example.com", "password": "wrong-password-123"}},
        "POST /account/email/confirm": {"form": {"code": "000000"}},
        "POST /account/password": {"form": {"currentPassword": "wrong-password-123", "newPassword": strong}},
        "POST /account/mfa/confirm": {"form": {"code": "000000"}},
        # Not confirmed (422): the customer actor must survive. The API's deletion answers 409
        # for it (it always holds an open order: the "job" objects), which also counts as allowed.
        "POST /account/delete": {"form": {"confirm": "nope"}},
        # A wrong password: a right one would replace the actor's cookie for the cells after it.
        "POST /account/reauth": {"form": {"password": "wrong-password-123", "next": "/account/security"}},
        "POST /account/mfa/disable": {"form": {"password": "wrong-password-123", "totpCode": "000000"}},
        "POST /orders": {"form": {"line1": "Calle de Alcala 42", "city": "Madrid", "region": "Madrid", "postalCode": "28014",
                                  "country": "ES", "systemSizeKw": "6.5", "panelCount": "16", "roofType": "tile"}},
        "POST /installer/profile": {"form": {"latitude": "40.45", "longitude": "-3.69", "radiusKm": "50", "available": "on"}},
        "POST /installer/jobs/{id}/status": {"form": {"status": "in_progress"}},
        "POST /staff/customers": {"form": {"query": "someone@example.com"}},
        "POST /staff/customers/{id}/reveal": {"form": {"reason": "Customer called about the date", "ticket": "SUP-7"}},
        "POST /staff/orders/{id}": {"form": {"action": "hold", "reason": "Matrix check hold"}},
        "POST /staff/break-glass": {"form": {"reason": "INC-3 matrix check request", "durationMinutes": "5"}},
        "POST /admin/accounts": {"form": {"email": f"{unique('i')}@staff.example.com", "name": "New installer",
                                          "phone": unique_phone(), "role": "installer"}},
        "POST /admin/accounts/{id}/role": {"form": {"role": "installer"}},
    }
    return bodies.get(key, {})


def grant_ids(srv, actor: Actor, other: dict, kind: str) -> tuple[str, str]:
    """Fresh pending requests: (the caller's own, another staff member's)."""
    def break_glass(who: Actor) -> str:
        r = srv.post("/api/v1/staff/break-glass", token=who.token, json={"reason": "INC-4 matrix check", "durationMinutes": 5})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def role_grant(who: Actor) -> str:
        target = srv.signup_customer().id
        r = srv.put(f"/api/v1/admin/accounts/{target}/role", token=who.token, json={"role": "support"})
        assert r.status_code == 202, r.text
        return r.json()["id"]

    if kind == "break-glass":
        foreign = break_glass(other["engineer"])
        return (break_glass(actor) if actor.role in ("engineer", "engineer+grant", "admin") else foreign), foreign
    foreign = role_grant(other["admin"])
    return (role_grant(actor) if actor.role == "admin" else foreign), foreign


def object_ids(key, entry, actor, world) -> tuple[str, str]:
    srv, _, other, objects = world
    kind = entry.get("object")
    if kind is None:
        return "", ""
    if kind in ("break-glass", "role-grant"):
        return grant_ids(srv, actor, other, kind)
    if kind == "session":
        foreign = other["customer"].session_ids()
        foreign_id = sorted(foreign)[0]
        return (actor.extra_session() if actor.token else foreign_id), foreign_id
    value = objects[kind]
    return value if isinstance(value, tuple) else (value, value)


def send(srv, key: str, path_id: str, actor: Actor, objects) -> requests.Response:
    method, template = key.split(" ", 1)
    path = template.replace("{id}", path_id).replace("{name}", path_id)
    spec = body_for(key, objects)
    headers = {}
    if template.startswith("/api/"):
        if actor.token:
            headers["Authorization"] = f"Bearer {actor.token}"
        kwargs = {"json": spec["json"]} if "json" in spec else {"data": spec.get("data")} if "data" in spec else {}
    else:
        headers.update(same_origin(srv))
        if actor.cookie:
            headers["Cookie"] = f"{SESSION_COOKIE}={actor.cookie}"
        kwargs = {}
        if method == "POST":
            kwargs["data"] = {**spec.get("form", {}), **({"_csrf": actor.csrf} if actor.csrf else {})}
            if key in STEP_UP and actor.cred is not None:
                kwargs["data"]["password"] = actor.cred.password
                if actor.cred.email in TOTP_SECRETS:
                    kwargs["data"]["totpCode"] = unused_totp(actor.cred.email)
    r = requests.request(method, srv.url(path), headers=headers, allow_redirects=False, timeout=60, **kwargs)
    if key in STEP_UP:
        actor.adopt_rotated_cookie(r)
    if key in NEW_RECOVERY_CODES and r.status_code == 200 and actor.cred is not None:
        # The actor's later logins spend recovery codes: keep the ones that replaced the old.
        RECOVERY[actor.cred.email] = (r.json()["recoveryCodes"] if template.startswith("/api/")
                                      else re.findall(r'<code class="mono">([^<]+)</code>', r.text))
    return r


def outcome(key: str, r: requests.Response) -> str:
    """What the response says about authorization: login, deny, hidden, or through."""
    api = key.split(" ", 1)[1].startswith("/api/")
    kind = r.json().get("type", "") if api and r.headers.get("Content-Type", "").startswith("application/problem+json") else ""
    if api:
        if r.status_code == 401 and kind == "/problems/unauthorized":
            return "login"
        if r.status_code == 403 and kind not in ("/problems/cross-site-request", "/problems/mfa-enrollment-required"):
            return "deny"
        if r.status_code == 404 and kind == "/problems/not-found":
            return "hidden"
    else:
        if r.status_code in (302, 303) and r.headers.get("Location", "").startswith("/login"):
            return "login"
        if r.status_code == 403:
            return "deny"
        if r.status_code == 404:
            return "hidden"
    return "through"


def matches(expected: str, got: str, r) -> bool:
    if r.status_code >= 500:
        return False
    if expected in ("allow", "public"):
        return got == "through"
    return expected == got


def test_every_cell_on_a_live_server(world):
    srv, actors, _, objects = world
    mismatches, cells = [], 0
    ordered = [k for k in ENTRIES if k not in TERMINAL] + list(TERMINAL)
    for key in ordered:
        entry = ENTRIES[key]
        for role in ROLES:
            actor = actors[role].fresh(key) if key in TERMINAL else actors[role]
            cell = entry[role]
            own, foreign = object_ids(key, entry, actor, world)
            cases = [("own", own, cell[0]), ("foreign", foreign, cell[1])] if isinstance(cell, list) else [("", own, cell)]
            for which, path_id, expected in cases:
                r = send(srv, key, path_id, actor, objects)
                cells += 1
                got = outcome(key, r)
                if not matches(expected, got, r):
                    mismatches.append(f"{key} as {role}{' (' + which + ')' if which else ''}: expected {expected}, got {r.status_code} ({got})")
    assert cells >= len(ENTRIES) * len(ROLES), cells
    assert not mismatches, f"{len(mismatches)} of {cells} cells differ:\n" + "\n".join(mismatches)
