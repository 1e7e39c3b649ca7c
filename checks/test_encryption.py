"""A copy of the database files alone must not expose customers' personal data."""

import uuid

from conftest import order_body


def test_database_files_hold_no_plaintext_personal_data(server):
    cred, token = server.new_customer()
    street = f"Calle Secreta {uuid.uuid4().hex[:8]}"
    notes = f"alarm code {uuid.uuid4().hex[:6]}"
    body = order_body(notes=notes)
    body["address"] = dict(body["address"], line1=street, postalCode="28999")
    r = server.post("/api/v1/orders", token=token, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["address"]["line1"] == street  # the owner still sees it
    raw = b"".join(p.read_bytes() for p in server.tmp.glob("solar.sqlite*"))
    assert raw, "database files not found"
    for secret in [street, notes, cred.phone, cred.email, cred.name, "28999"]:
        assert secret.encode() not in raw, f"{secret!r} is stored in clear"
