"""Identity controls against a running server: login throttling, the password policy, MFA for
customers and staff, refresh-token rotation and reuse detection, and session revocation."""

import re
import time

import pytest

from conftest import TOTP_LAST, TOTP_SECRETS, base_env, run_cli, totp_code, unique
from helpers import assert_problem, without_instance

WRONG = "definitely-not-the-password"


def _login(server, email, password, **extra):
    return server.post("/api/v1/auth/login", json={"email": email, "password": password, **extra})


# ----------------------------------------------------------------------------- throttling


def test_repeated_failures_lock_the_account_for_known_and_unknown_emails_alike(server):
    cred = server.signup_customer()
    ghost = f"{unique('ghost')}@example.com"
    for _ in range(5):
        assert_problem(_login(server, cred.email, WRONG), 401)
        assert_problem(_login(server, ghost, WRONG), 401)
    locked = _login(server, cred.email, cred.password)  # even the right password waits out the lock
    body = assert_problem(locked, 429)
    assert 0 < int(locked.headers["Retry-After"]) <= 60
    assert "accessToken" not in locked.text
    unknown = _login(server, ghost, WRONG)
    assert_problem(unknown, 429)
    assert without_instance(unknown.json()) == without_instance(body), "the lock must not reveal which emails exist"
    bystander = server.signup_customer()  # same client address, another account: unaffected
    assert _login(server, bystander.email, bystander.password).status_code == 200
    events = server.get("/api/v1/staff/audit-events?limit=100", token=server.token("engineer"))
    assert events.status_code == 200
    assert any(e["action"] == "auth.lockout" for e in events.json()["items"]), "a lockout leaves an audit event"


# ----------------------------------------------------------------------------- password policy


@pytest.mark.parametrize("password", [
    "password123456",          # on the shipped list of common passwords
    "password1234",
    "qwertyuiop123",
    "short-pw-9",              # 10 characters: below 12 without MFA
    "x" * 129,                 # above the maximum
    "{local}-is-my-password",  # contains the email's local part
])
def test_weak_passwords_are_rejected_and_create_nothing(server, password):
    local = unique("maria")
    email = f"{local}@example.com"
    r = server.post("/api/v1/auth/signup", json={
        "email": email, "password": password.format(local=local), "name": "Maria", "phone": "+34600111222",
    })
    assert_problem(r, 422)
    assert password.format(local=local) not in r.text
    # Nothing was created: the same email can sign up with a good password, which then logs in.
    ok = server.post("/api/v1/auth/signup", json={
        "email": email, "password": "correct horse battery staple", "name": "Maria", "phone": "+34600111222",
    })
    assert ok.status_code == 202, ok.text
    assert _login(server, email, "correct horse battery staple").status_code == 200


def test_long_unicode_passphrases_are_accepted_whole(server):
    email = f"{unique('uni')}@example.com"
    password = "ñandú-über-東京-" + "x" * 100  # 114 characters; never truncated
    r = server.post("/api/v1/auth/signup", json={"email": email, "password": password, "name": "Ana", "phone": "+34600111333"})
    assert r.status_code == 202, r.text
    assert _login(server, email, password).status_code == 200
    assert_problem(_login(server, email, password[:-1]), 401)


# ----------------------------------------------------------------------------- MFA


def _enroll(server, token):
    start = server.post("/api/v1/me/mfa/totp", token=token)
    assert start.status_code == 201, start.text
    secret = start.json()["secret"]
    assert start.json()["otpauthUri"].startswith("otpauth://totp/")
    confirm = server.post("/api/v1/me/mfa/totp/confirm", token=token, json={"code": totp_code(secret)})
    assert confirm.status_code == 200, confirm.text
    return secret, confirm.json()["recoveryCodes"]


def test_customer_mfa_requires_the_code_rejects_replay_and_spends_recovery_codes_once(server):
    cred, token = server.new_customer()
    secret, recovery = _enroll(server, token)
    assert len(recovery) == 10
    missing = assert_problem(_login(server, cred.email, cred.password), 401)
    assert missing["type"] == "/problems/mfa-required"
    # The enrolment spent this step's code; the next step's is inside the accepted skew.
    code = totp_code(secret, 1)
    assert _login(server, cred.email, cred.password, totpCode=code).status_code == 200
    assert_problem(_login(server, cred.email, cred.password, totpCode=code), 401)  # replay
    assert _login(server, cred.email, cred.password, recoveryCode=recovery[0]).status_code == 200
    assert_problem(_login(server, cred.email, cred.password, recoveryCode=recovery[0]), 401)
    me = server.get("/api/v1/me", token=token)
    assert secret not in me.text and recovery[1] not in me.text


def test_staff_without_mfa_can_only_enrol(server):
    cred = server.create_account("support")
    r = _login(server, cred.email, cred.password)
    assert r.status_code == 200 and r.json()["mfaEnrollmentRequired"] is True, r.text
    limited = r.json()["accessToken"]
    assert server.get("/api/v1/me", token=limited).status_code == 200
    denied = assert_problem(server.post("/api/v1/staff/customer-search", token=limited, json={"query": "a@example.com"}), 403)
    assert denied["type"] == "/problems/mfa-enrollment-required"
    secret, _ = _enroll(server, limited)
    TOTP_SECRETS[cred.email], TOTP_LAST[cred.email] = secret, int(time.time()) // 30
    full = server.login(cred.email, cred.password)
    assert server.post("/api/v1/staff/customer-search", token=full, json={"query": "a@example.com"}).status_code == 200


# ----------------------------------------------------------------------------- tokens and sessions


def test_refresh_tokens_rotate_and_reuse_revokes_the_family(server):
    cred = server.signup_customer()
    first = _login(server, cred.email, cred.password).json()
    rotated = server.post("/api/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refreshToken"] != first["refreshToken"] and second["accessToken"] != first["accessToken"]
    assert server.get("/api/v1/me", token=second["accessToken"]).status_code == 200
    # The spent token comes back (as a thief would use it): refused, and the whole family ends.
    assert_problem(server.post("/api/v1/auth/refresh", json={"refreshToken": first["refreshToken"]}), 401)
    assert_problem(server.post("/api/v1/auth/refresh", json={"refreshToken": second["refreshToken"]}), 401)
    assert_problem(server.get("/api/v1/me", token=second["accessToken"]), 401)


def test_sessions_are_listed_and_revocable_and_a_password_change_ends_the_others(server):
    cred = server.signup_customer()
    phone = server.login(cred.email, cred.password)
    laptop = server.login(cred.email, cred.password)
    sessions = server.get("/api/v1/me/sessions", token=laptop)
    assert sessions.status_code == 200
    items = sessions.json()["items"]
    assert len(items) == 2 and sum(1 for s in items if s["current"]) == 1
    other = next(s["id"] for s in items if not s["current"])
    # Someone else cannot revoke it, and learns nothing (404).
    _, stranger = server.new_customer()
    assert_problem(server.request("DELETE", f"/api/v1/me/sessions/{other}", token=stranger), 404)
    assert server.get("/api/v1/me", token=phone).status_code == 200
    assert server.request("DELETE", f"/api/v1/me/sessions/{other}", token=laptop).status_code == 204
    assert_problem(server.get("/api/v1/me", token=phone), 401)

    tablet = server.login(cred.email, cred.password)
    change = {"currentPassword": cred.password, "newPassword": "a brand new passphrase 2026"}
    reauth = server.post("/api/v1/me/reauth", token=laptop, json={"password": cred.password})
    assert reauth.status_code == 200, reauth.text
    # The step-up replaced the session's token: the old one ended, the new one carries on.
    assert_problem(server.get("/api/v1/me", token=laptop), 401)
    laptop = reauth.json()["accessToken"]
    assert server.post("/api/v1/me/password", token=laptop, json=change).status_code in (200, 204)
    assert_problem(server.get("/api/v1/me", token=tablet), 401)
    assert server.get("/api/v1/me", token=laptop).status_code == 200
    assert_problem(_login(server, cred.email, cred.password), 401)
    assert _login(server, cred.email, change["newPassword"]).status_code == 200


def test_the_cli_invites_instead_of_choosing_a_password(server):
    """`solar accounts create` without --password-file (the only way in production, except for
    the first administrators) invites the owner: the code is printed and emailed, works once,
    and the owner's own password then logs in (to enrol TOTP first)."""
    email = f"{unique('cli')}@staff.example.com"
    r = run_cli(server.binary, ["accounts", "create", "--email", email, "--role", "installer", "--name", "Cli Invited",
                                "--phone", "+34600555111"], base_env(server.tmp, PORT=str(server.port)))
    assert r.returncode == 0, r.stdout + r.stderr
    code = re.search(r"code \(72 hours, once\): (\S+)", r.stdout).group(1)
    mails = [m for m in server.mail_to(email, "invited") if "invited" in m["subject"]]
    assert mails and code in mails[-1]["body"], "the same code is emailed to the owner"
    before = server.post("/api/v1/auth/login", json={"email": email, "password": "my own long passphrase"})
    assert_problem(before, 401)
    assert server.post("/api/v1/auth/invitation", json={"token": code, "password": "my own long passphrase"}).status_code == 204
    assert_problem(server.post("/api/v1/auth/invitation", json={"token": code, "password": "my own long passphrase"}), 400)
    after = server.post("/api/v1/auth/login", json={"email": email, "password": "my own long passphrase"})
    assert after.status_code == 200 and after.json()["mfaEnrollmentRequired"] is True, after.text
