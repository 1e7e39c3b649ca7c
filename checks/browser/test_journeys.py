"""Journeys through the web interface, in order, as people do them, following the web page
map (URLs, field names, CSS hooks). They share one server and hand each other the order:

1. an installer sets a service area around Madrid;
2. a customer signs up (the "check your email" page), confirms the address with the emailed
   code, logs in, orders by address, accepts the quote, enrols TOTP by scanning the QR
   code, logs out and back in with a code;
3. the installer gets the offer for that order and accepts it;
4. support (first login: TOTP enrolment) finds the customer by exact email, reveals with a
   reason, and reschedules the order;
5. sales sees the charts;
6. an engineer asks for break-glass, a second engineer approves it; the audit viewer;
7. an admin creates a sales account, which stays locked until a second admin approves it.

A journey whose predecessor failed is skipped, not failed again.
"""

from __future__ import annotations

import datetime
import re
import time

import pytest
from selenium.webdriver.common.by import By

from conftest import Credential, unique, unique_phone  # checks/conftest.py

from .site import (
    body_text, click_and_wait, confirm_email, enrol_mfa, fill, form, go, login, logout, no_horizontal_scroll,
    no_template_leak, path_of, screenshot, signup, staff_first_login, submit, visit_ok,
)

STREET = "Calle de Atocha 12"


@pytest.fixture(scope="module")
def journey() -> dict:
    """What the journeys hand each other (customer, order id)."""
    return {}


def need(journey: dict, *keys: str) -> None:
    missing = [k for k in keys if k not in journey]
    if missing:
        pytest.skip(f"an earlier journey did not get as far as {', '.join(missing)}")


# --------------------------------------------------------------------------- installer


def test_installer_sets_service_area(driver, web, journey, authenticator):
    installer = web.credentials["installer"]
    # Installers see customers' addresses: like staff, they enrol TOTP at their first login.
    staff_first_login(driver, web.base_url, installer, authenticator)
    go(driver, web.base_url, "/installer/profile", shot="installer-profile.png")
    f = form(driver, "/installer/profile")
    assert not f.find_elements(By.NAME, "latitude") and not f.find_elements(By.NAME, "longitude"), \
        "the service area is found from the city, not typed as coordinates"
    fill(f, city="Madrid", postalCode="28013", country="ES", radiusKm="50", available=True)
    boxes = f.find_elements(By.CSS_SELECTOR, 'input[type="checkbox"][name="certifications[]"]')
    assert boxes, "no certifications checkboxes"
    for box in boxes[:2]:
        if not box.is_selected():
            box.click()
    chosen = [b.get_dom_attribute("value") for b in boxes[:2]]
    submit(driver, f)
    visit_ok(driver)
    assert not driver.find_elements(By.CSS_SELECTOR, "p.field-error, div.alert-error"), \
        f"saving the service area failed: {body_text(driver)[:400]}"
    journey["installer_ready"] = True

    # Saved: the form shows it again (the centre as a city or as the point found for it).
    go(driver, web.base_url, "/installer/profile")
    f = form(driver, "/installer/profile")
    city = f.find_element(By.NAME, "city").get_attribute("value")
    assert city == "Madrid" or re.search(r"Madrid|40\.4\d*, -3\.7", body_text(driver)), "the saved centre is not shown"
    problems = []
    if f.find_element(By.NAME, "radiusKm").get_attribute("value") not in ("50", "50.0"):
        problems.append(f"radiusKm shows {f.find_element(By.NAME, 'radiusKm').get_attribute('value')!r}, saved 50")
    if not f.find_element(By.NAME, "available").is_selected():
        problems.append("available is not ticked, saved ticked")
    ticked = [b.get_dom_attribute("value") for b in f.find_elements(By.NAME, "certifications[]") if b.is_selected()]
    if sorted(ticked) != sorted(chosen):
        problems.append(f"certifications ticked {ticked}, saved {chosen}")
    assert not problems, "the profile form does not show what was saved: " + "; ".join(problems)


# --------------------------------------------------------------------------- customer


def test_customer_signs_up_orders_and_enrols_mfa(driver, web, journey, authenticator):
    base = web.base_url
    cred = Credential(email=f"{unique('ana')}@example.com", password=unique("Pw-") + "-long", role="customer",
                      name="Ana García", phone=unique_phone())

    go(driver, base, "/", shot="home.png")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'main a[href="/signup"]'))
    visit_ok(driver, shot="signup.png")
    f = form(driver, "/signup")
    assert f.find_element(By.NAME, "password").get_dom_attribute("minlength") == "12"
    # Sign up -> "check your email" -> confirm with the emailed code -> log in.
    signup(driver, base, cred, shot="signup-sent.png")
    confirm_email(driver, base, web, cred.email, shot="email-confirmed.png")
    login(driver, base, cred)
    screenshot(driver, "customer-dashboard.png")
    journey["customer"] = cred

    # Order by address: no coordinates asked.
    go(driver, base, "/orders/new", shot="new-order.png")
    f = form(driver, "/orders")
    for name in ("latitude", "longitude", "lat", "lon", "lng"):
        assert not f.find_elements(By.NAME, name), f"the order form asks for {name}"
    assert f.find_element(By.NAME, "country").get_attribute("value") == "ES", "country defaults to ES"
    roof = f.find_element(By.NAME, "roofType").find_elements(By.TAG_NAME, "option")[0].get_dom_attribute("value")
    fill(f, line1=STREET, city="Madrid", region="Madrid", postalCode="28013", country="ES",
         systemSizeKw="6.4", panelCount="16", roofType=roof, notes="Ring twice, the gate is stiff.")
    submit(driver, f)
    visit_ok(driver, shot="order.png")
    match = re.fullmatch(r"/orders/([0-9a-f-]{36})", path_of(driver))
    assert match, f"after ordering: {driver.current_url}: {body_text(driver)[:400]}"
    order_id = match.group(1)

    # The quote, then accept it.
    lines = driver.find_elements(By.CSS_SELECTOR, "table.quote tr")
    assert len(lines) >= 2, "the quote has no lines"
    assert re.search(r"EUR|€", driver.find_element(By.CSS_SELECTOR, "table.quote").text), "no amounts in the quote"
    assert driver.find_elements(By.CSS_SELECTOR, "ol.timeline li"), "no timeline"
    before = driver.find_element(By.CSS_SELECTOR, "main .badge").text
    assert STREET in body_text(driver) and "28013" in body_text(driver)
    submit(driver, form(driver, f"/orders/{order_id}/accept-quote"))
    visit_ok(driver)
    assert path_of(driver) == f"/orders/{order_id}"
    after = driver.find_element(By.CSS_SELECTOR, "main .badge").text
    assert after != before, f"status still {after!r} after accepting"
    assert not driver.find_elements(By.CSS_SELECTOR, f'form[action="/orders/{order_id}/accept-quote"]')
    journey["order_id"] = order_id

    # TOTP by scanning the QR code, recovery codes once.
    go(driver, base, "/account/security")
    codes = enrol_mfa(driver, base, cred, authenticator, shot="mfa.png")
    screenshot(driver, "recovery-codes.png")
    assert len(set(codes)) == len(codes)
    logout(driver, base)

    # Back in with the second factor; the order is on the dashboard.
    login(driver, base, cred, authenticator)
    links = [a.get_dom_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "table.orders a")]
    assert f"/orders/{order_id}" in links, f"the dashboard lists {links}"
    journey["customer_mfa"] = True
    # Checked last, so that the journeys after this one still run when it fails.
    go(driver, base, f"/orders/{order_id}")
    no_template_leak(driver)


# --------------------------------------------------------------------------- installer


def test_installer_accepts_the_offer(driver, web, journey, authenticator):
    need(journey, "installer_ready", "order_id")
    base = web.base_url
    login(driver, base, web.credentials["installer"], authenticator)
    # The dispatch sweep (every second here) offers the order to the nearest installers.
    deadline = time.monotonic() + 30
    while True:
        accept = driver.find_elements(By.CSS_SELECTOR, 'table.offers form[action^="/installer/offers/"][action$="/accept"]')
        if accept or time.monotonic() > deadline:
            break
        time.sleep(1)
        driver.refresh()
        visit_ok(driver)
    assert accept, f"no offer reached the installer: {body_text(driver)[:500]}"
    screenshot(driver, "installer.png")
    offers = driver.find_element(By.CSS_SELECTOR, "table.offers").text
    assert "Madrid" in offers, "the offer shows the area"
    assert STREET not in offers, "the offer must not show the street before the job is taken"
    submit(driver, accept[0])
    visit_ok(driver, shot="installer-job.png")
    jobs = driver.find_elements(By.CSS_SELECTOR, "table.jobs")
    assert jobs and STREET in jobs[0].text, f"the accepted job shows the full address: {body_text(driver)[:500]}"
    journey["assigned"] = True


# --------------------------------------------------------------------------- support


def test_support_finds_reveals_and_reschedules(driver, web, journey, authenticator):
    need(journey, "customer", "order_id")
    base = web.base_url
    customer = journey["customer"]
    staff_first_login(driver, base, web.credentials["support"], authenticator, mfa_shot="staff-mfa.png")
    screenshot(driver, "staff-console.png")
    assert driver.find_elements(By.CSS_SELECTOR, 'a[href="/staff/customers"]'), "the console links to Customers"

    go(driver, base, "/staff/customers")
    f = form(driver, "/staff/customers")
    fill(f, query=customer.email)
    submit(driver, f)
    visit_ok(driver, shot="staff-customers.png")
    table = driver.find_element(By.CSS_SELECTOR, "table.customers")
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr") or table.find_elements(By.CSS_SELECTOR, "tr")[1:]
    assert len(rows) == 1, f"exact email search found {len(rows)} rows"
    assert customer.email not in table.text and customer.phone not in table.text, "search results must be masked"
    link = rows[0].find_element(By.CSS_SELECTOR, 'a[href^="/staff/customers/"]')
    click_and_wait(driver, link)
    visit_ok(driver, shot="staff-customer.png")
    customer_path = path_of(driver)
    assert customer.email not in body_text(driver), "the customer page is masked until revealed"

    f = form(driver, f"{customer_path}/reveal")
    fill(f, reason="Customer called to move the installation date", ticket="SUP-4711")
    submit(driver, f)
    visit_ok(driver, shot="staff-revealed.png")
    assert customer.email in body_text(driver), "revealed data shows the email"

    order_id = journey["order_id"]
    go(driver, base, f"/staff/orders/{order_id}", shot="staff-order.png")
    need(journey, "assigned")  # an order is rescheduled once an installer holds it
    new_date = (datetime.date.today() + datetime.timedelta(days=21)).isoformat()
    forms = [f for f in driver.find_elements(By.CSS_SELECTOR, f'form[action="/staff/orders/{order_id}"]')
             if f.find_elements(By.NAME, "scheduledDate")]
    assert forms, "no reschedule form (scheduledDate) on the staff order page"
    fill(forms[0], scheduledDate=new_date)
    if forms[0].find_elements(By.NAME, "reason"):
        fill(forms[0], reason="Customer asked for a later date (SUP-4711)")
    submit(driver, forms[0])
    visit_ok(driver)
    go(driver, base, f"/staff/orders/{order_id}")
    assert new_date in body_text(driver), f"the new date {new_date} is not shown"
    no_template_leak(driver)


# --------------------------------------------------------------------------- sales


def test_sales_sees_charts(driver, web, authenticator):
    base = web.base_url
    staff_first_login(driver, base, web.credentials["sales"], authenticator)
    go(driver, base, "/staff/sales", shot="sales.png")
    charts = driver.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert charts, "no svg.chart on /staff/sales"
    for chart in charts:
        assert chart.size["width"] > 0 and chart.size["height"] > 0
    driver.set_window_size(375, 812)
    driver.refresh()
    visit_ok(driver, shot="sales-mobile.png")
    no_horizontal_scroll(driver)


# --------------------------------------------------------------------------- engineers


def test_break_glass_needs_a_second_engineer(driver, web, authenticator):
    base = web.base_url
    ticket = f"INC-{unique('')[:6]}"  # a marker in the reason, to find this request again
    staff_first_login(driver, base, web.credentials["engineer"], authenticator)
    go(driver, base, "/staff/break-glass")
    f = form(driver, "/staff/break-glass")
    fill(f, reason=f"{ticket}: orders stuck in dispatch; need to read one customer's record", durationMinutes="30")
    submit(driver, f)
    visit_ok(driver)
    assert ticket in body_text(driver), "the pending request is listed"
    logout(driver, base)

    staff_first_login(driver, base, web.credentials["engineer2"], authenticator)
    go(driver, base, "/staff/break-glass")
    approve = driver.find_elements(By.CSS_SELECTOR, 'form[action^="/staff/break-glass/"][action$="/approve"]')
    assert approve, f"no approve form for the pending request: {body_text(driver)[:500]}"
    row = approve[0].find_element(By.XPATH, "./ancestor::*[self::tr or self::li or self::article or self::section][1]")
    assert ticket in row.text, "the approve form belongs to the request"
    submit(driver, approve[0])
    visit_ok(driver, shot="break-glass.png")
    text = body_text(driver)
    assert re.search(r"expir", text, re.I) and re.search(r"\d{1,2}:\d{2}", text), f"no expiry shown: {text[:500]}"

    go(driver, base, "/staff/audit", shot="audit.png")
    assert driver.find_elements(By.CSS_SELECTOR, "table tbody tr, table tr + tr"), "the audit viewer lists no events"


# --------------------------------------------------------------------------- administrators


def test_a_new_staff_account_waits_for_a_second_administrator(driver, web, authenticator):
    base = web.base_url
    new = Credential(email=f"{unique('sales')}@staff.example.com", password=unique("Initial-") + "-password",
                     role="sales", name="Sam Sales", phone=unique_phone())
    login_body = {"email": new.email, "password": new.password}
    staff_first_login(driver, base, web.credentials["admin"], authenticator)
    go(driver, base, "/admin/accounts")
    f = form(driver, "/admin/accounts")
    assert not f.find_elements(By.NAME, "password"), "an administrator must not choose another person's password"
    fill(f, name=new.name, email=new.email, phone=new.phone, role="sales")
    submit(driver, f)
    visit_ok(driver, status=202, shot="admin-accounts.png")
    text = body_text(driver)
    assert "locked until" in text and "24 hours" in text and "invitation" in text, text[:600]
    row = driver.find_element(By.XPATH, f'//table[contains(@class,"grants")]//tr[td[contains(., "{new.email}")]]')
    assert not row.find_elements(By.CSS_SELECTOR, "form"), "the requester is offered to approve their own request"
    assert "own request" in row.text
    logout(driver, base)

    # The new colleague chooses the password with the emailed invitation code, on the site.
    mails = [m for m in web.mail_to(new.email, "invited") if "invited" in m["subject"]]
    assert mails, f"no invitation emailed to {new.email}"
    code = re.search(r"code is: (\S+)", mails[-1]["body"]).group(1)
    go(driver, base, "/invitation")
    f = form(driver, "/invitation")
    fill(f, token=code, password=new.password)
    submit(driver, f)
    visit_ok(driver)
    assert "Your password is set" in body_text(driver), body_text(driver)[:400]
    assert web.post("/api/v1/auth/login", json=login_body).status_code == 401, "the account works before the approval"

    admin2 = web.credentials["admin2"]
    staff_first_login(driver, base, admin2, authenticator)
    go(driver, base, "/admin/accounts")
    row = driver.find_element(By.XPATH, f'//table[contains(@class,"grants")]//tr[td[contains(., "{new.email}")]]')
    approve = row.find_element(By.CSS_SELECTOR, 'form[action^="/admin/role-grants/"][action$="/approve"]')
    fill(approve, password=admin2.password, totpCode=authenticator.code(admin2.email))
    submit(driver, approve)
    visit_ok(driver)
    assert "Approved" in body_text(driver) and "sales" in body_text(driver)
    assert not driver.find_elements(By.XPATH, f'//table[contains(@class,"grants")]//tr[td[contains(., "{new.email}")]]')
    first = web.post("/api/v1/auth/login", json=login_body)
    assert first.status_code == 200 and first.json()["mfaEnrollmentRequired"] is True, first.text
