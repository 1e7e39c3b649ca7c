"""Black-box security checks: start a real `solar serve` for the whole session.

The binary is `$SOLAR_BIN` (default `<repo>/.build/debug/solar`). It is copied into the
session's temporary directory first, so a concurrent rebuild cannot change it mid-run.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import os
import re
import struct
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent
CORS_ORIGIN = "https://app.solardispatch.example"
READY_TIMEOUT = 60
STOP_TIMEOUT = 20
STAFF_ROLES = ("installer", "support", "sales", "engineer", "admin")
# A second administrator approves the staff roles the first one asks for (two-person rule).
SERVER_ACCOUNTS = (*STAFF_ROLES, "admin2")


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def unique_phone() -> str:
    # E.164: + and 11 digits, first not zero.
    return "+346" + str(uuid.uuid4().int)[:8].rjust(8, "1")


def totp_code(secret_b32: str, step_offset: int = 0) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), as an authenticator app computes it."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int(time.time()) // 30 + step_offset
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


DEVICES: dict = {}  # email -> the trusted-device token of the checks' last login to that account
TOTP_SECRETS: dict = {}  # email -> base32 secret of accounts enrolled by the checks
TOTP_LAST: dict = {}  # email -> last step offset used, to avoid replaying a code
RECOVERY: dict = {}  # email -> unused recovery codes of accounts enrolled by the checks
TOKENS: dict = {}  # (server, role) -> access token
RECENT: dict = {}  # (server, key) -> (access token, monotonic time of its login)
SESSION_KEYS = "checks:" + base64.b64encode(os.urandom(32)).decode()
SESSION_AUDIT_KEY = base64.b64encode(os.urandom(32)).decode()
SESSION_INDEX_KEY = base64.b64encode(os.urandom(32)).decode()


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def wait_for_binary(path: Path, timeout: float = 180) -> None:
    """Waits until the binary exists and has not changed for a moment (a rebuild may be writing it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            st = path.stat()
            if os.access(path, os.X_OK) and time.time() - st.st_mtime > 2:
                time.sleep(0.5)
                if path.stat().st_mtime == st.st_mtime and path.stat().st_size == st.st_size:
                    return
        except FileNotFoundError:
            pass
        time.sleep(1)
    pytest.exit(f"server binary {path} not available after {timeout} s", returncode=3)


def base_env(tmp: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {
        "ENVIRONMENT", "PUBLIC_ORIGIN", "AUTO_MIGRATE", "CORS_ALLOWED_ORIGINS", "LOG_LEVEL",
        "TRUST_PROXY_HEADERS", "TRUSTED_PROXY_HOPS", "TRUSTED_PROXY_CIDRS", "DATABASE_URL", "PORT", "HOST",
    }}
    env.update(
        DATABASE_URL=f"sqlite:{tmp / 'solar.sqlite'}",
        HOST="127.0.0.1",
        ENVIRONMENT="test",
        CORS_ALLOWED_ORIGINS=CORS_ORIGIN,
        PASSWORD_HASH_THREADS="2",
        # No outbound network here: production's default breached-password check stays off in the checks.
        PWNED_PASSWORDS="off",
        # Every check comes from 127.0.0.1: the per-address limit is tested on its own server.
        LOGIN_MAX_FAILURES_PER_ADDRESS="100000",
        # Likewise the anti-automation limits: each check signs up, orders and searches from
        # 127.0.0.1 far more than a person would (the limits are tested in ActionLimiterTests).
        RATE_LIMITS=",".join(f"{a}=1000000,{a}@address=1000000" for a in (
            "signup", "password-reset", "email-change", "create-order", "accept-quote", "accept-offer",
            "customer-search", "reveal", "break-glass", "login-code")),
        MAIL_DIRECTORY=str(tmp / "mail"),
        ENCRYPTION_KEYS=SESSION_KEYS,
        AUDIT_KEY=SESSION_AUDIT_KEY,
        BLIND_INDEX_KEY=SESSION_INDEX_KEY,
        # Each server gets its own internal metrics port.
        METRICS_PORT=str(free_port()),
    )
    env.update(extra)
    if env["ENVIRONMENT"] == "test":
        # Customers' logins from new devices need an emailed code; the checks log customers in
        # as a known device would, except those that test the code (test_identity). Only the
        # test environment accepts this switch.
        env.setdefault("NEW_DEVICE_EMAIL_CODE", "false")
    return env


@dataclasses.dataclass
class Credential:
    email: str
    password: str
    role: str
    name: str
    phone: str
    id: str | None = None


@dataclasses.dataclass
class Server:
    base_url: str
    credentials: dict  # role -> Credential
    log_path: Path
    tmp: Path
    binary: Path
    port: int
    metrics_port: int = 0

    def url(self, path: str) -> str:
        return self.base_url + path

    # ---- HTTP shortcuts (no session reuse: every call is an independent request)
    def get(self, path, token=None, **kw):
        return requests.request("GET", self.url(path), headers=self._h(token, kw), timeout=30, **kw)

    def post(self, path, token=None, **kw):
        return requests.request("POST", self.url(path), headers=self._h(token, kw), timeout=30, **kw)

    def put(self, path, token=None, **kw):
        return requests.request("PUT", self.url(path), headers=self._h(token, kw), timeout=30, **kw)

    def request(self, method, path, token=None, **kw):
        return requests.request(method, self.url(path), headers=self._h(token, kw), timeout=30, **kw)

    @staticmethod
    def _h(token, kw):
        headers = dict(kw.pop("headers", None) or {})
        if token:
            headers.update(auth(token))
        return headers

    # ---- account helpers
    def login(self, email: str, password: str) -> str:
        """An API login as the checks' one device: its trusted-device token (once it has one)
        spares customers the emailed new-device code; without it the code is read from the spool."""
        device = {"deviceToken": DEVICES[email]} if email in DEVICES else {}
        sent = len(self.login_codes(email))
        r = self.post("/api/v1/auth/login", json={"email": email, "password": password, **device})
        if r.status_code == 401 and r.json().get("type") == "/problems/email-code-required":
            deadline = time.monotonic() + 20  # the outbox delivers every 2 s
            while len(codes := self.login_codes(email)) <= sent:
                assert time.monotonic() < deadline, f"no login code emailed to {email}"
                time.sleep(0.3)
            r = self.post("/api/v1/auth/login", json={"email": email, "password": password, "emailCode": codes[-1]})
        if r.status_code == 401 and r.json().get("type") == "/problems/mfa-required" and email in TOTP_SECRETS:
            # Each TOTP code works once: walk forward through the accepted skew window.
            for offset in (0, 1):
                step = int(time.time()) // 30 + offset
                if TOTP_LAST.get(email, -1) >= step:
                    continue
                r = self.post("/api/v1/auth/login", json={"email": email, "password": password,
                                                         "totpCode": totp_code(TOTP_SECRETS[email], offset)})
                if r.status_code == 200:
                    TOTP_LAST[email] = step
                    break
            else:
                time.sleep(31 - time.time() % 30)
                return self.login(email, password)
        assert r.status_code == 200, f"login {email}: {r.status_code} {r.text}"
        body = r.json()
        assert body.get("tokenType") == "Bearer"
        if body.get("deviceToken"):
            DEVICES[email] = body["deviceToken"]
        return body["accessToken"]

    def login_codes(self, email: str) -> list[str]:
        """The login codes emailed to `email` so far, oldest first."""
        return [m.group(1) for m in (re.search(r"code is: ([0-9]{6})", x["body"])
                                     for x in self.mail_to(email, timeout=0) if "login code" in x["subject"]) if m]

    def token(self, role: str) -> str:
        """A logged-in token for a role: reused while it still works, since each staff login
        spends a TOTP code (at most two per 30-second window)."""
        cached = TOKENS.get((self.base_url, role))
        if cached and self.get("/api/v1/me", token=cached).status_code == 200:
            return cached
        c = self.credentials[role]
        TOKENS[(self.base_url, role)] = self.login(c.email, c.password)
        return TOKENS[(self.base_url, role)]

    def signup_customer(self, **overrides) -> Credential:
        """Signs up a fresh customer and fills in its id (from /me, in a session that is then
        logged out, so the account has no session afterwards)."""
        cred, token = self._signup(**overrides)
        assert self.post("/api/v1/auth/logout", token=token).status_code == 204
        return cred

    def _signup(self, **overrides) -> tuple[Credential, str]:
        """Signup answers 202 and the same body whether or not the email has an account, so
        the new account's id comes from /me; a customer may log in before confirming the email.
        Returns (credential, access token)."""
        cred = Credential(
            email=overrides.get("email", f"{unique('cust')}@example.com"),
            password=overrides.get("password", unique("Pw-") + "-long"),
            role="customer",
            name=overrides.get("name", "Test Customer"),
            phone=overrides.get("phone", unique_phone()),
        )
        r = self.post("/api/v1/auth/signup", json={
            "email": cred.email, "password": cred.password, "name": cred.name, "phone": cred.phone,
        })
        assert r.status_code == 202 and r.json() == {"status": "accepted"}, f"signup: {r.status_code} {r.text}"
        token = self.login(cred.email, cred.password)
        me = self.get("/api/v1/me", token=token)
        assert me.status_code == 200 and me.json()["role"] == "customer", me.text
        cred.id = me.json()["id"]
        return cred, token

    def new_customer(self) -> tuple[Credential, str]:
        """Signs up a fresh customer and logs in; returns (credential, token)."""
        return self._signup()

    def mail_to(self, address: str, subject_part: str = "", timeout: float = 15) -> list[dict]:
        """The emails the server delivered to `address` (its MAIL_DIRECTORY spool, filled by the
        outbox every 2 s), oldest first; waits until one has `subject_part` in its subject."""
        deadline = time.monotonic() + timeout
        while True:
            found = []
            for path in sorted((self.tmp / "mail").glob("*.json")):
                try:
                    message = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue  # being written
                if message.get("to") == address:
                    found.append(message)
            if any(subject_part in m.get("subject", "") for m in found) or time.monotonic() > deadline:
                return found
            time.sleep(0.3)

    def create_account(self, role: str, admin_token: str | None = None) -> Credential:
        """Creates an account through the admin API; its owner chooses the password with the
        emailed invitation code."""
        admin_token = admin_token or self.token("admin")
        cred = Credential(
            email=f"{unique(role)}@staff.example.com", password=unique("Pw-") + "-long",
            role=role, name=f"Extra {role}", phone=unique_phone(),
        )
        r = self.post("/api/v1/admin/accounts", token=admin_token, json={
            "email": cred.email, "name": cred.name, "phone": cred.phone, "role": role,
        })
        if r.status_code in (201, 202):
            self.accept_invitation(cred)
        if role in ("installer", "customer"):
            assert r.status_code == 201, f"admin create {role}: {r.status_code} {r.text}"
            assert r.json()["role"] == role
            cred.id = r.json()["id"]
            if role == "installer":  # installers must use MFA: they enrol at their first login
                enroll_totp(self, cred)
            return cred
        # A staff account waits, locked, until a second administrator approves its role.
        assert r.status_code == 202, f"admin create {role}: {r.status_code} {r.text}"
        grant = r.json()
        assert grant["createsAccount"] is True and grant["toRole"] == role, grant
        approved = self.post(f"/api/v1/admin/role-grants/{grant['id']}/approve", token=self.recent_token("admin2"))
        assert approved.status_code == 200, f"second admin approval: {approved.status_code} {approved.text}"
        cred.id = grant["accountId"]
        return cred

    def accept_invitation(self, cred: Credential) -> None:
        """Reads the invitation code from the mail spool and sets the credential's password with it."""
        mails = [m for m in self.mail_to(cred.email, "invited", timeout=20) if "invited" in m["subject"]]
        assert mails, f"no invitation emailed to {cred.email}"
        code = re.search(r"code is: (\S+)", mails[-1]["body"]).group(1)
        r = self.post("/api/v1/auth/invitation", json={"token": code, "password": cred.password})
        assert r.status_code == 204, f"accept invitation: {r.status_code} {r.text}"

    def recent_token(self, key: str) -> str:
        """A token whose login is recent enough for step-up actions (5 minutes; 4 to be safe)."""
        cached = RECENT.get((self.base_url, key))
        # Still recent, and still a live session (a login past the per-account session limit
        # may have ended it).
        if cached and time.monotonic() - cached[1] < 240 and self.get("/api/v1/me", token=cached[0]).status_code == 200:
            return cached[0]
        c = self.credentials[key]
        token = self.login(c.email, c.password)
        RECENT[(self.base_url, key)] = (token, time.monotonic())
        return token

    def read_log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def order_body(**overrides) -> dict:
    body = {
        "address": {
            "line1": "Calle de Alcala 42",
            "city": "Madrid",
            "region": "Madrid",
            "postalCode": "28014",
            "country": "ES",
        },
        "location": {"latitude": 40.4168, "longitude": -3.7038},
        "systemSizeKw": 6.5,
        "panelCount": 16,
        "roofType": "tile",
    }
    for key, value in overrides.items():
        body[key] = value
    return body


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def solar_bin(tmp_root) -> Path:
    source = Path(os.environ.get("SOLAR_BIN", REPO / ".build" / "debug" / "solar"))
    wait_for_binary(source)
    target = tmp_root / "solar"
    for _ in range(5):
        try:
            shutil.copy2(source, target)
            break
        except (FileNotFoundError, OSError):
            time.sleep(2)
            wait_for_binary(source)
    os.chmod(target, 0o755)
    return target


@pytest.fixture(scope="session")
def tmp_root():
    d = Path(tempfile.mkdtemp(prefix="solar-checks-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def run_cli(binary: Path, args: list, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), *args], env=env, capture_output=True, text=True, timeout=timeout)


def create_cli_accounts(binary: Path, tmp: Path, env: dict, roles=STAFF_ROLES) -> dict:
    """Creates one account per role with `solar accounts create` (which migrates itself)."""
    credentials = {}
    for i, key in enumerate(roles, start=1):
        role = key.rstrip("0123456789")
        cred = Credential(
            email=f"{role}.{uuid.uuid4().hex[:6]}@staff.example.com",
            password=f"pw-{uuid.uuid4().hex[:16]}",
            role=role, name=f"The {role}", phone=f"+3460000000{i}",
        )
        pw_file = tmp / f"{key}.pw"
        fd = os.open(pw_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(cred.password + "\n")
        os.chmod(pw_file, 0o600)
        r = run_cli(binary, ["accounts", "create", "--email", cred.email, "--role", role,
                             "--password-file", str(pw_file), "--name", cred.name, "--phone", cred.phone], env)
        assert r.returncode == 0, f"accounts create {role} failed ({r.returncode}): {r.stdout}\n{r.stderr}"
        assert cred.password not in r.stdout + r.stderr, "the CLI printed the password"
        credentials[key] = cred
    return credentials


class Running:
    """A `solar serve` process with its log."""

    def __init__(self, binary: Path, tmp: Path, env: dict, port: int):
        self.log_path = tmp / "server.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([str(binary), "serve"], env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self.base_url = f"http://127.0.0.1:{port}"

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if requests.get(self.base_url + "/health/ready", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.kill()
        pytest.fail(f"server did not become ready (exit={self.proc.returncode}):\n{self.log_path.read_text()[-4000:]}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log.close()

    def stop(self) -> int | None:
        """SIGTERM; the exit code, or None when the process did not exit in time (then it is killed)."""
        if self.proc.poll() is not None:
            self._log.close()
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            code = None
        self.kill()
        return code


def enroll_totp(srv: "Server", cred: Credential) -> None:
    """Staff and installers must use MFA: enrol through the API as a new staff member would."""
    r = srv.post("/api/v1/auth/login", json={"email": cred.email, "password": cred.password})
    assert r.status_code == 200 and r.json()["mfaEnrollmentRequired"] is True, r.text
    limited = r.json()["accessToken"]
    start = srv.post("/api/v1/me/mfa/totp", token=limited)
    assert start.status_code == 201, start.text
    secret = start.json()["secret"]
    confirm = srv.post("/api/v1/me/mfa/totp/confirm", token=limited, json={"code": totp_code(secret)})
    assert confirm.status_code == 200 and len(confirm.json()["recoveryCodes"]) == 10, confirm.text
    TOTP_SECRETS[cred.email] = secret
    RECOVERY[cred.email] = list(confirm.json()["recoveryCodes"])
    TOTP_LAST[cred.email] = int(time.time()) // 30


def launch(binary: Path, tmp: Path, roles=SERVER_ACCOUNTS, **extra_env: str) -> tuple[Server, Running]:
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = base_env(tmp, PORT=str(port), **extra_env)
    credentials = create_cli_accounts(binary, tmp, env, roles)
    running = Running(binary, tmp, env, port)
    running.wait_ready()
    srv = Server(base_url=running.base_url, credentials=credentials, log_path=running.log_path, tmp=tmp,
                 binary=binary, port=port, metrics_port=int(env["METRICS_PORT"]))
    for key, cred in credentials.items():
        enroll_totp(srv, cred)
        me = srv.get("/api/v1/me", token=srv.token(key))
        assert me.status_code == 200 and me.json()["role"] == cred.role
        cred.id = me.json()["id"]
    return srv, running


@pytest.fixture(scope="session")
def server(solar_bin, tmp_root) -> Server:
    srv, running = launch(solar_bin, tmp_root / "server")
    yield srv
    assert running.alive(), f"the server died during the session (exit {running.proc.returncode}):\n{srv.read_log()[-3000:]}"
    code = running.stop()
    assert code is not None, f"server did not exit within {STOP_TIMEOUT} s of SIGTERM"
    assert code == 0, f"server exited with {code} after SIGTERM:\n{srv.read_log()[-2000:]}"


@pytest.fixture
def disposable_server(solar_bin, tmp_root):
    """A separate server (own database, one installer) for probes that might crash it.
    Yields (Server, Running)."""
    srv, running = launch(solar_bin, tmp_root / f"disposable-{uuid.uuid4().hex[:8]}", roles=("installer",))
    yield srv, running
    running.stop()


@pytest.fixture(scope="session")
def tokens(server) -> dict:
    """A logged-in token for every CLI-created role."""
    return {role: server.token(role) for role in STAFF_ROLES}


@pytest.fixture
def customer(server):
    """A fresh customer: (credential, token)."""
    return server.new_customer()
