"""Graceful shutdown: on SIGTERM the server stops accepting work but lets every request that
is already in flight finish, then exits 0."""

import signal
import time
from concurrent.futures import ThreadPoolExecutor

import requests


def test_sigterm_lets_in_flight_requests_finish(disposable_server):
    server, running = disposable_server
    customer, _ = server.new_customer()
    # Each login runs Argon2id (m=19 MiB, t=2) on a 2-thread pool, so a burst of logins keeps
    # the server busy for a few hundred milliseconds.
    burst = 12

    def login(_):
        return requests.post(server.url("/api/v1/auth/login"),
                             json={"email": customer.email, "password": customer.password}, timeout=30)

    with ThreadPoolExecutor(max_workers=burst) as pool:
        futures = [pool.submit(login, i) for i in range(burst)]
        time.sleep(0.1)  # every request is sent and being served
        running.proc.send_signal(signal.SIGTERM)
        statuses = [f.result().status_code for f in futures]

    assert statuses == [200] * burst, statuses
    assert running.proc.wait(timeout=20) == 0
    try:
        requests.get(server.url("/health/live"), timeout=2)
        raise AssertionError("the server still accepts requests after shutting down")
    except requests.ConnectionError:
        pass
