"""Request forgery in a real browser. The victim is signed in to SolarDispatch; a page on
another origin submits a form to it, or the site's own form is sent without its `_csrf` token.
The server must refuse (403) and nothing may change. The session cookie is SameSite=Strict, but
127.0.0.1 at another port is the same site, so the browser sends it along there: the server's
own checks (fetch metadata, Origin, CSRF token) must refuse, whatever SameSite does."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from .site import (
    XSS_PAYLOADS, api_order, assert_no_script_ran, assert_refused, body_text, form, go, login, path_of, staff_first_login,
    submit, visit_ok,
)

SITES = pytest.mark.parametrize("cross_site", [False, True], ids=["same-site-other-origin", "cross-site"])


def api_status(web, cred, order_id: str) -> str:
    r = web.get(f"/api/v1/orders/{order_id}", token=web.login(cred.email, cred.password))
    assert r.status_code == 200, r.text
    return r.json()["status"]


@pytest.fixture
def victim(web):
    """A signed-up customer with a quoted order: (credential, order id)."""
    cred = web.signup_customer()
    return cred, api_order(web, cred)


def assert_order_untouched(driver, web, cred, order_id: str, badge_before: str) -> None:
    go(driver, web.base_url, f"/orders/{order_id}")
    badge = driver.find_element(By.CSS_SELECTOR, "main .badge")
    assert badge.text == badge_before, f"the order changed: {badge_before!r} -> {badge.text!r}"
    assert "cancel" not in (badge.get_dom_attribute("class") or "").lower()
    assert driver.find_elements(By.CSS_SELECTOR, f'form[action="/orders/{order_id}/cancel"]'), "the order can no longer be cancelled"
    assert api_status(web, cred, order_id) == "quoted"


@SITES
def test_cancel_posted_from_another_origin_is_refused(driver, web, attacker, victim, cross_site):
    cred, order_id = victim
    login(driver, web.base_url, cred)
    go(driver, web.base_url, f"/orders/{order_id}")
    badge = driver.find_element(By.CSS_SELECTOR, "main .badge").text
    csrf = form(driver, f"/orders/{order_id}/cancel").find_element(By.NAME, "_csrf").get_attribute("value")
    assert csrf, "the cancel form carries a _csrf token"

    # The attacker even guesses a token; it is not the victim's.
    driver.get(attacker.forge(web.url(f"/orders/{order_id}/cancel"), {"_csrf": "A" * len(csrf)}, cross_site=cross_site))
    visit_ok(driver)
    submit(driver, driver.find_element(By.ID, "forged"))
    assert_refused(driver)
    assert_order_untouched(driver, web, cred, order_id, badge)


@SITES
def test_logout_posted_from_another_origin_is_refused(driver, web, attacker, victim, cross_site):
    cred, _ = victim
    login(driver, web.base_url, cred)
    driver.get(attacker.forge(web.url("/logout"), {"_csrf": "forged"}, cross_site=cross_site))
    visit_ok(driver)
    submit(driver, driver.find_element(By.ID, "forged"))
    assert_refused(driver)
    go(driver, web.base_url, "/dashboard")
    assert path_of(driver) == "/dashboard", "the forged logout signed the victim out"


@pytest.mark.parametrize("tamper", ["removed", "altered"])
def test_own_form_without_its_token_is_refused(driver, web, victim, tamper):
    """The site's own cancel form, its `_csrf` input removed (or changed) in the page before the
    click: what a forged same-origin form would send. Refused; the order stays."""
    cred, order_id = victim
    login(driver, web.base_url, cred)
    go(driver, web.base_url, f"/orders/{order_id}")
    badge = driver.find_element(By.CSS_SELECTOR, "main .badge").text
    cancel = form(driver, f"/orders/{order_id}/cancel")
    token = cancel.find_element(By.NAME, "_csrf")
    if tamper == "removed":
        driver.execute_script("arguments[0].remove()", token)
        assert not cancel.find_elements(By.NAME, "_csrf")
    else:
        driver.execute_script("arguments[0].value = arguments[0].value.split('').reverse().join('')", token)
    submit(driver, cancel)
    assert_refused(driver)
    assert_order_untouched(driver, web, cred, order_id, badge)


def test_reveal_posted_from_another_origin_is_refused(driver, web, attacker, authenticator):
    """Support is signed in; a page on another origin of the same site posts a reveal with a
    plausible reason. Refused, and the customer stays masked. The customer's name holds markup,
    which the staff pages show as text."""
    name = f"Eve {XSS_PAYLOADS[0]} {XSS_PAYLOADS[1]}"
    cred = web.signup_customer(name=name)
    staff_first_login(driver, web.base_url, web.credentials["support2"], authenticator)
    go(driver, web.base_url, f"/staff/customers/{cred.id}")
    assert cred.email not in body_text(driver)
    assert_no_script_ran(driver)

    driver.get(attacker.forge(web.url(f"/staff/customers/{cred.id}/reveal"),
                              {"_csrf": "forged", "reason": "Customer asked for a callback", "ticket": "SUP-1"}))
    visit_ok(driver)
    submit(driver, driver.find_element(By.ID, "forged"))
    assert_refused(driver)

    go(driver, web.base_url, f"/staff/customers/{cred.id}")
    assert cred.email not in body_text(driver), "the forged reveal showed the data"
    assert_no_script_ran(driver)
