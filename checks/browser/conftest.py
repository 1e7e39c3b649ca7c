"""Fixtures of the browser suite: one `solar serve` for the whole session (fresh SQLite
database, staff made by the CLI, no PUBLIC_ORIGIN, as `make run`), one
headless Chromium per test, and an attacker's site on other origins for the forgery checks.

Debian's chromium and chromedriver (`make test-deps`); override with CHROMIUM_BIN and
CHROMEDRIVER_BIN. Screenshots go to $SCREENSHOT_DIR or <repo>/.build/screenshots.
"""

from __future__ import annotations

import html
import http.server
import os
import threading
import uuid
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from conftest import (  # checks/conftest.py
    STOP_TIMEOUT, Credential, Running, Server, base_env, free_port, run_cli, unique_phone,
)

from .site import MAIL_SERVERS, SCREENSHOT_DIR, Authenticator

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")

# Accounts made with `solar accounts create` before the server starts: key -> role. Each test
# that logs staff in uses its own account, so no test waits for a fresh TOTP time step.
STAFF = {
    "installer": "installer",
    "support": "support",
    "support2": "support",
    "sales": "sales",
    "engineer": "engineer",
    "engineer2": "engineer",
    "admin": "admin",
    "admin2": "admin",
}

_used_screenshots = False


# --------------------------------------------------------------------------- server


def create_staff(binary: Path, tmp: Path, env: dict, key: str, role: str) -> Credential:
    """One account through the CLI, as checks/conftest.py's create_cli_accounts does (there one
    account per role; here two engineers, two support agents and two admins are needed)."""
    cred = Credential(email=f"{key}.{uuid.uuid4().hex[:6]}@staff.example.com", password=f"pw-{uuid.uuid4().hex[:16]}",
                      role=role, name=f"The {key}", phone=unique_phone())
    pw_file = tmp / f"{key}.pw"
    fd = os.open(pw_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(cred.password + "\n")
    r = run_cli(binary, ["accounts", "create", "--email", cred.email, "--role", role, "--password-file", str(pw_file),
                         "--name", cred.name, "--phone", cred.phone], env)
    assert r.returncode == 0, f"accounts create {key} failed ({r.returncode}): {r.stdout}\n{r.stderr}"
    return cred


@pytest.fixture(scope="session")
def web(solar_bin, tmp_root) -> Server:
    """The server the browser talks to, on http://127.0.0.1:PORT, started as `make run` starts it:
    development, no PUBLIC_ORIGIN, so its own origins follow the port (127.0.0.1 and localhost).
    The dispatch sweep runs every second, so an accepted quote reaches installers at once."""
    tmp = tmp_root / "browser"
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = base_env(tmp, PORT=str(port), ENVIRONMENT="development", DISPATCH_SWEEP_SECONDS="1")
    credentials = {key: create_staff(solar_bin, tmp, env, key, role) for key, role in STAFF.items()}
    running = Running(solar_bin, tmp, env, port)
    running.wait_ready()
    assert running.base_url == origin
    srv = Server(base_url=origin, credentials=credentials, log_path=running.log_path, tmp=tmp, binary=solar_bin,
                 port=port, metrics_port=int(env["METRICS_PORT"]))
    MAIL_SERVERS[origin] = srv  # customers' first login on each browser needs the emailed code
    yield srv
    alive = running.alive()
    code = running.stop()
    assert alive, f"the server died during the browser suite:\n{srv.read_log()[-3000:]}"
    assert code == 0, f"server exited with {code} (timeout {STOP_TIMEOUT} s) after SIGTERM:\n{srv.read_log()[-2000:]}"


@pytest.fixture(scope="session")
def authenticator() -> Authenticator:
    """The authenticator app of everyone who enrols in the browser during the session."""
    return Authenticator()


# --------------------------------------------------------------------------- browser


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def driver(request, tmp_path):
    """Headless Chromium, 1280x900, recording its console and network log. It opens the
    server's own URL and enforces everything the site sends (CSP, cookies, SameSite)."""
    global _used_screenshots
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is missing: `make test-deps` installs Debian's chromium and chromium-driver")
    if not _used_screenshots:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        # Failure captures of an earlier run would mislead (page shots are overwritten anyway).
        for stale in SCREENSHOT_DIR.glob("FAILED-*"):
            stale.unlink(missing_ok=True)
        _used_screenshots = True
    options = Options()
    options.binary_location = CHROMIUM
    options.add_argument("--headless=new")
    # The tests run as root (containers, CI), and Chromium's own process sandbox refuses to start
    # as root. This only concerns how the browser isolates its processes from this machine; it
    # changes nothing about web security (same-origin policy, CSP, cookies) on the site tested.
    options.add_argument("--no-sandbox")
    options.add_argument("--window-size=1280,900")
    options.add_argument("--lang=en-US")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(executable_path=CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log"))
    browser = webdriver.Chrome(options=options, service=service)
    browser.set_page_load_timeout(30)
    yield browser
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        # What the browser showed when the test failed, for whoever fixes it.
        name = "FAILED-" + request.node.name.replace("/", "_")
        try:
            browser.save_screenshot(str(SCREENSHOT_DIR / f"{name}.png"))
            (SCREENSHOT_DIR / f"{name}.html").write_text(browser.page_source, encoding="utf-8")
        except Exception:  # noqa: BLE001 - the browser may be gone
            pass
    browser.quit()


def pytest_terminal_summary(terminalreporter):
    if _used_screenshots:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(str(SCREENSHOT_DIR))


# --------------------------------------------------------------------------- attacker


class AttackerSite:
    """Another web site the victim visits while signed in to SolarDispatch: its pages hold
    forms that post to SolarDispatch. Served on 127.0.0.1 at another port (another origin, but
    the same site, so a SameSite=Strict cookie still goes along) and as http://localhost:PORT
    (another site altogether)."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                body = pages.get(self.path.split("?")[0])
                data = (body or "<!doctype html><title>none</title><h1>Not found</h1>").encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def forge(self, target: str, fields: dict | None = None, *, cross_site: bool = False) -> str:
        """A page whose only button posts `fields` to `target` (an absolute SolarDispatch URL).
        Returns its URL on the same site (127.0.0.1) or on another site (localhost)."""
        path = f"/prize-{uuid.uuid4().hex[:8]}"
        inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(str(v))}">'
                         for k, v in (fields or {}).items())
        self.pages[path] = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>You won</title>'
            '<link rel="icon" href="data:,"></head><body><main id="main"><h1>You won a prize</h1>'
            f'<form id="forged" method="post" action="{html.escape(target)}">{inputs}'
            '<button type="submit">Claim it</button></form></main></body></html>'
        )
        host = "localhost" if cross_site else "127.0.0.1"
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def attacker():
    site = AttackerSite()
    yield site
    site.close()


def pytest_collection_modifyitems(session, config, items):
    """The public-page checks first (they show at once whether the browser set-up works), then
    the other browser modules in their usual order; checks outside this folder keep their place."""
    here = Path(__file__).parent
    slots = [i for i, item in enumerate(items) if here in Path(str(item.path)).parents]
    ours = [items[i] for i in slots]
    ours.sort(key=lambda item: 0 if Path(str(item.path)).name == "test_smoke.py" else 1)  # stable
    for i, item in zip(slots, ours):
        items[i] = item
