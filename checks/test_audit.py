"""`solar audit verify` against a real database: intact after real traffic, and naming the
first broken entry after someone edits or deletes a row directly in the database file."""

import sqlite3

from conftest import base_env, run_cli


def _verify(srv):
    env = base_env(srv.tmp, PORT=str(srv.port))
    return run_cli(srv.binary, ["audit", "verify"], env)


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
