"""Configuration: insecure settings stop the server before it serves.

Each refusal is paired with a control that differs only in the offending setting and
does serve, so a refusal for any other reason (e.g. an unmigrated database) cannot pass.
"""

import dataclasses
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import base_env, free_port, run_cli
from test_mysql import SCRIPT, root_sql, secret_file, start_mariadb

REFUSE_WITHIN = 15


@pytest.fixture(scope="module")
def migrated(tmp_root, solar_bin):
    """A directory and the settings of a migrated MySQL database of its own, reached over TLS with
    the server's identity verified, as production requires (production refuses SQLite, and
    refuses to migrate on start). The app's user has DML only, as in production."""
    maria = start_mariadb()
    d = tmp_root / "config"
    d.mkdir()
    try:
        url = f"mysql://{{user}}@127.0.0.1:{maria['SOLAR_TEST_MYSQL_PORT']}/solar"
        db = {"DATABASE_URL": url.format(user="solar_app"), "DATABASE_TLS": "verify-identity",
              "DATABASE_TLS_CA_FILE": maria["SOLAR_TEST_MYSQL_CA_FILE"],
              "DATABASE_PASSWORD_FILE": str(secret_file(d, "app.pw", "app-pass-456"))}
        migrate_env = base_env(d, **db, DATABASE_MIGRATION_URL=url.format(user="solar_migrator"),
                               DATABASE_MIGRATION_PASSWORD_FILE=str(secret_file(d, "migrator.pw", "migrator-pass-123")))
        r = run_cli(solar_bin, ["migrate"], migrate_env)
        assert r.returncode == 0, r.stdout + r.stderr
        grants = run_cli(solar_bin, ["grants", "--user", "solar_app", "--host", "127.0.0.1", "--database", "solar"], migrate_env)
        assert grants.returncode == 0, grants.stderr
        root_sql(maria, grants.stdout)
        yield Migrated(d, db)
    finally:
        subprocess.run([str(SCRIPT), "stop", maria["MARIADB_TEST_DIR"]], check=False)


@dataclasses.dataclass
class Migrated:
    dir: Path
    database: dict


def _listening(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def run_serve(binary, env, port, timeout=REFUSE_WITHIN):
    """Starts `solar serve`; returns (exit code or None if still running, served?, output)."""
    proc = subprocess.Popen([str(binary), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    served = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if _listening(port):
                try:
                    served = requests.get(f"http://127.0.0.1:{port}/health/live", timeout=2).status_code == 200
                except requests.RequestException:
                    served = True
                if served:
                    break
            time.sleep(0.05)
        code = proc.poll()
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        out = proc.stdout.read().decode(errors="replace")
        proc.stdout.close()
    return code, served, out


def _env(m: Migrated, **kw):
    # Production delivers mail over SMTP (no connection is made at start).
    env = base_env(m.dir, **m.database, SMTP_HOST="smtp.solardispatch.example", SMTP_FROM="no-reply@solardispatch.example",
                   PAYMENT_WEBHOOK_SECRETS="checks-webhook-secret-" + "x" * 24)
    env.pop("CORS_ALLOWED_ORIGINS", None)
    env.update(kw)
    if env["ENVIRONMENT"] != "test":
        env.pop("NEW_DEVICE_EMAIL_CODE", None)  # the test environment's switch; others refuse it
    return env


def _assert_refused(solar_bin, env, port, must_name):
    start = time.monotonic()
    code, served, out = run_serve(solar_bin, env, port)
    elapsed = time.monotonic() - start
    assert not served, f"the server served with an insecure configuration:\n{out[-1000:]}"
    assert code is not None, f"the server did not exit within {REFUSE_WITHIN} s:\n{out[-1000:]}"
    assert code != 0, f"exit code 0 for a refused configuration:\n{out[-1000:]}"
    assert elapsed < REFUSE_WITHIN
    assert must_name in out, f"the refusal should name {must_name}:\n{out[-1000:]}"
    assert '"msg":"starting"' not in out.replace(" ", "")


def test_production_refuses_http_public_origin(migrated, solar_bin):
    port = free_port()
    env = _env(migrated, ENVIRONMENT="production", PUBLIC_ORIGIN="http://insecure.example", AUTO_MIGRATE="false", PORT=str(port))
    _assert_refused(solar_bin, env, port, "PUBLIC_ORIGIN")


def test_production_control_with_https_origin_serves(migrated, solar_bin):
    port = free_port()
    env = _env(migrated, ENVIRONMENT="production", PUBLIC_ORIGIN="https://app.solardispatch.example", AUTO_MIGRATE="false", PORT=str(port))
    code, served, out = run_serve(solar_bin, env, port, timeout=30)
    assert served, f"control configuration did not serve (exit {code}):\n{out[-1000:]}"


def test_production_refuses_sqlite(migrated, solar_bin):
    # The control above is the same configuration on MySQL, and serves.
    port = free_port()
    env = _env(migrated, ENVIRONMENT="production", PUBLIC_ORIGIN="https://app.solardispatch.example", AUTO_MIGRATE="false",
               PORT=str(port), DATABASE_URL=f"sqlite:{migrated.dir / 'solar.sqlite'}")
    _assert_refused(solar_bin, env, port, "production refuses SQLite")


def test_production_refuses_auto_migrate(migrated, solar_bin):
    port = free_port()
    env = _env(migrated, ENVIRONMENT="production", PUBLIC_ORIGIN="https://app.solardispatch.example", AUTO_MIGRATE="true", PORT=str(port))
    _assert_refused(solar_bin, env, port, "AUTO_MIGRATE")


def test_production_refuses_http_cors_origin(migrated, solar_bin):
    port = free_port()
    env = _env(migrated, ENVIRONMENT="production", PUBLIC_ORIGIN="https://app.solardispatch.example", AUTO_MIGRATE="false",
               CORS_ALLOWED_ORIGINS="http://app.solardispatch.example", PORT=str(port))
    _assert_refused(solar_bin, env, port, "CORS")


@pytest.mark.parametrize("origins", ["*", "https://app.solardispatch.example,*"])
def test_wildcard_cors_is_refused_even_in_development(migrated, solar_bin, origins):
    port = free_port()
    env = _env(migrated, ENVIRONMENT="development", CORS_ALLOWED_ORIGINS=origins, PORT=str(port))
    _assert_refused(solar_bin, env, port, "CORS_ALLOWED_ORIGINS")


def test_development_control_with_explicit_cors_serves(migrated, solar_bin):
    port = free_port()
    env = _env(migrated, ENVIRONMENT="development", CORS_ALLOWED_ORIGINS="https://app.solardispatch.example", PORT=str(port))
    code, served, out = run_serve(solar_bin, env, port, timeout=30)
    assert served, f"control configuration did not serve (exit {code}):\n{out[-1000:]}"


@pytest.mark.parametrize("key", ["ENCRYPTION_KEYS", "AUDIT_KEY", "BLIND_INDEX_KEY"])
def test_production_refuses_to_start_without_each_key(migrated, solar_bin, key):
    # The control above has every key and serves; this differs only by the missing key.
    port = free_port()
    env = _env(migrated, ENVIRONMENT="production", PUBLIC_ORIGIN="https://app.solardispatch.example", AUTO_MIGRATE="false", PORT=str(port))
    env.pop(key)
    env.pop(key + "_FILE", None)
    _assert_refused(solar_bin, env, port, key)


def test_a_key_is_never_echoed_in_the_refusal(migrated, solar_bin):
    port = free_port()
    secret = "bm90LWEta2V5LWJ1dC1zZWNyZXQ="  # valid base64, too short to be a key
    env = _env(migrated, ENVIRONMENT="production", PUBLIC_ORIGIN="https://app.solardispatch.example", AUTO_MIGRATE="false",
               AUDIT_KEY=secret, PORT=str(port))
    code, served, out = run_serve(solar_bin, env, port)
    assert not served and code not in (None, 0)
    assert "AUDIT_KEY" in out and secret not in out
