"""`solar audit verify` against a real database: intact after real traffic, and naming the
first broken entry after someone edits or deletes a row directly in the database file; with
`--against`, finding a chain that an insider holding AUDIT_KEY edited and re-signed."""

import base64
import hashlib
import hmac
import json
import sqlite3

from conftest import SESSION_AUDIT_KEY, base_env, run_cli

COLUMNS = ["id", "occurred_at", "actor_id", "actor_role", "action", "target_type", "target_id", "outcome",
           "client_ip", "request_id", "detail"]


def _verify(srv, *extra):
    env = base_env(srv.tmp, PORT=str(srv.port))
    return run_cli(srv.binary, ["audit", "verify", *extra], env)


def _canonical(values) -> str:
    return "[" + ",".join("null" if v is None else json.dumps(str(v), ensure_ascii=False) for v in values) + "]"


def _resign(db, key: bytes, start: int) -> None:
    """What an insider holding the database and AUDIT_KEY can do: recompute every hash and MAC
    from `start` on and sign the chain head again."""
    before = db.execute("SELECT seq, entry_hash FROM audit_events WHERE seq < ? ORDER BY seq DESC LIMIT 1", (start,)).fetchone()
    last, prev = before if before else (0, "0" * 64)
    sign = lambda text: hmac.new(key, text.encode(), hashlib.sha256).hexdigest()  # noqa: E731
    rows = db.execute(f"SELECT seq, {', '.join(COLUMNS)} FROM audit_events WHERE seq >= ? ORDER BY seq", (start,)).fetchall()
    for row in rows:
        entry = hashlib.sha256((prev + "\n" + _canonical(row[1:])).encode()).hexdigest()
        db.execute("UPDATE audit_events SET prev_hash = ?, entry_hash = ?, mac = ? WHERE seq = ?", (prev, entry, sign(entry), row[0]))
        last, prev = row[0], entry
    first = db.execute("SELECT first_seq FROM audit_chain_head WHERE id = 1").fetchone()[0]
    db.execute("UPDATE audit_chain_head SET last_seq = ?, last_hash = ?, mac = ? WHERE id = 1",
               (last, prev, sign(f"head2:{first}:{last}:{prev}")))


def test_chain_is_intact_after_traffic(server, customer):
    server.get("/api/v1/me", token=customer[1])
    r = _verify(server)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "audit chain intact" in r.stdout


def test_direct_database_edits_are_detected(disposable_server):
    srv, running = disposable_server
    for _ in range(3):
        srv.new_customer()
    assert _verify(srv).returncode == 0
    db = sqlite3.connect(srv.tmp / "solar.sqlite")
    db.execute("DROP TRIGGER audit_events_no_update")
    db.execute("DROP TRIGGER audit_events_no_delete")
    target = db.execute("SELECT seq FROM audit_events ORDER BY seq LIMIT 1 OFFSET 2").fetchone()[0]
    db.execute("UPDATE audit_events SET actor_role = 'admin' WHERE seq = ?", (target,))
    db.commit()
    edited = _verify(srv)
    assert edited.returncode == 1
    assert f"BROKEN at seq {target}" in edited.stdout
    db.execute("DELETE FROM audit_events WHERE seq = ?", (target,))
    db.commit()
    deleted = _verify(srv)
    assert deleted.returncode == 1 and "BROKEN at seq" in deleted.stdout
    db.close()


def test_resigned_chain_differs_from_the_exported_stream(disposable_server):
    srv, running = disposable_server
    for _ in range(3):
        srv.new_customer()
    assert running.stop() == 0  # a last checkpoint at shutdown
    lines = [line for line in srv.read_log().splitlines() if '"stream":"audit"' in line]
    records = [json.loads(line) for line in lines]
    assert any(r["msg"] == "audit.checkpoint" and r.get("checkpoint_mac") for r in records), "no checkpoint in the stream"
    events = [r for r in records if r["msg"] == "audit"]
    assert events and all(r.get("seq") and len(r.get("entry_hash", "")) == 64 and r.get("audit_id") for r in events)
    assert SESSION_AUDIT_KEY not in srv.read_log()
    export = srv.tmp / "audit-export.jsonl"
    export.write_text("\n".join(lines) + "\n")
    clean = _verify(srv, "--against", str(export))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "export matches" in clean.stdout

    db = sqlite3.connect(srv.tmp / "solar.sqlite")
    db.execute("DROP TRIGGER audit_events_no_update")
    target = int(events[1]["seq"])
    db.execute("UPDATE audit_events SET actor_role = 'admin' WHERE seq = ?", (target,))
    _resign(db, base64.b64decode(SESSION_AUDIT_KEY), target)
    db.commit()
    db.close()
    inside = _verify(srv)
    assert inside.returncode == 0, "the re-signed chain should verify inside the database: " + inside.stdout + inside.stderr
    against = _verify(srv, "--against", str(export))
    assert against.returncode == 1, against.stdout + against.stderr
    assert f"EXPORT DIFFERS at seq {target}" in against.stdout

    # An export that is not the JSON-line stream is refused, not passed.
    junk = srv.tmp / "junk.txt"
    junk.write_text("not a log line\n")
    refused = _verify(srv, "--against", str(junk))
    assert refused.returncode == 2 and "line 1" in refused.stderr
