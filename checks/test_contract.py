"""The API against its contract: schemathesis generates requests from openapi.yaml (valid and
invalid ones, and stateful sequences following the spec's links) for every role, and checks
every answer: no server error, only documented status codes, content types, headers and
response schemas, invalid input refused, valid input accepted, 405 for undeclared methods,
and no access without credentials. Each role fuzzes its own server, so the junk it creates
stays out of the other checks."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, STAFF_ROLES, launch

ROLES = ["customer", *STAFF_ROLES]
METHODS = {"get", "put", "post", "delete", "patch"}
OPERATIONS = sum(len(METHODS & set(item)) for item in yaml.safe_load((REPO / "openapi.yaml").read_text())["paths"].values())


def _schemathesis() -> str:
    local = Path(sys.executable).parent / "schemathesis"
    found = str(local) if local.exists() else shutil.which("schemathesis")
    assert found, "schemathesis is not installed (checks/requirements.txt)"
    return found


@pytest.fixture(scope="module")
def fuzz_server(solar_bin, tmp_root):
    srv, running = launch(solar_bin, tmp_root / "contract")
    yield srv
    assert running.alive(), f"the server died under fuzzing:\n{srv.read_log()[-3000:]}"
    assert running.stop() == 0


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_honours_the_contract(fuzz_server, role):
    token = fuzz_server.new_customer()[1] if role == "customer" else fuzz_server.login(
        fuzz_server.credentials[role].email, fuzz_server.credentials[role].password)
    command = [
        _schemathesis(), "--config-file", str(REPO / "checks" / "schemathesis.toml"), "run", str(REPO / "openapi.yaml"),
        "--url", fuzz_server.base_url, "--header", f"Authorization: Bearer {token}",
        "--checks", "all", "--max-examples", "10", "--seed", os.environ.get("CONTRACT_SEED", "20261130"), "--workers", "1",
        "--generation-database", "none", "--request-timeout", "10", "--no-color", "--warnings", "off",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"schemathesis as {role} (exit {result.returncode}):\n{output[-12000:]}"
    # A run that tested nothing must not pass: every operation of the spec was exercised.
    assert OPERATIONS > 40 and f"Tested: {OPERATIONS}" in output, output[-3000:]
    generated = re.search(r"(\d+) generated", output)
    assert generated and int(generated.group(1)) > 10 * OPERATIONS, output[-3000:]
