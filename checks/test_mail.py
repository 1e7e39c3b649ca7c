"""Email that arrives: the outbox delivers over SMTP to a real server on loopback (aiosmtpd) with
TLS, the relay's certificate verified and AUTH from a *_FILE secret; it refuses to send where TLS
is missing or the certificate is not trusted, retries with backoff, and links use the configured
public origin, never the request's Host."""

from __future__ import annotations

import email
import os
import re
import ssl
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from conftest import Running, base_env, free_port

ORIGIN = "https://app.solardispatch.example"
DELIVERY_TIMEOUT = 20


class Inbox:
    """aiosmtpd handler: keeps every message with how it arrived."""

    def __init__(self):
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"to": envelope.rcpt_tos, "from": envelope.mail_from, "data": envelope.content,
                              "tls": server.transport.get_extra_info("ssl_object") is not None, "authenticated": session.authenticated})
        return "250 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"solar-mailer" and auth_data.password == b"relay-secret-1"
    return AuthResult(success=ok)


def make_ca(d: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for localhost signed by it: (ca.pem, cert.pem, key.pem)."""
    d.mkdir(parents=True, exist_ok=True)
    run = lambda *a: subprocess.run(a, cwd=d, check=True, capture_output=True)  # noqa: E731
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}", "-keyout", "ca.key", "-out", "ca.pem")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "key.pem", "-out", "req.csr")
    (d / "san.ext").write_text("subjectAltName=DNS:localhost\n")
    run("openssl", "x509", "-req", "-in", "req.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
        "-extfile", "san.ext", "-out", "cert.pem")
    return d / "ca.pem", d / "cert.pem", d / "key.pem"


@pytest.fixture(scope="module")
def pki(tmp_root):
    return {"trusted": make_ca(tmp_root / "pki-trusted", "SolarDispatch test mail CA"),
            "untrusted": make_ca(tmp_root / "pki-other", "Somebody else's CA")}


def relay(inbox: Inbox, port: int, cert: tuple[Path, Path, Path] | None, mode: str = "starttls") -> Controller:
    kwargs: dict = {"hostname": "127.0.0.1", "port": port, "authenticator": authenticator, "auth_require_tls": True}
    if cert is not None:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(cert[1]), str(cert[2]))
        if mode == "tls":
            # aiosmtpd counts only STARTTLS for auth_require_tls; here the whole connection is TLS.
            kwargs.update(ssl_context=ctx, auth_require_tls=False)
        else:
            kwargs.update(tls_context=ctx, require_starttls=True)
    controller = Controller(inbox, **kwargs)
    controller.start()
    return controller


def serve(solar_bin, tmp: Path, smtp_port: int, ca: Path, mode: str = "starttls") -> Running:
    tmp.mkdir(parents=True, exist_ok=True)
    password_file = tmp / "smtp.pw"
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("relay-secret-1\n")
    port = free_port()
    env = base_env(tmp, PORT=str(port), PUBLIC_ORIGIN=ORIGIN, SMTP_HOST="localhost", SMTP_PORT=str(smtp_port), SMTP_TLS=mode,
                   SMTP_TLS_CA_FILE=str(ca), SMTP_FROM="no-reply@solardispatch.example", SMTP_USERNAME="solar-mailer",
                   SMTP_PASSWORD_FILE=str(password_file), OUTBOX_RETRY_SECONDS="1")
    running = Running(solar_bin, tmp, env, port)
    running.wait_ready()
    return running


def signup(running: Running) -> str:
    address = f"mail-{uuid.uuid4().hex[:10]}@example.com"
    r = requests.post(running.base_url + "/api/v1/auth/signup", timeout=30, headers={"Host": "evil.example"},
                      json={"email": address, "password": "correct horse battery staple", "name": "Mia", "phone": "+34600111222"})
    assert r.status_code == 202, r.text
    return address


def wait_for(predicate, timeout=DELIVERY_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def text_of(message: dict) -> str:
    parsed = email.message_from_bytes(message["data"])
    return parsed.get_payload(decode=True).decode()


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_mail_reaches_the_relay_over_verified_tls_with_auth(solar_bin, tmp_root, pki, mode):
    inbox, smtp_port = Inbox(), free_port()
    controller = relay(inbox, smtp_port, pki["trusted"], mode)
    running = serve(solar_bin, tmp_root / f"mail-ok-{mode}", smtp_port, pki["trusted"][0], mode)
    try:
        address = signup(running)
        assert wait_for(lambda: inbox.messages), running.log_path.read_text()[-3000:]
        message = inbox.messages[0]
        assert message["to"] == [address] and message["from"] == "no-reply@solardispatch.example"
        assert message["tls"] and message["authenticated"]
        body = text_of(message)
        assert re.search(r"Your confirmation code is: \S+", body)
        # Links use PUBLIC_ORIGIN, never the Host the request came with.
        assert f"{ORIGIN}/verify-email" in body and "evil.example" not in body
        assert "relay-secret-1" not in running.log_path.read_text()
    finally:
        running.stop()
        controller.stop()


def test_no_tls_means_no_mail_and_the_outbox_retries_until_tls_is_there(solar_bin, tmp_root, pki):
    plain, smtp_port = Inbox(), free_port()
    controller = relay(plain, smtp_port, None)  # offers no STARTTLS
    running = serve(solar_bin, tmp_root / "mail-retry", smtp_port, pki["trusted"][0])
    try:
        signup(running)
        assert wait_for(lambda: "refusing to send without TLS" in running.log_path.read_text()), running.log_path.read_text()[-3000:]
        assert plain.messages == []
        controller.stop()
        # The relay comes back with TLS on the same port: a retry after the backoff delivers.
        inbox = Inbox()
        controller = relay(inbox, smtp_port, pki["trusted"])
        assert wait_for(lambda: inbox.messages, timeout=30), running.log_path.read_text()[-3000:]
        assert len(inbox.messages) == 1 and inbox.messages[0]["tls"]
    finally:
        running.stop()
        controller.stop()


def test_a_relay_certificate_from_another_ca_is_refused(solar_bin, tmp_root, pki):
    inbox, smtp_port = Inbox(), free_port()
    controller = relay(inbox, smtp_port, pki["untrusted"])
    running = serve(solar_bin, tmp_root / "mail-untrusted", smtp_port, pki["trusted"][0])
    try:
        signup(running)
        assert wait_for(lambda: "TLS handshake or certificate verification failed" in running.log_path.read_text()), \
            running.log_path.read_text()[-3000:]
        time.sleep(1)
        assert inbox.messages == []
    finally:
        running.stop()
        controller.stop()
