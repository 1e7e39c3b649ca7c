"""A copy of the database files alone must not expose customers' personal data."""

import uuid

from conftest import order_body


def test_database_files_hold_no_plaintext_personal_data(server):
    cred, token = server.new_customer()
    street = f"Calle Secreta {uuid.uuid4().hex[:8]}"
    notes = f"alarm code {uuid.uuid4().hex[:6]}"
    # Letters outside 0-9a-f, so the value cannot turn up by chance inside a stored hex id or hash.
    postal = f"ZK-{uuid.uuid4().int % 10**6:06d}"
    body = order_body(notes=notes)
    body["address"] = dict(body["address"], line1=street, postalCode=postal)
    r = server.post("/api/v1/orders", token=token, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["address"]["line1"] == street  # the owner still sees it
    raw = b"".join(p.read_bytes() for p in server.tmp.glob("solar.sqlite*"))
    assert raw, "database files not found"
    for secret in [street, notes, cred.phone, cred.email, cred.name, postal]:
        assert secret.encode() not in raw, f"{secret!r} is stored in clear"
