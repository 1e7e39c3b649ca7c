#!/usr/bin/env python3
"""`make bench`: the release server with every security control on, seeded through the store,
driven by wrk from the same machine (docs/performance.md). For each database (SQLite, then MySQL
on a throw-away MariaDB) it seeds 10,000 customers, 100,000 orders and 200 installers
(`solar bench seed`), starts the server, measures start-up and idle memory, runs every scenario
(32 connections, 15 s, after a 5 s warm-up) while sampling the server's RSS, times `solar audit
verify`, and measures the two ceilings (health, Argon2id). It prints a table and writes
bench/results.json with PASS or MISS beside each budget.

Settings: BENCH_DATABASES (sqlite,mysql), BENCH_SECONDS (15), BENCH_SCALE (1.0: multiplies the
seeded counts; 10 gives the 10x run, written to bench/results-10x.json, which the next 1x run
compares its order list with), BENCH_BINARY (.build-release/release/solar)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
BINARY = Path(os.environ.get("BENCH_BINARY", REPO / ".build-release/release/solar"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
WARMUP = 5
CONNECTIONS = 32
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
PASSWORD = "bench long sunny rooftop passphrase"
MARIADB = REPO / "scripts/mariadb-test-server.sh"
LIMITS = ",".join(f"{a}=1000000,{a}@address=1000000" for a in (
    "signup", "password-reset", "email-change", "create-order", "accept-quote", "accept-offer",
    "customer-search", "reveal", "break-glass", "login-code"))
ORDER = {"address": {"line1": "Calle de Alcala 42", "city": "Madrid", "region": "Madrid", "postalCode": "28014", "country": "ES"},
         "location": {"latitude": 40.42, "longitude": -3.69}, "systemSizeKw": 6.4, "panelCount": 16, "roofType": "tile"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def totp(secret_b32: str, offset: int = 0) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30 + offset), hashlib.sha1).digest()
    o = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[o:o + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", text).group(1))


class Sampler(threading.Thread):
    """The server's peak resident memory while a scenario runs."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopped = pid, 0, threading.Event()

    def run(self):
        while not self.stopped.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.05)

    def stop(self) -> int:
        self.stopped.set()
        self.join()
        return self.peak


def lua(path: Path, method: str, body: dict | None, headers: dict) -> Path:
    lines = [f'wrk.method = "{method}"']
    for k, v in headers.items():
        lines.append(f'wrk.headers["{k}"] = "{v}"')
    if body is not None:
        lines.append("wrk.body = " + json.dumps(json.dumps(body)))
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(url: str, script: Path, seconds: int, connections: int = CONNECTIONS) -> dict:
    r = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                       capture_output=True, text=True, check=True)
    out = r.stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]

    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    sock = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out)) if "Socket errors" in out else 0
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50_ms": ms("50%"), "p99_ms": ms("99%"),
            "requests": total, "errors": non2xx + sock}


class Server:
    def __init__(self, env: dict, tmp: Path):
        self.env, self.tmp = env, tmp
        self.base = f"http://127.0.0.1:{env['PORT']}"
        self.proc = None

    def cli(self, *args: str) -> str:
        r = subprocess.run([str(BINARY), *args], env=self.env, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"solar {' '.join(args)} failed: {r.stdout}\n{r.stderr}")
        return r.stdout

    def start(self) -> float:
        started = time.monotonic()
        self.proc = subprocess.Popen([str(BINARY), "serve"], env=self.env, stdout=open(self.tmp / "server.log", "ab"),
                                     stderr=subprocess.STDOUT)
        while True:
            try:
                if requests.get(self.base + "/health/ready", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            if self.proc.poll() is not None or time.monotonic() - started > 60:
                sys.exit("the server did not start:\n" + (self.tmp / "server.log").read_text()[-3000:])
            time.sleep(0.01)

    def stop(self) -> float | None:
        """SIGTERM; seconds until the process exited (killed after 120 s: None)."""
        if not self.proc or self.proc.poll() is not None:
            return None
        started = time.monotonic()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=120)
            return round(time.monotonic() - started, 2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def login_codes(mail: Path, email: str) -> list[str]:
    found = []
    for p in sorted(mail.glob("*.json")):
        m = json.loads(p.read_text())
        if m["to"] == email and "login code" in m["subject"]:
            found.append(re.search(r"code is: (\d{6})", m["body"]).group(1))
    return found


def customer_login(srv: Server, email: str) -> dict:
    """A customer's first login on this machine: the password, then the emailed new-device code."""
    body = {"email": email, "password": PASSWORD}
    sent = len(login_codes(srv.tmp / "mail", email))
    r = requests.post(srv.base + "/api/v1/auth/login", json=body)
    if r.status_code == 401:
        deadline = time.monotonic() + 30
        while len(codes := login_codes(srv.tmp / "mail", email)) <= sent:
            if time.monotonic() > deadline:
                sys.exit("no login code arrived")
            time.sleep(0.3)
        r = requests.post(srv.base + "/api/v1/auth/login", json={**body, "emailCode": codes[-1]})
    r.raise_for_status()
    return r.json()


def sessions(srv: Server, seed: dict) -> dict:
    """The list's customer, another customer for the login scenarios (logging one account in
    thousands of times ends its oldest sessions, MAX_SESSIONS_PER_ACCOUNT, which would be the
    list's; its device token spares those logins the emailed code), support and the admin (TOTP)."""
    out = {"customer": customer_login(srv, seed["customerEmail"])["accessToken"],
           "device": customer_login(srv, seed["searchEmail"])["deviceToken"]}
    for role, email, offset in (("support", seed["supportEmail"], 0), ("admin", seed["adminEmail"], 1)):
        r = requests.post(srv.base + "/api/v1/auth/login", json={"email": email, "password": PASSWORD, "totpCode": totp(seed["totpSecret"], offset)})
        r.raise_for_status()
        out[role] = r.json()["accessToken"]
    orders = requests.get(srv.base + "/api/v1/orders?limit=20", headers={"Authorization": "Bearer " + out["customer"]}).json()["items"]
    out["order"] = orders[0]["id"]
    return out


def scenarios(srv: Server, s: dict, seed: dict, work: Path) -> dict:
    auth = lambda who: {"Authorization": "Bearer " + s[who], "Content-Type": "application/json"}  # noqa: E731
    login = {"email": seed["searchEmail"], "password": PASSWORD, "deviceToken": s["device"]}
    plan = {
        "health": ("/health/live", lua(work / "health.lua", "GET", None, {})),
        "order_list": ("/api/v1/orders?limit=20", lua(work / "list.lua", "GET", None, auth("customer"))),
        "order_by_id": (f"/api/v1/orders/{s['order']}", lua(work / "one.lua", "GET", None, auth("customer"))),
        "order_create": ("/api/v1/orders", lua(work / "create.lua", "POST", ORDER, auth("customer"))),
        "login": ("/api/v1/auth/login", lua(work / "login.lua", "POST", login, {"Content-Type": "application/json"})),
        "support_search": ("/api/v1/staff/customer-search", lua(work / "search.lua", "POST", {"query": seed["searchEmail"]}, auth("support"))),
        "audit_events": ("/api/v1/staff/audit-events?limit=20", lua(work / "audit.lua", "GET", None, auth("admin"))),
    }
    results = {}
    for name, (path, script) in plan.items():
        wrk(srv.base + path, script, WARMUP)
        sampler = Sampler(srv.proc.pid)
        sampler.start()
        results[name] = wrk(srv.base + path, script, SECONDS)
        results[name]["peak_rss_mib"] = round(sampler.stop() / 1024, 1)
        print(f"  {name:<16} {results[name]['rps']:>9.0f} req/s  p99 {results[name]['p99_ms']:>8.1f} ms", flush=True)
    # Mixed: two wrk processes at once, 16 connections each.
    for name, (a, b) in {"login_burst_with_list": ("login", "order_list"), "list_while_creating": ("order_list", "order_create")}.items():
        sampler = Sampler(srv.proc.pid)
        sampler.start()
        box = {}
        threads = [threading.Thread(target=lambda k=k: box.__setitem__(k, wrk(srv.base + plan[k][0], plan[k][1], SECONDS, 16))) for k in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        peak = round(sampler.stop() / 1024, 1)
        results[name] = {a: box[a], b: box[b], "peak_rss_mib": peak}
        print(f"  {name:<22} {a} {box[a]['rps']:.0f} req/s p99 {box[a]['p99_ms']:.1f} ms; {b} {box[b]['rps']:.0f} req/s p99 {box[b]['p99_ms']:.1f} ms", flush=True)
    return results


def sqlite_env(tmp: Path) -> tuple[dict, callable]:
    return {"DATABASE_URL": f"sqlite:{tmp / 'solar.sqlite'}"}, lambda: None


def mysql_env(tmp: Path) -> tuple[dict, callable]:
    out = subprocess.run([str(MARIADB), "start"], capture_output=True, text=True, check=True).stdout
    maria = dict(re.findall(r"export (\w+)='?([^'\n]*)'?", out))

    def root(sql: str):
        subprocess.run(["mariadb", "--no-defaults", f"--socket={maria['SOLAR_TEST_MYSQL_SOCKET']}", "-uroot"], input=sql, text=True,
                       check=True, capture_output=True)
    root("""CREATE DATABASE solar CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
            CREATE USER 'solar_migrator'@'127.0.0.1' IDENTIFIED BY 'migrator-pass-123';
            GRANT ALL PRIVILEGES ON solar.* TO 'solar_migrator'@'127.0.0.1';
            CREATE USER 'solar_app'@'127.0.0.1' IDENTIFIED BY 'app-pass-456';""")
    for name, value in (("app.pw", "app-pass-456"), ("migrator.pw", "migrator-pass-123")):
        (tmp / name).write_text(value + "\n")
        os.chmod(tmp / name, 0o600)
    host = f"127.0.0.1:{maria['SOLAR_TEST_MYSQL_PORT']}"
    env = {"DATABASE_URL": f"mysql://solar_app@{host}/solar", "DATABASE_TLS": "disabled", "DATABASE_PASSWORD_FILE": str(tmp / "app.pw"),
           "DATABASE_MIGRATION_URL": f"mysql://solar_migrator@{host}/solar", "DATABASE_MIGRATION_PASSWORD_FILE": str(tmp / "migrator.pw"),
           "AUTO_MIGRATE": "false", "_ROOT": maria["SOLAR_TEST_MYSQL_SOCKET"]}
    env["_grant"] = root  # type: ignore[assignment]
    return env, lambda: subprocess.run([str(MARIADB), "stop", maria["MARIADB_TEST_DIR"]], check=False)


def run_database(kind: str) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"solar-bench-{kind}-"))
    extra, cleanup = (sqlite_env if kind == "sqlite" else mysql_env)(tmp)
    grant = extra.pop("_grant", None)
    extra.pop("_ROOT", None)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "ENVIRONMENT": "development", "HOST": "127.0.0.1",
           "PORT": str(free_port()), "METRICS_PORT": str(free_port()), "LOG_LEVEL": "warning", "RATE_LIMITS": LIMITS,
           "MAIL_DIRECTORY": str(tmp / "mail"), "PWNED_PASSWORDS": "off", **extra}
    srv = Server(env, tmp)
    try:
        srv.cli("migrate")
        if grant:
            grant(srv.cli("grants", "--user", "solar_app", "--host", "127.0.0.1", "--database", "solar"))
        (tmp / "pw").write_text(PASSWORD + "\n")
        counts = {k: str(max(1, int(v * SCALE))) for k, v in (("customers", 10_000), ("orders", 100_000), ("installers", 200), ("audit-events", 100_000))}
        started = time.monotonic()
        seed = json.loads(srv.cli("bench", "seed", "--password-file", str(tmp / "pw"), *[x for k, v in counts.items() for x in (f"--{k}", v)]).strip().splitlines()[-1])
        print(f"{kind}: seeded {seed['accounts']} accounts, {seed['orders']} orders, {seed['auditEvents']} audit events in {time.monotonic() - started:.0f} s", flush=True)
        startup = srv.start()
        time.sleep(2)
        idle = round(rss_kib(srv.proc.pid) / 1024, 1)
        print(f"  start-up {startup * 1000:.0f} ms, idle RSS {idle} MiB", flush=True)
        s = sessions(srv, seed)
        results = scenarios(srv, s, seed, tmp)
        started = time.monotonic()
        verified = srv.cli("audit", "verify")
        elapsed = time.monotonic() - started
        entries = int(re.search(r"(\d+) entries verified", verified).group(1))
        shutdown = srv.stop()
        print(f"  audit verify {entries / elapsed:.0f} entries/s; shutdown after SIGTERM {shutdown} s", flush=True)
        return {"startup_s": round(startup, 3), "idle_rss_mib": idle, "shutdown_s": shutdown, "scenarios": results,
                "audit_verify": {"entries": entries, "seconds": round(elapsed, 2), "entries_per_s": round(entries / elapsed)}}
    finally:
        srv.stop()
        cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


def budgets(results: dict, ceilings: dict) -> list[dict]:
    rows = []

    def check(name, measured, target, ok, unit=""):
        rows.append({"budget": name, "measured": measured, "target": target, "unit": unit, "result": "PASS" if ok else "MISS"})

    hash_ceiling = ceilings["argon2_ceiling_rps"]
    for db, r in results.items():
        failed = [k for k, v in r["scenarios"].items() if v.get("errors", 0) or any(isinstance(x, dict) and x["errors"] for x in v.values())]
        check(f"{db}: scenarios without errors", ", ".join(failed) or "none", "none", not failed)
    for db, floor in (("sqlite", 7000), ("mysql", 3500)):
        if db not in results:
            continue
        sc = results[db]["scenarios"]
        check(f"{db}: order list req/s", sc["order_list"]["rps"], floor, sc["order_list"]["rps"] >= floor, "req/s")
        check(f"{db}: order list p99", sc["order_list"]["p99_ms"], 15, sc["order_list"]["p99_ms"] < 15, "ms")
        if db == "sqlite":
            check("sqlite: order creation req/s", sc["order_create"]["rps"], 2500, sc["order_create"]["rps"] >= 2500, "req/s")
            check("sqlite: order creation p99", sc["order_create"]["p99_ms"], 30, sc["order_create"]["p99_ms"] < 30, "ms")
            check("login: share of the Argon2id ceiling", round(sc["login"]["rps"] / hash_ceiling, 2), 0.9, sc["login"]["rps"] >= 0.9 * hash_ceiling)
            burst = sc["login_burst_with_list"]
            check("login burst: peak RSS", burst["peak_rss_mib"], 150, burst["peak_rss_mib"] < 150, "MiB")
            check("login burst: order list p99", burst["order_list"]["p99_ms"], 50, burst["order_list"]["p99_ms"] < 50, "ms")
            check("idle RSS", results[db]["idle_rss_mib"], 40, results[db]["idle_rss_mib"] < 40, "MiB")
            check("start-up to ready", results[db]["startup_s"], 1, results[db]["startup_s"] < 1, "s")
            check("audit verify entries/s", results[db]["audit_verify"]["entries_per_s"], 200_000,
                  results[db]["audit_verify"]["entries_per_s"] >= 200_000, "entries/s")
    return rows


def main():
    if not BINARY.exists():
        sys.exit(f"{BINARY} is missing: `make bench` builds it")
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs it")
    hashing = json.loads(subprocess.run([str(BINARY), "bench", "hash"], capture_output=True, text=True, check=True).stdout)
    ceilings = {"argon2_verify_s": hashing["verifySeconds"], "cores": hashing["cores"],
                "argon2_ceiling_rps": round(hashing["cores"] / hashing["verifySeconds"], 1)}
    print(f"Argon2id: one verify {hashing['verifySeconds'] * 1000:.0f} ms, ceiling {ceilings['argon2_ceiling_rps']} logins/s on {hashing['cores']} cores")
    # The 10x run (BENCH_SCALE=10) writes its own file; the 1x run compares its list with it.
    out = REPO / ("bench/results.json" if SCALE == 1 else f"bench/results-{SCALE:g}x.json")
    # A run of some databases keeps the others' last figures.
    results = json.loads(out.read_text())["results"] if out.exists() else {}
    for kind in os.environ.get("BENCH_DATABASES", "sqlite,mysql").split(","):
        results[kind] = run_database(kind.strip())
    if "sqlite" in results:
        ceilings["http_ceiling_rps"] = results["sqlite"]["scenarios"]["health"]["rps"]
    rows = budgets(results, ceilings)
    tenfold = REPO / "bench/results-10x.json"
    if SCALE == 1 and tenfold.exists() and "sqlite" in results:
        big = json.loads(tenfold.read_text())["results"].get("sqlite", {}).get("scenarios", {}).get("order_list")
        if big:
            ratio = round(big["rps"] / results["sqlite"]["scenarios"]["order_list"]["rps"], 2)
            rows.append({"budget": "sqlite: order list at 10x data, share of 1x", "measured": ratio, "target": 0.8, "unit": "",
                         "result": "PASS" if ratio >= 0.8 else "MISS"})
    print("\n| budget | measured | target | |\n|---|---:|---:|---|")
    for r in rows:
        print(f"| {r['budget']} | {r['measured']} {r['unit']} | {r['target']} {r['unit']} | {r['result']} |")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": {"cores": ceilings["cores"], "connections": CONNECTIONS, "seconds": SECONDS, "scale": SCALE},
                               "ceilings": ceilings, "results": results, "budgets": rows}, indent=2) + "\n")
    print(f"\nwritten: {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
