"""A role's sessions on a live server for the checks that act as every role: an API token
and a web session (cookie and CSRF token), opened with the password and, for staff, a recovery
code (each TOTP code works once, recovery codes give more logins per account)."""

from __future__ import annotations

import re
import time

import requests

from conftest import RECOVERY, TOTP_LAST, TOTP_SECRETS, totp_code

SESSION_COOKIE = "__Host-sd_session"


class Actor:
    """One role's API token and web session (cookie and CSRF token) on the matrix server."""

    def __init__(self, srv, role: str, cred=None, api: bool = True, web: bool = True):
        self.srv, self.role, self.cred = srv, role, cred
        self.token = self.cookie = self.csrf = None
        if cred is not None and api:
            self.token = self.api_login()
        if cred is not None and web:
            self.cookie, self.csrf = self.web_login()

    def _second_factor(self) -> dict:
        return {"recoveryCode": RECOVERY[self.cred.email].pop()} if self.cred.email in RECOVERY else {}

    def api_login(self) -> str:
        r = self.srv.post("/api/v1/auth/login", json={"email": self.cred.email, "password": self.cred.password, **self._second_factor()})
        assert r.status_code == 200, f"{self.role} login: {r.status_code} {r.text}"
        return r.json()["accessToken"]

    def web_login(self) -> tuple[str, str]:
        form = {"email": self.cred.email, "password": self.cred.password, **self._second_factor()}
        r = requests.post(self.srv.url("/login"), data=form, headers=same_origin(self.srv), allow_redirects=False, timeout=30)
        found = re.search(SESSION_COOKIE + r"=([^;]+)", r.headers.get("Set-Cookie", ""))
        assert r.status_code == 303 and found, f"{self.role} web login: {r.status_code}"
        cookie = found.group(1)
        page = requests.get(self.srv.url("/dashboard"), headers={"Cookie": f"{SESSION_COOKIE}={cookie}"}, timeout=30)
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page.text)
        assert page.status_code == 200 and csrf, f"{self.role} dashboard: {page.status_code}"
        return cookie, csrf.group(1)

    def adopt_rotated_cookie(self, r: requests.Response) -> None:
        """A step-up replaces the session cookie (and so the form token): follow it."""
        found = re.search(SESSION_COOKIE + r"=([^;]+)", r.headers.get("Set-Cookie", ""))
        if not found or found.group(1) == self.cookie:
            return
        self.cookie = found.group(1)
        page = requests.get(self.srv.url("/account"), headers={"Cookie": f"{SESSION_COOKIE}={self.cookie}"}, timeout=30)
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page.text)
        assert page.status_code == 200 and csrf, f"{self.role} after a step-up: {page.status_code}"
        self.csrf = csrf.group(1)

    def session_ids(self) -> set:
        r = self.srv.get("/api/v1/me/sessions", token=self.token)
        assert r.status_code == 200, r.text
        return {s["id"] for s in r.json()["items"]}

    def extra_session(self) -> str:
        """Opens another session of this account and returns its id."""
        before = self.session_ids()
        self.api_login()
        (new,) = self.session_ids() - before
        return new

    def fresh(self, key: str) -> "Actor":
        """The same account in a new session of the kind `key` uses (for requests that end sessions)."""
        api = key.split(" ", 1)[1].startswith("/api/")
        return Actor(self.srv, self.role, self.cred, api=api, web=not api) if self.cred is not None else self


def unused_totp(email: str) -> str:
    """A TOTP code this account has not used yet (each is accepted once), waiting for the next step if needed."""
    while True:
        for offset in (0, 1):
            step = int(time.time()) // 30 + offset
            if TOTP_LAST.get(email, -1) < step:
                TOTP_LAST[email] = step
                return totp_code(TOTP_SECRETS[email], offset)
        time.sleep(31 - time.time() % 30)


def same_origin(srv) -> dict:
    return {"Sec-Fetch-Site": "same-origin", "Origin": srv.base_url}
