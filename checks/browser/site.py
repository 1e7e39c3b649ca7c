"""Helpers of the browser suite: page checks, forms, screenshots, QR decoding, and the shared
login and MFA-enrolment steps. They follow the page map (form actions, field names, CSS hooks).

Nothing here works around browser behaviour: the browser opens the server's own origin, sends
its own headers and cookies, and enforces the site's CSP. `execute_script` only reads the page
(sizes, ready state), except in the forgery checks, which remove or change the hidden `_csrf`
input as a forged form would lack it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import REPO, Credential, order_body, totp_code  # checks/conftest.py

WAIT = 20  # seconds: a page load or a form post on 2 cores

SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR") or REPO / ".build" / "screenshots").resolve()

# What an attacker would type into names, addresses and notes.
XSS_PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


# --------------------------------------------------------------------------- page checks


def document_statuses(driver: WebDriver) -> list[tuple[str, int]]:
    """(url, status) of every top-level document response since the last call, redirects
    included, in order, from Chromium's performance log (network events as DevTools records
    them)."""
    found = []
    for entry in driver.get_log("performance"):
        try:
            message = json.loads(entry["message"])["message"]
        except (KeyError, ValueError):
            continue
        params = message.get("params", {})
        if params.get("type") != "Document":
            continue
        if message.get("method") == "Network.requestWillBeSent" and params.get("redirectResponse"):
            response = params["redirectResponse"]
        elif message.get("method") == "Network.responseReceived":
            response = params["response"]
        else:
            continue
        found.append((response["url"], int(response["status"])))
    return found


def visit_ok(driver: WebDriver, *, status=200, shot: str | None = None) -> WebElement:
    """Checks the page the browser shows now, after a load or a form post:
    - no console error (SEVERE) and no Content-Security-Policy report, at any level;
    - the document came with `status` (an int or a tuple of allowed ones); an expected error
      status also shows in the console as "Failed to load resource", which is then allowed;
    - the page has an `<h1>` with text and the `<main id="main">` landmark of the page map.
    Saves a screenshot as `shot` when given. Returns the `<h1>`."""
    allowed = {status} if isinstance(status, int) else set(status)
    statuses = document_statuses(driver)
    problems = []
    for entry in driver.get_log("browser"):
        message = entry.get("message", "")
        if "Content Security Policy" in message or "Refused to" in message:
            problems.append(message)
            continue
        if entry.get("level") != "SEVERE":
            continue
        expected = re.search(r"Failed to load resource: the server responded with a status of (\d{3})", message)
        if entry.get("source") == "network" and expected and int(expected.group(1)) in allowed and message.startswith(
                driver.current_url.split("#")[0] + " "):
            continue
        problems.append(message)
    assert not problems, f"console errors on {driver.current_url}:\n" + "\n".join(problems)
    if statuses:
        url, got = statuses[-1]
        chain = " -> ".join(f"{u} {st}" for u, st in statuses)
        assert got in allowed, f"expected {sorted(allowed)}, got {chain}: {body_text(driver)[:600]}"
    headings = driver.find_elements(By.TAG_NAME, "h1")
    assert headings and headings[0].text.strip(), f"no <h1> on {driver.current_url}"
    assert driver.find_elements(By.CSS_SELECTOR, "main#main"), f'no <main id="main"> on {driver.current_url}'
    if shot:
        screenshot(driver, shot)
    return headings[0]


def no_template_leak(driver: WebDriver) -> None:
    """No Swift optional or Mustache tag rendered as text (an unset value shown as "nil")."""
    leaked = re.findall(r"\bnil\b|Optional\(|\{\{", body_text(driver))
    assert not leaked, f"{driver.current_url} shows template internals {leaked}: an unset value rendered as text?"


def body_text(driver: WebDriver) -> str:
    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except Exception:  # noqa: BLE001 - only for messages
        return ""


def path_of(driver: WebDriver) -> str:
    return urllib.parse.urlsplit(driver.current_url).path


def go(driver: WebDriver, base: str, path: str, *, status=200, shot: str | None = None) -> WebElement:
    driver.get(base + path)
    return visit_ok(driver, status=status, shot=shot)


def no_horizontal_scroll(driver: WebDriver) -> None:
    """At a phone's width the page fits: the document is no wider than the viewport, and no
    element sticks out of it (except inside a container that scrolls sideways, like a wide
    table's wrapper)."""
    width, client, outside = driver.execute_script("""
        const w = document.documentElement.clientWidth;
        const inScroller = (e) => {
          for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
            const o = getComputedStyle(p).overflowX;
            if (o === 'auto' || o === 'scroll') return true;
          }
          return false;
        };
        const out = [...document.body.querySelectorAll('*')].filter((e) => {
          const r = e.getBoundingClientRect();
          return r.width > 1 && r.right > w + 1 && !inScroller(e);
        }).slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
          ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + ' (right edge ' + Math.round(e.getBoundingClientRect().right) + 'px)');
        return [document.documentElement.scrollWidth, w, out];
    """)
    assert width <= client and not outside, \
        f"{driver.current_url} is {width}px wide in a {client}px viewport; sticking out: {outside}"


def assert_no_script_ran(driver: WebDriver) -> None:
    """The XSS payloads did not become markup: no injected image, no injected script, no alert."""
    assert not driver.find_elements(By.CSS_SELECTOR, 'img[src="x"]'), f"injected <img> on {driver.current_url}"
    assert not driver.find_elements(By.XPATH, "//script[contains(., 'alert(1)')]"), f"injected <script> on {driver.current_url}"
    try:
        alert = driver.switch_to.alert
        text = alert.text
        alert.dismiss()
        raise AssertionError(f"an alert opened on {driver.current_url}: {text!r}")
    except NoAlertPresentException:
        pass


def assert_refused(driver: WebDriver) -> None:
    """The server answered the forged post with 403 and a page that says it refused it."""
    visit_ok(driver, status=403)
    text = body_text(driver).lower()
    assert any(word in text for word in ("403", "refused", "forbidden", "not allowed")), \
        f"the 403 page does not say the request was refused: {text[:400]}"


def api_order(web, cred: Credential) -> str:
    """A quoted order made through the JSON API: set-up for checks about other things."""
    r = web.post("/api/v1/orders", token=web.login(cred.email, cred.password), json=order_body())
    assert r.status_code == 201, f"order: {r.status_code} {r.text}"
    return r.json()["id"].lower()  # the pages write ids in lower case


# --------------------------------------------------------------------------- screenshots


def screenshot(driver: WebDriver, name: str) -> Path:
    """A full-page PNG in SCREENSHOT_DIR (DevTools capture beyond the viewport; the viewport
    only when that is not available)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOT_DIR / name
    try:
        import base64
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        # The full-height capture has no scrollbar, so the page is laid out at the window's
        # whole width then: clip to that, not to the content width measured beside a scrollbar.
        width = max(size["width"], driver.execute_script("return window.innerWidth"))
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1},
        })
        target.write_bytes(base64.b64decode(shot["data"]))
    except Exception:  # noqa: BLE001 - fall back to the viewport
        driver.save_screenshot(str(target))
    return target


# --------------------------------------------------------------------------- forms


def form(driver: WebDriver, action: str, *, within: WebElement | None = None) -> WebElement:
    """The form posting to `action` (a path, as written in the page's action attribute)."""
    scope = within or driver
    forms = scope.find_elements(By.CSS_SELECTOR, f'form[action="{action}"]')
    assert forms, f'no form[action="{action}"] on {driver.current_url}'
    return forms[0]


def set_field(f: WebElement, name: str, value) -> None:
    """Types into an input/textarea, selects in a select, sets a checkbox to `value` (bool).
    For checkboxes sharing a name, `value` is the list of values to tick."""
    elements = f.find_elements(By.NAME, name)
    assert elements, f"no field {name!r} in the form {f.get_dom_attribute('action')}"
    first = elements[0]
    tag = first.tag_name.lower()
    kind = (first.get_attribute("type") or "").lower()
    if tag == "select":
        Select(first).select_by_value(str(value))
    elif kind in ("checkbox", "radio"):
        wanted = value if isinstance(value, (list, tuple, set)) else None
        for element in elements:
            on = (element.get_attribute("value") in wanted) if wanted is not None else bool(value)
            if element.is_selected() != on:
                element.click()
    elif kind == "date":
        # Typed as a person does, in the browser's (en-US) order: month, day, year.
        year, month, day = str(value).split("-")
        first.click()
        first.send_keys(month + day + year)
        assert first.get_attribute("value") == str(value), f"date field {name} shows {first.get_attribute('value')!r}"
    else:
        first.clear()
        first.send_keys(str(value))


def fill(f: WebElement, **fields) -> WebElement:
    for name, value in fields.items():
        set_field(f, name, value)
    return f


def submit(driver: WebDriver, f: WebElement) -> None:
    """Clicks the form's submit button (`<button type="submit">`) and waits for the next page."""
    buttons = f.find_elements(By.CSS_SELECTOR, 'button[type="submit"]')
    assert buttons, f'no <button type="submit"> in the form {f.get_dom_attribute("action")}'
    click_and_wait(driver, buttons[0])


def click_and_wait(driver: WebDriver, element: WebElement) -> None:
    """Clicks, then waits until the browser has left the old document and loaded the next."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def left_old_page(_):
        try:
            old.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            # chromedriver's word for an element of a document that has been replaced
            if "does not belong to the document" in str(error):
                return True
            raise

    WebDriverWait(driver, WAIT).until(left_old_page)
    WebDriverWait(driver, WAIT).until(lambda d: d.execute_script("return document.readyState") == "complete")


# --------------------------------------------------------------------------- MFA


def decode_qr(element: WebElement) -> str:
    """Screenshots the QR element and decodes it with ZBar (zbarimg), as a phone would read it."""
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg (Debian zbar-tools) is not installed: run make test-deps"
    with tempfile.TemporaryDirectory(prefix="qr-") as tmp:
        png = Path(tmp) / "qr.png"
        element.screenshot(str(png))
        result = subprocess.run([zbarimg, "--quiet", "--raw", str(png)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stdout.strip(), \
        f"zbarimg could not read the QR code (exit {result.returncode}): {result.stderr.strip()}"
    return result.stdout.strip().splitlines()[0]


class Authenticator:
    """An authenticator app: the secrets of accounts enrolled in the browser, and the last
    time step used for each (the server takes a code once; it accepts one step of skew)."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.last_step: dict[str, int] = {}

    def code(self, email: str) -> str:
        secret = self.secrets[email]
        while True:
            now = int(time.time()) // 30
            for offset in (0, 1):
                if now + offset > self.last_step.get(email, -1):
                    code = totp_code(secret, offset)
                    if int(time.time()) // 30 != now:
                        break  # the window turned while computing: start again
                    self.last_step[email] = now + offset
                    return code
            else:
                time.sleep(30.5 - time.time() % 30)


def enrol_mfa(driver: WebDriver, base: str, cred: Credential, authenticator: Authenticator,
              *, shot: str | None = None) -> list[str]:
    """Enrols TOTP on /account/security the way a person does: starts, scans the QR code (ZBar),
    types the current code, and reads the recovery codes. Returns the recovery codes."""
    if path_of(driver) != "/account/security":
        go(driver, base, "/account/security")
    submit(driver, form(driver, "/account/mfa/start"))
    visit_ok(driver, shot=shot)
    qr = WebDriverWait(driver, WAIT).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "svg.qr")))
    uri = decode_qr(qr)
    assert uri.startswith("otpauth://totp/"), f"the QR code holds {uri[:40]!r}, not an otpauth URI"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(uri).query)
    secret = query["secret"][0]
    shown = driver.find_element(By.CSS_SELECTOR, "code#totp-secret").text
    assert re.sub(r"\s", "", shown).upper() == secret.upper(), "the secret shown as text differs from the QR code's"
    authenticator.secrets[cred.email] = secret
    confirm = form(driver, "/account/mfa/confirm")
    fill(confirm, code=authenticator.code(cred.email))
    submit(driver, confirm)
    visit_ok(driver)
    codes = [c.text.strip() for c in driver.find_elements(By.CSS_SELECTOR, "ul.recovery-codes li code")]
    assert len(codes) >= 8 and all(codes), f"recovery codes not shown: {body_text(driver)[:400]}"
    return codes


# --------------------------------------------------------------------------- sessions


# Base URL -> the Server whose mail spool holds the login codes it emails (set by the browser conftest).
MAIL_SERVERS: dict = {}


def login_codes(base: str, email: str) -> list[str]:
    """The login codes emailed to `email` so far, oldest first."""
    srv = MAIL_SERVERS.get(base.replace("localhost", "127.0.0.1"))
    assert srv is not None, f"no mail spool known for {base}"
    return srv.login_codes(email)


def login(driver: WebDriver, base: str, cred: Credential, authenticator: Authenticator | None = None,
          *, expect: str = "/dashboard") -> None:
    """Logs in on /login; when the page asks for a second factor, types the password again and
    the current TOTP code, or (a customer on a new browser) the code the email brought. Ends on
    `expect` (a path)."""
    go(driver, base, "/login")
    f = form(driver, "/login")
    fill(f, email=cred.email, password=cred.password)
    sent_before = len(login_codes(base, cred.email)) if cred.role == "customer" else 0
    submit(driver, f)
    if driver.find_elements(By.NAME, "emailCode"):
        visit_ok(driver, status=(200, 401))
        deadline = time.monotonic() + 20  # the outbox delivers every 2 s
        while len(codes := login_codes(base, cred.email)) <= sent_before:
            assert time.monotonic() < deadline, f"no login code emailed to {cred.email}"
            time.sleep(0.3)
        f = form(driver, "/login")
        fill(f, password=cred.password, emailCode=codes[-1])
        submit(driver, f)
    if driver.find_elements(By.NAME, "totpCode"):
        visit_ok(driver, status=(200, 401))
        assert authenticator and cred.email in authenticator.secrets, f"{cred.email} needs a second factor"
        f = form(driver, "/login")
        assert f.find_element(By.NAME, "email").get_attribute("value") == cred.email, "the email was not kept"
        fill(f, password=cred.password, totpCode=authenticator.code(cred.email))
        submit(driver, f)
    visit_ok(driver)
    assert path_of(driver) == expect, f"after login: {driver.current_url}, expected {expect}: {body_text(driver)[:400]}"


def signup(driver: WebDriver, base: str, cred: Credential, *, shot: str | None = None) -> None:
    """Fills in /signup and sends it. The answer is the "check your email" page (202), the same
    whether or not the address has an account, and nobody is signed in yet."""
    go(driver, base, "/signup")
    f = form(driver, "/signup")
    fill(f, name=cred.name, email=cred.email, phone=cred.phone, password=cred.password)
    submit(driver, f)
    heading = visit_ok(driver, status=202, shot=shot)
    assert path_of(driver) == "/signup", f"after signup: {driver.current_url}"
    assert "check your email" in heading.text.lower(), f"after signup: {body_text(driver)[:400]}"
    links = {a.get_dom_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "main a")}
    assert {"/verify-email", "/login"} <= links, f"the check-your-email page links to {links}"
    assert not driver.find_elements(By.CSS_SELECTOR, 'form[action="/logout"]'), "signup signed the user in"


def confirm_email(driver: WebDriver, base: str, web, email: str, *, shot: str | None = None) -> None:
    """Reads the confirmation code from the email the server sent (its mail spool) and enters
    it on /verify-email, as a person copies it from the message."""
    messages = [m for m in web.mail_to(email, "Confirm") if "Confirm" in m["subject"]]
    assert messages, f"no confirmation email to {email}"
    code = re.search(r"code is: (\S+)", messages[-1]["body"])
    assert code, f"no code in the email: {messages[-1]['body'][:300]}"
    go(driver, base, "/verify-email")
    f = form(driver, "/verify-email")
    fill(f, token=code.group(1))
    submit(driver, f)
    visit_ok(driver, shot=shot)
    assert "confirmed" in body_text(driver).lower(), f"after the code: {body_text(driver)[:400]}"


def logout(driver: WebDriver, base: str) -> None:
    """The header's log-out button; afterwards the dashboard asks to log in again."""
    button = driver.find_element(By.CSS_SELECTOR, 'form[action="/logout"] button')
    click_and_wait(driver, button)
    visit_ok(driver)
    go(driver, base, "/dashboard")
    assert path_of(driver) == "/login", f"still signed in after logging out: {driver.current_url}"


def staff_first_login(driver: WebDriver, base: str, cred: Credential, authenticator: Authenticator,
                      *, mfa_shot: str | None = None) -> None:
    """A new staff member (made by the CLI): the first login lands on /account/security, enrols
    TOTP through the QR code, logs out, and logs in again with a code."""
    login(driver, base, cred, expect="/account/security")
    enrol_mfa(driver, base, cred, authenticator, shot=mfa_shot)
    logout(driver, base)
    login(driver, base, cred, authenticator)
