"""sqlmap against a live server: every operation that takes input (query, path, JSON body, form
fields), authenticated as a role that may call it, at --level 3 --risk 2. sqlmap exits 0 whether
or not it finds something, so its output is parsed: an injectable parameter fails the run, and so
does a target it did not finish testing. A deliberately injectable endpoint proves the parsing.

Time budget (10 minutes for the whole module on 2 cores), and why:
- techniques B, E, U (boolean-blind, error-based, UNION): time-based blind (T) waits seconds per
  payload and stacked queries (S) cannot run through a driver that prepares one statement;
  every statement here is a prepared statement with bound parameters, which defeats all five.
- --dbms SQLite: the server under test runs on SQLite, so other DBMSs' payloads prove nothing
  here (the same statements run on MariaDB, whose tests use the same bound parameters).
- User-Agent and Referer (which level 3 adds) are tested on login and signup, where the
  user agent is stored with the session; elsewhere only the request's own parameters.
- --ignore-code 401,403,404: a wrong password or an unknown id is the expected answer, and
  sqlmap would otherwise stop at the first one.
- the per-account login limit is raised (LOGIN_MAX_FAILURES_PER_ACCOUNT, allowed past 100 only
  with ENVIRONMENT=test) so that sqlmap measures injection rather than our 429s.
- up to 3 sqlmap processes at a time; the whole run takes about 3 minutes here.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from actors import Actor
from conftest import REPO, launch, order_body, unique, unique_phone

SQLMAP = Path(sys.executable).parent / "sqlmap"
BUDGET_SECONDS = 600
PER_TARGET_SECONDS = 240
COMMON = ["--batch", "--level", "3", "--risk", "2", "--technique", "BEU", "--dbms", "SQLite", "--flush-session",
          "--disable-coloring", "--timeout", "15", "--retries", "1",
          # 401 (a wrong password), 403 and 404 (an unknown or foreign id) are answers here, not errors
          "--ignore-code", "401,403,404"]
INJECTABLE = re.compile(r"sqlmap identified the following injection point|Parameter: .+ \(.+\)\n\s+Type:|is vulnerable")
FINISHED = re.compile(r"all tested parameters do not appear to be injectable|the following injection point")
ANY = "00000000-0000-4000-8000-000000000001"


def run_sqlmap(name: str, args: list, out: Path) -> tuple[str, str]:
    cmd = [str(SQLMAP), *COMMON, "--output-dir", str(out / name), *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=PER_TARGET_SECONDS)
        text = done.stdout + done.stderr
    except subprocess.TimeoutExpired as e:
        text = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        text += "\n[TIMEOUT]"
    (out / f"{name}.log").write_text(text, encoding="utf-8")
    return name, text


def verdict(text: str) -> str:
    if INJECTABLE.search(text):
        return "injectable"
    if not FINISHED.search(text):
        return "unfinished"
    return "clean"


# ----------------------------------------------------------------------------- the harness can fail


class _Vulnerable(http.server.BaseHTTPRequestHandler):
    """A deliberately injectable endpoint: builds SQL by string concatenation."""

    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.executescript("CREATE TABLE t (id INTEGER, name TEXT); INSERT INTO t VALUES (1, 'one'), (2, 'two');")
    lock = threading.Lock()

    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        try:
            with self.lock:
                rows = self.db.execute("SELECT name FROM t WHERE id = " + query.get("id", ["1"])[0]).fetchall()
            body, status = json.dumps([r[0] for r in rows]).encode(), 200
        except sqlite3.Error as e:
            body, status = str(e).encode(), 500
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_parser_reports_an_injectable_endpoint(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Vulnerable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _, text = run_sqlmap("control", ["-u", f"http://127.0.0.1:{server.server_port}/items?id=1", "--level", "1", "--risk", "1"], tmp_path)
    finally:
        server.shutdown()
    assert verdict(text) == "injectable", text[-3000:]


# ----------------------------------------------------------------------------- the server


def api(role, method, path, body=None, query=""):
    return {"kind": "api", "role": role, "method": method, "path": path, "body": body, "query": query}


def web(role, path, form, method="POST", query=""):
    return {"kind": "web", "role": role, "method": method, "path": path, "form": form, "query": query}


def targets(ids: dict) -> dict:
    """Every operation with input, keyed by the matrix's `METHOD /path`, as its allowed role sends it.
    A `*` marks a path parameter for sqlmap."""
    o, c, a, g, b = ids["order"], ids["customer"], ids["account"], ids["grant"], ids["break-glass"]
    pw = unique("Pw-") + "-long-enough"
    return {
        "POST /api/v1/webhooks/payments": api(None, "POST", "/api/v1/webhooks/payments",
                                              {"id": "evt_1", "type": "payment.succeeded", "paymentId": ANY, "orderId": o, "amountCents": 100, "currency": "EUR"}),
        "POST /api/v1/auth/signup": api(None, "POST", "/api/v1/auth/signup",
                                        {"email": f"{unique()}@example.com", "password": pw, "name": "Ana", "phone": unique_phone()}),
        "POST /api/v1/auth/login": api(None, "POST", "/api/v1/auth/login", {"email": "someone@example.com", "password": "wrong-password-1"}),
        "POST /api/v1/auth/refresh": api(None, "POST", "/api/v1/auth/refresh", {"refreshToken": "x" * 43}),
        "POST /api/v1/auth/verify-email": api(None, "POST", "/api/v1/auth/verify-email", {"token": "x" * 43}),
        "POST /api/v1/auth/password-reset": api(None, "POST", "/api/v1/auth/password-reset", {"email": "someone@example.com"}),
        "POST /api/v1/auth/password-reset/confirm": api(None, "POST", "/api/v1/auth/password-reset/confirm", {"token": "x" * 43, "newPassword": pw}),
        "POST /api/v1/auth/invitation": api(None, "POST", "/api/v1/auth/invitation", {"token": "x" * 43, "password": pw}),
        "POST /api/v1/me/reauth": api("customer", "POST", "/api/v1/me/reauth", {"password": "wrong-password-1"}),
        "POST /api/v1/me/password": api("customer", "POST", "/api/v1/me/password", {"currentPassword": "wrong-password-1", "newPassword": pw}),
        "POST /api/v1/me/email": api("customer", "POST", "/api/v1/me/email", {"email": f"{unique()}@example.com"}),
        "POST /api/v1/me/email/confirm": api("customer", "POST", "/api/v1/me/email/confirm", {"code": "123456"}),
        "DELETE /api/v1/me/mfa/totp": api("customer", "DELETE", "/api/v1/me/mfa/totp", {"password": "wrong-password-1", "totpCode": "123456"}),
        "POST /api/v1/me/mfa/totp/confirm": api("customer", "POST", "/api/v1/me/mfa/totp/confirm", {"code": "123456"}),
        "DELETE /api/v1/me/sessions/{id}": api("customer", "DELETE", f"/api/v1/me/sessions/{ANY}*"),
        "POST /api/v1/orders": api("customer", "POST", "/api/v1/orders", order_body()),
        "GET /api/v1/orders": api("customer", "GET", "/api/v1/orders", query="limit=20&offset=0"),
        "GET /api/v1/orders/{id}": api("customer", "GET", f"/api/v1/orders/{o}*"),
        "POST /api/v1/orders/{id}/accept-quote": api("customer", "POST", f"/api/v1/orders/{o}*/accept-quote"),
        "POST /api/v1/orders/{id}/cancel": api("customer", "POST", f"/api/v1/orders/{o}*/cancel"),
        "PUT /api/v1/installer/profile": api("installer", "PUT", "/api/v1/installer/profile",
                                             {"serviceArea": {"latitude": 40.45, "longitude": -3.69, "radiusKm": 50}, "available": False, "certifications": ["NABCEP"]}),
        "POST /api/v1/installer/offers/{id}/accept": api("installer", "POST", f"/api/v1/installer/offers/{ANY}*/accept"),
        "POST /api/v1/installer/jobs/{id}/status": api("installer", "POST", f"/api/v1/installer/jobs/{ANY}*/status", {"status": "in_progress"}),
        "POST /api/v1/staff/customer-search": api("support", "POST", "/api/v1/staff/customer-search", {"query": "someone@example.com"}),
        "GET /api/v1/staff/customers/{id}": api("support", "GET", f"/api/v1/staff/customers/{c}*"),
        "POST /api/v1/staff/customers/{id}/reveal": api("support", "POST", f"/api/v1/staff/customers/{c}*/reveal", {"reason": "Customer called about the date", "ticket": "SUP-7"}),
        "GET /api/v1/staff/orders/{id}": api("support", "GET", f"/api/v1/staff/orders/{o}*"),
        "PATCH /api/v1/staff/orders/{id}": api("support", "PATCH", f"/api/v1/staff/orders/{o}*", {"action": "hold", "reason": "Checking the injection"}),
        "GET /api/v1/staff/audit-events": api("admin", "GET", "/api/v1/staff/audit-events", query="limit=20&offset=0"),
        "POST /api/v1/staff/accounts/{id}/logout": api("support", "POST", f"/api/v1/staff/accounts/{a}*/logout"),
        "POST /api/v1/staff/accounts/{id}/lock": api("support", "POST", f"/api/v1/staff/accounts/{a}*/lock"),
        "POST /api/v1/staff/accounts/{id}/unlock": api("support", "POST", f"/api/v1/staff/accounts/{a}*/unlock"),
        "POST /api/v1/staff/break-glass": api("engineer", "POST", "/api/v1/staff/break-glass", {"reason": "INC-9 checking the injection", "durationMinutes": 5}),
        "POST /api/v1/staff/break-glass/{id}/approve": api("admin", "POST", f"/api/v1/staff/break-glass/{b}*/approve"),
        "POST /api/v1/admin/role-grants/{id}/approve": api("admin", "POST", f"/api/v1/admin/role-grants/{g}*/approve"),
        "POST /api/v1/admin/accounts": api("admin", "POST", "/api/v1/admin/accounts",
                                           {"email": f"{unique()}@staff.example.com", "name": "Installer", "phone": unique_phone(), "role": "installer"}),
        "PUT /api/v1/admin/accounts/{id}/role": api("admin", "PUT", f"/api/v1/admin/accounts/{a}*/role", {"role": "customer"}),
        # the web interface's forms
        "POST /login": web(None, "/login", {"email": "someone@example.com", "password": "wrong-password-1"}),
        "POST /signup": web(None, "/signup", {"email": f"{unique()}@example.com", "password": pw, "name": "Ana", "phone": unique_phone()}),
        "POST /password/forgot": web(None, "/password/forgot", {"email": "someone@example.com"}),
        "POST /password/reset": web(None, "/password/reset", {"token": "x" * 43, "password": pw}),
        "POST /verify-email": web(None, "/verify-email", {"token": "x" * 43}),
        "POST /orders": web("customer", "/orders", {"line1": "Calle de Alcala 42", "city": "Madrid", "region": "Madrid", "postalCode": "28014",
                                                    "country": "ES", "systemSizeKw": "6.5", "panelCount": "16", "roofType": "tile"}),
        "POST /staff/customers": web("support", "/staff/customers", {"query": "someone@example.com"}),
        "POST /staff/orders/{id}": web("support", f"/staff/orders/{o}*", {"action": "hold", "reason": "Checking the injection"}),
        "GET /staff/audit": web("admin", "/staff/audit", {}, method="GET", query="action=auth.login&outcome=success"),
        "GET /orders/{id}": web("customer", f"/orders/{o}*", {}, method="GET"),
        "POST /account/password": web("customer", "/account/password", {"currentPassword": "wrong-password-1", "newPassword": pw}),
    }


def sqlmap_args(target: dict, srv, actors: dict) -> list:
    url = srv.url(target["path"]) + (("?" + target["query"]) if target.get("query") else "")
    args = ["-u", url, "--method", target["method"]]
    actor = actors.get(target["role"]) if target["role"] else None
    skip = ["_csrf"]
    if target["kind"] == "api":
        headers = ["Accept: application/json"]
        if actor:
            headers.append(f"Authorization: Bearer {actor.token}")
        if target.get("body") is not None:
            args += ["--data", json.dumps(target["body"])]
            headers.append("Content-Type: application/json")
        args += ["--headers", "\n".join(headers)]
    else:
        args += ["--headers", f"Sec-Fetch-Site: same-origin\nOrigin: {srv.base_url}"]
        form = dict(target["form"])
        if actor:
            args += ["--cookie", f"__Host-sd_session={actor.cookie}"]
            skip.append("__Host-sd_session")
        if target["method"] == "POST":
            form["_csrf"] = actor.csrf if actor else ""
            args += ["--data", urllib.parse.urlencode(form)]
    if target["path"] not in ("/api/v1/auth/login", "/api/v1/auth/signup", "/login", "/signup"):
        skip += ["user-agent", "referer"]
    return args + ["--skip", ",".join(skip)]


def operations_with_input() -> set:
    spec = yaml.safe_load((REPO / "openapi.yaml").read_text(encoding="utf-8"))
    found = set()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = [p for p in op.get("parameters", []) + item.get("parameters", [])
                      if "$ref" in p or p.get("in") in ("path", "query")]
            if "requestBody" in op or any("$ref" not in p or not p["$ref"].endswith("/IdempotencyKey") for p in params):
                found.add(f"{method.upper()} {re.sub(r'{[^}]+}', '{id}', path)}")
    return found


def test_every_operation_with_input_is_a_target():
    listed = set(targets({"order": ANY, "customer": ANY, "account": ANY, "grant": ANY, "break-glass": ANY}))
    missing = operations_with_input() - listed
    assert not missing, f"operations with input that sqlmap does not test: {sorted(missing)}"


def test_sqlmap_finds_nothing_injectable(solar_bin, tmp_root):
    srv, running = launch(solar_bin, tmp_root / "sqlmap", roles=("installer", "support", "engineer", "admin", "admin2"),
                          LOGIN_MAX_FAILURES_PER_ACCOUNT="1000000")
    try:
        c = srv.credentials
        customer = srv.signup_customer()
        actors = {"customer": Actor(srv, "customer", customer)}
        for role in ("installer", "support", "engineer", "admin"):
            actors[role] = Actor(srv, role, c[role])
        order = srv.post("/api/v1/orders", token=actors["customer"].token, json=order_body()).json()["id"]
        victim = srv.signup_customer().id
        grant = srv.put(f"/api/v1/admin/accounts/{srv.signup_customer().id}/role", token=actors["admin"].token, json={"role": "support"})
        assert grant.status_code == 202, grant.text
        asked = srv.post("/api/v1/staff/break-glass", token=actors["engineer"].token, json={"reason": "INC-8 sqlmap target", "durationMinutes": 5})
        assert asked.status_code == 201, asked.text
        chosen = targets({"order": order, "customer": customer.id, "account": victim, "grant": grant.json()["id"], "break-glass": asked.json()["id"]})
        only = os.environ.get("SQLMAP_ONLY")
        if only:
            chosen = {k: v for k, v in chosen.items() if only in k}
        out = Path(os.environ.get("SQLMAP_LOGS") or tmp_root / "sqlmap-out")
        out.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=3) as pool:
            results = list(pool.map(lambda item: run_sqlmap(re.sub(r"\W+", "_", item[0]), sqlmap_args(item[1], srv, actors), out),
                                    chosen.items()))
        elapsed = time.monotonic() - started
        verdicts = {name: verdict(text) for name, text in results}
        bad = {name: v for name, v in verdicts.items() if v != "clean"}
        detail = "\n".join(f"--- {name}\n{dict(results)[name][-1500:]}" for name in bad)
        assert not bad, f"sqlmap: {bad} (logs in {out})\n{detail}"
        assert len(verdicts) == len(chosen)
        assert elapsed < BUDGET_SECONDS, f"sqlmap took {elapsed:.0f} s, over its {BUDGET_SECONDS} s budget"
        assert running.alive(), "the server died under sqlmap"
    finally:
        running.stop()
