"""`solar-app`, the terminal client built only on SolarKit, runs the customer and installer
journeys end to end against a live server."""

from __future__ import annotations

import os
import re
import subprocess
import time
import uuid

import pytest

import conftest
from conftest import REPO

APP = REPO / ".build" / "debug" / "solar-app"


def next_totp(email: str) -> str:
    """A code for a time step no login of this session has used yet (each code works once)."""
    while True:
        for offset in (0, 1):
            step = int(time.time()) // 30 + offset
            if conftest.TOTP_LAST.get(email, -1) < step:
                conftest.TOTP_LAST[email] = step
                return conftest.totp_code(conftest.TOTP_SECRETS[email], offset)
        time.sleep(31 - time.time() % 30)


@pytest.fixture
def app(server, tmp_path):
    assert APP.exists(), f"{APP} is not built"

    def run(home: str, password: str, *args: str) -> str:
        env = dict(os.environ, SOLAR_SERVER=server.base_url, SOLAR_APP_HOME=str(tmp_path / home), SOLAR_APP_PASSWORD=password)
        r = subprocess.run([str(APP), *args], env=env, capture_output=True, text=True, timeout=90)
        assert r.returncode == 0, f"solar-app {' '.join(args)}: {r.returncode}\n{r.stdout}{r.stderr}"
        assert password not in r.stdout + r.stderr
        return r.stdout
    return run


def test_customer_and_installer_journeys_through_solar_app(app, server, tmp_path):
    installer = server.credentials["installer"]
    mfa = ("--totp", next_totp(installer.email)) if installer.email in conftest.TOTP_SECRETS else ()
    app("installer", installer.password, "login", "--email", installer.email, *mfa)
    assert "available" in app("installer", installer.password, "availability", "--latitude", "40.45", "--longitude=-3.69",
                              "--radius-km", "50")

    email, password = f"app-{uuid.uuid4().hex[:8]}@example.com", "correct horse battery staple"
    app("customer", password, "signup", "--email", email, "--name", "Ana App", "--phone", conftest.unique_phone())
    assert "logged in" in app("customer", password, "login", "--email", email)
    created = app("customer", password, "order", "--line1", "Calle Mayor 1", "--city", "Madrid", "--region", "Madrid",
                  "--postal-code", "28013", "--latitude", "40.4168", "--longitude=-3.7038", "--size-kw", "6.4", "--panels", "16")
    order = re.search(r"order (\S+) quoted quote \d+ EUR", created).group(1)
    assert f"order {order} dispatching" in app("customer", password, "accept", order)

    offers = app("installer", installer.password, "offers")
    offer = re.search(r"offer (\S+) Madrid", offers).group(1)
    assert "scheduled" in app("installer", installer.password, "take", offer)
    assert f"order {order} scheduled" in app("customer", password, "status", order, "--until", "scheduled", "--timeout", "20")

    # The session file holds no token in the clear, and logging out removes it.
    sealed = (tmp_path / "customer" / "tokens").read_bytes()
    assert b"access" not in sealed.lower() and len(sealed) > 28
    assert "logged out" in app("customer", password, "logout")
    assert not (tmp_path / "customer" / "tokens").exists()
