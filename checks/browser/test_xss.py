"""Markup typed into names, addresses and notes comes back as text on every page that shows it,
at desktop and phone widths: no injected element, no script, no alert."""

from __future__ import annotations

import re

from selenium.webdriver.common.by import By

from conftest import Credential, unique, unique_phone  # checks/conftest.py

from .site import (
    XSS_PAYLOADS, assert_no_script_ran, body_text, fill, form, go, login, path_of, signup, submit,
    visit_ok,
)

SCRIPT, IMG = XSS_PAYLOADS


def shows_as_text(driver, *texts: str) -> None:
    shown = body_text(driver)
    for text in texts:
        assert text in shown, f"{text!r} is not shown as text on {driver.current_url}"
    assert_no_script_ran(driver)


def test_markup_in_name_address_and_notes_is_text(driver, web):
    base = web.base_url
    name = f"Mallory {SCRIPT}"
    cred = Credential(email=f"{unique('mallory')}@example.com", password=unique("Pw-") + "-long", role="customer",
                      name=name, phone=unique_phone())
    signup(driver, base, cred)
    assert_no_script_ran(driver)
    login(driver, base, cred)
    shows_as_text(driver, name)

    go(driver, base, "/orders/new")
    f = form(driver, "/orders")
    line1, line2, notes = f"Calle Mayor 5 {IMG}", SCRIPT, f"{SCRIPT} and {IMG}"
    fill(f, line1=line1, line2=line2, city="Madrid", region="Madrid", postalCode="28013", country="ES",
         systemSizeKw="5", panelCount="12", notes=notes)
    submit(driver, f)
    visit_ok(driver, shot="order-xss.png")
    assert re.fullmatch(r"/orders/[0-9a-f-]{36}", path_of(driver)), f"order with markup: {body_text(driver)[:400]}"
    shows_as_text(driver, line1, line2, notes)

    go(driver, base, "/dashboard")
    assert_no_script_ran(driver)
    go(driver, base, "/account")
    shows_as_text(driver, name)

    # The same at a phone's width.
    go(driver, base, "/dashboard")
    links = driver.find_elements(By.CSS_SELECTOR, 'table.orders a[href^="/orders/"]')
    assert links, "the order is listed"
    driver.set_window_size(375, 812)
    go(driver, base, links[0].get_dom_attribute("href"), shot="order-xss-mobile.png")
    shows_as_text(driver, line1, notes)


def test_markup_kept_in_a_form_after_a_validation_error_is_text(driver, web):
    """A failed order (an address the geocoder cannot place) comes back with the input kept,
    still as text inside the fields."""
    cred = web.signup_customer()
    login(driver, web.base_url, cred)
    go(driver, web.base_url, "/orders/new")
    f = form(driver, "/orders")
    fill(f, line1=IMG, city="Nowhere-" + unique(""), region="Nowhere", postalCode="00000", country="ES",
         systemSizeKw="5", panelCount="12", notes=SCRIPT)
    submit(driver, f)
    visit_ok(driver, status=422)
    assert driver.find_elements(By.CSS_SELECTOR, "p.field-error#city-error, p.field-error#postalCode-error"), \
        "an address that cannot be placed is a field error on city or postal code"
    f = form(driver, "/orders")
    assert f.find_element(By.NAME, "line1").get_attribute("value") == IMG
    assert f.find_element(By.NAME, "notes").get_attribute("value") == SCRIPT
    assert_no_script_ran(driver)
