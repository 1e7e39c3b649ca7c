"""The platform on MySQL/MariaDB against a server of its own: least-privilege users, migrations by
the migration user, `solar doctor`, the main flow, and durability when the database is killed
under load (no acknowledged order is lost; requests during the outage get 503, never 500 or a
hang)."""

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import REPO, Running, Server, auth, base_env, create_cli_accounts, enroll_totp, free_port, order_body, run_cli

SCRIPT = REPO / "scripts" / "mariadb-test-server.sh"


def root_sql(maria: dict, statements: str) -> None:
    subprocess.run(["mariadb", "--no-defaults", f"--socket={maria['SOLAR_TEST_MYSQL_SOCKET']}", "-uroot"],
                   input=statements, text=True, check=True, capture_output=True)


def secret_file(tmp: Path, name: str, value: str) -> Path:
    path = tmp / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return path


def start_mariadb() -> dict:
    """A throw-away MariaDB with a `solar` database, a migration user (all rights on it) and an
    app user (no rights until `solar grants`); returns the script's settings."""
    out = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, check=True).stdout
    maria = dict(re.findall(r"export (\w+)='?([^'\n]*)'?", out))
    root_sql(maria, """
        CREATE DATABASE solar CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
        CREATE USER 'solar_migrator'@'127.0.0.1' IDENTIFIED BY 'migrator-pass-123';
        GRANT ALL PRIVILEGES ON solar.* TO 'solar_migrator'@'127.0.0.1';
        CREATE USER 'solar_app'@'127.0.0.1' IDENTIFIED BY 'app-pass-456';
    """)
    return maria


@pytest.fixture
def mysql_solar(solar_bin, tmp_root):
    maria = start_mariadb()
    tmp = tmp_root / f"mysql-{maria['SOLAR_TEST_MYSQL_PORT']}"
    tmp.mkdir(parents=True)
    running = None
    try:
        host = f"127.0.0.1:{maria['SOLAR_TEST_MYSQL_PORT']}"
        port = free_port()
        env = base_env(tmp, PORT=str(port), DATABASE_URL=f"mysql://solar_app@{host}/solar", DATABASE_TLS="disabled",
                       DATABASE_PASSWORD_FILE=str(secret_file(tmp, "app.pw", "app-pass-456")),
                       DATABASE_MIGRATION_URL=f"mysql://solar_migrator@{host}/solar",
                       DATABASE_MIGRATION_PASSWORD_FILE=str(secret_file(tmp, "migrator.pw", "migrator-pass-123")),
                       AUTO_MIGRATE="false")
        migrate = run_cli(solar_bin, ["migrate"], env)
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        grants = run_cli(solar_bin, ["grants", "--user", "solar_app", "--host", "127.0.0.1", "--database", "solar"], env)
        assert grants.returncode == 0, grants.stderr
        root_sql(maria, grants.stdout)
        credentials = create_cli_accounts(solar_bin, tmp, env, roles=("installer",))
        running = Running(solar_bin, tmp, env, port)
        running.wait_ready()
        srv = Server(base_url=running.base_url, credentials=credentials, log_path=running.log_path, tmp=tmp,
                     binary=solar_bin, port=port)
        enroll_totp(srv, credentials["installer"])
        yield srv, running, maria, env
    finally:
        if running is not None:
            running.stop()
        subprocess.run([str(SCRIPT), "stop", maria["MARIADB_TEST_DIR"]], check=False)


def test_doctor_and_main_flow_on_mysql(mysql_solar, solar_bin):
    srv, running, maria, env = mysql_solar
    doctor = run_cli(solar_bin, ["doctor"], env)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "ok   innodb_flush_log_at_trx_commit = 1" in doctor.stdout
    assert "ok   sync_binlog = 1" in doctor.stdout
    assert "app-pass-456" not in doctor.stdout + doctor.stderr + srv.read_log()

    installer = srv.token("installer")
    profile = {"serviceArea": {"latitude": 40.45, "longitude": -3.69, "radiusKm": 50}, "available": True, "certifications": []}
    assert srv.put("/api/v1/installer/profile", token=installer, json=profile).status_code == 200
    _, customer = srv.new_customer()
    order = srv.post("/api/v1/orders", token=customer, json=order_body())
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    assert srv.post(f"/api/v1/orders/{order_id}/accept-quote", token=customer).json()["status"] == "dispatching"
    offers = srv.get("/api/v1/installer/offers", token=installer).json()["items"]
    assert len(offers) == 1
    job = srv.post(f"/api/v1/installer/offers/{offers[0]['id']}/accept", token=installer)
    assert job.status_code == 200 and job.json()["status"] == "scheduled"


def test_production_refuses_mysql_without_verify_identity(solar_bin, tmp_path):
    env = base_env(tmp_path, ENVIRONMENT="production", PUBLIC_ORIGIN="https://app.solardispatch.example",
                   CORS_ALLOWED_ORIGINS="https://app.solardispatch.example", AUTO_MIGRATE="false",
                   DATABASE_URL="mysql://solar_app@db.internal:3306/solar", DATABASE_TLS="required",
                   DATABASE_PASSWORD="never-printed-secret", PORT=str(free_port()))
    r = run_cli(solar_bin, ["serve"], env, timeout=30)
    assert r.returncode != 0
    assert "verify-identity" in r.stdout + r.stderr
    assert "never-printed-secret" not in r.stdout + r.stderr


def test_no_acknowledged_order_is_lost_when_the_database_is_killed(mysql_solar):
    srv, running, maria, env = mysql_solar
    _, token = srv.new_customer()
    acknowledged: list[str] = []
    statuses: list[int] = []
    slow: list[float] = []
    stop = threading.Event()

    def stream():
        while not stop.is_set():
            started = time.monotonic()
            try:
                r = requests.post(srv.url("/api/v1/orders"), json=order_body(), headers=auth(token), timeout=15)
            except requests.RequestException:
                statuses.append(-1)
                continue
            elapsed = time.monotonic() - started
            if elapsed > 10:
                slow.append(elapsed)
            statuses.append(r.status_code)
            if r.status_code == 201:
                acknowledged.append(r.json()["id"])

    writer = threading.Thread(target=stream)
    writer.start()
    try:
        time.sleep(1.5)
        before_kill = len(acknowledged)
        pid = int(Path(maria["MARIADB_TEST_DIR"], "mariadb.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        time.sleep(2.5)
        during = statuses[-3:]
        ready = requests.get(srv.url("/health/ready"), timeout=10)
        assert ready.status_code == 503, "readiness must fail while the database is down"
        subprocess.run([str(SCRIPT), "restart", maria["MARIADB_TEST_DIR"]], check=True, capture_output=True)
        deadline = time.monotonic() + 30
        while requests.get(srv.url("/health/ready"), timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "the server did not recover after the database restart"
            time.sleep(0.2)
        time.sleep(1.5)
    finally:
        stop.set()
        writer.join(timeout=30)

    assert before_kill >= 5, f"too few orders before the kill: {statuses}"
    assert during and all(s == 503 for s in during), f"requests during the outage: {during}"
    assert 500 not in statuses and -1 not in statuses, f"statuses: {sorted(set(statuses))}"
    assert not slow, f"requests hung: {slow}"
    assert statuses[-1] == 201, "orders are accepted again after recovery"

    stored: set[str] = set()
    offset = 0
    while True:
        page = srv.get(f"/api/v1/orders?limit=100&offset={offset}", token=token).json()
        stored |= {item["id"] for item in page["items"]}
        if page.get("nextOffset") is None:
            break
        offset = page["nextOffset"]
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged orders lost: {sorted(missing)[:5]}"
    assert running.alive()
