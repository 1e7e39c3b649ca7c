"""The public pages in a real browser: they load without console errors or CSP reports, have
their headings, fit a phone, and the site's own login form posts are accepted while a form on
another site is refused."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from conftest import Credential, unique, unique_phone  # checks/conftest.py

from .site import (
    api_order, assert_refused, body_text, fill, form, go, login, no_horizontal_scroll, no_template_leak, signup,
    submit, visit_ok,
)


def test_public_pages_load_cleanly(driver, web):
    go(driver, web.base_url, "/", shot="home.png")
    links = {a.get_dom_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "main a")}
    assert {"/signup", "/login"} <= links, f"home links to {links}"

    go(driver, web.base_url, "/signup", shot="signup.png")
    f = form(driver, "/signup")
    for name in ("name", "email", "phone", "password"):
        assert f.find_elements(By.NAME, name), f"signup has no {name} field"
    password = f.find_element(By.NAME, "password")
    assert password.get_dom_attribute("type") == "password"
    assert password.get_dom_attribute("minlength") == "12", "the password field must ask for 12 characters at least"
    assert password.get_dom_attribute("maxlength") == "128"

    go(driver, web.base_url, "/login", shot="login.png")
    f = form(driver, "/login")
    assert f.find_element(By.NAME, "password").get_dom_attribute("type") == "password"


def test_own_login_form_is_accepted(driver, web):
    """The site's own form post reaches the login logic (a wrong password: 401 and an error
    message, the email kept), instead of being refused as cross-site (403)."""
    go(driver, web.base_url, "/login")
    email = f"{unique('nobody')}@example.com"
    f = form(driver, "/login")
    fill(f, email=email, password="not-the-password-123")
    submit(driver, f)
    visit_ok(driver, status=401)
    alert = driver.find_elements(By.CSS_SELECTOR, 'div.alert.alert-error[role="alert"]')
    assert alert and alert[0].text.strip(), f"no error message: {body_text(driver)[:300]}"
    assert form(driver, "/login").find_element(By.NAME, "email").get_attribute("value") == email


def test_own_signup_form_is_accepted_and_the_account_logs_in(driver, web):
    """The site's own signup post is accepted ("check your email", signed in only by logging
    in); the same email again gets the very same page."""
    cred = Credential(email=f"{unique('smoke')}@example.com", password=unique("Pw-") + "-long", role="customer",
                      name="Smoke Test", phone=unique_phone())
    signup(driver, web.base_url, cred)
    first = body_text(driver)
    signup(driver, web.base_url, Credential(email=cred.email.upper(), password=unique("Pw-") + "-other", role="customer",
                                            name="Someone Else", phone=unique_phone()))
    assert body_text(driver) == first, "a known email got another page than a new one"
    login(driver, web.base_url, cred)


@pytest.mark.parametrize("cross_site", [False, True], ids=["same-site", "cross-site"])
def test_form_on_another_site_is_refused(driver, web, attacker, cross_site):
    """A login form on another origin (127.0.0.1 at another port: same site; localhost: another
    site) posting to SolarDispatch is refused with 403 (login CSRF)."""
    page = attacker.forge(web.url("/login"), {"email": "victim@example.com", "password": "whatever-password"},
                          cross_site=cross_site)
    driver.get(page)
    visit_ok(driver)
    submit(driver, driver.find_element("id", "forged"))
    assert_refused(driver)


def test_public_pages_fit_a_phone(driver, web):
    driver.set_window_size(375, 812)
    for path, shot in (("/", "home-mobile.png"), ("/signup", "signup-mobile.png"), ("/login", "login-mobile.png")):
        go(driver, web.base_url, path, shot=shot)
        no_template_leak(driver)
        no_horizontal_scroll(driver)


def test_customer_pages_fit_a_phone(driver, web):
    """A signed-in customer with a long (real-world) name and an order, at 375x812."""
    cred = web.signup_customer(name="María de los Ángeles Fernández-Villaverde y Castellanos")
    order_id = api_order(web, cred)
    driver.set_window_size(375, 812)
    login(driver, web.base_url, cred)
    for path, shot in (("/dashboard", "dashboard-mobile.png"), (f"/orders/{order_id}", "order-mobile.png"),
                       ("/orders/new", "new-order-mobile.png"), ("/account/security", "security-mobile.png")):
        go(driver, web.base_url, path, shot=shot)
        no_template_leak(driver)
        no_horizontal_scroll(driver)


def test_site_works_as_localhost(driver, web):
    """In development the site is the same site whether opened as 127.0.0.1 or localhost: a
    signup and a login posted from http://localhost:PORT are accepted."""
    local = web.base_url.replace("127.0.0.1", "localhost")
    cred = Credential(email=f"{unique('local')}@example.com", password="a long sunny rooftop walk", role="customer",
                      name="Lola Localhost", phone=unique_phone())
    signup(driver, local, cred)
    login(driver, local, cred)
