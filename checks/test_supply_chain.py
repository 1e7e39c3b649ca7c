"""The supply chain: every Swift package in the resolved graph is on the reviewed allow-list at
its exact version and pinned with `exact:` in Package.swift, and the SBOM is valid CycloneDX that
lists every resolved package and the Debian packages of the libraries the server links."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import sbom  # noqa: E402


def allowlist() -> dict[str, str]:
    entries = {}
    for line in (REPO / "dependencies.allowlist").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version, licence, *why = line.split()
            assert why, f"{name}: say why it is here"
            assert re.fullmatch(r"[A-Za-z0-9.+-]+", licence), f"{name}: licence {licence!r}"
            entries[name] = version
    return entries


def differences(resolved: dict[str, str], allowed: dict[str, str]) -> list[str]:
    """What the check refuses: an unlisted package, another version, or a stale entry."""
    problems = [f"{name} {v} is not in dependencies.allowlist" for name, v in resolved.items() if name not in allowed]
    problems += [f"{name} resolved to {v}, the allow-list says {allowed[name]}"
                 for name, v in resolved.items() if name in allowed and allowed[name] != v]
    problems += [f"{name} is listed but not in the graph" for name in allowed if name not in resolved]
    return problems


@pytest.fixture(scope="module")
def resolved() -> dict[str, str]:
    return {p["identity"]: p["version"] for p in sbom.swift_packages()}


def test_the_resolved_graph_is_exactly_the_allow_list(resolved):
    assert len(resolved) > 20
    assert differences(resolved, allowlist()) == []


def test_an_unlisted_or_moved_dependency_fails_the_check(resolved):
    tampered = dict(resolved, **{"left-pad-swift": "1.0.0"})
    assert differences(tampered, allowlist()) == ["left-pad-swift 1.0.0 is not in dependencies.allowlist"]
    bumped = dict(resolved, **{"swift-nio": "9.9.9"})
    assert differences(bumped, allowlist()) == [f"swift-nio resolved to 9.9.9, the allow-list says {allowlist()['swift-nio']}"]


def test_every_package_is_pinned_exactly_in_the_manifest(resolved):
    manifest = (REPO / "Package.swift").read_text()
    declarations = re.findall(r"\.package\(url:\s*\"([^\"]+)\",\s*(\w+):\s*\"([^\"]+)\"\)", manifest)
    assert declarations and all(kind == "exact" for _, kind, _ in declarations), declarations
    assert len(declarations) == manifest.count(".package(")
    pinned = {url.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1].lower(): v for url, _, v in declarations}
    assert pinned == {name.lower(): v for name, v in resolved.items()}


@pytest.fixture(scope="module")
def bom(solar_bin):
    # The same file `make sbom` writes: `make test` (and so CI) leaves it in .build/sbom.
    out = REPO / ".build" / "sbom" / "solar.cdx.json"
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "sbom.py"), str(solar_bin), str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(out.read_text())


def test_the_sbom_lists_every_resolved_package_and_the_linked_libraries(bom, resolved):
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.6"
    swift = {c["name"]: c["version"] for c in bom["components"] if c["bom-ref"].startswith("swift:")}
    assert swift == resolved
    assert all(c["purl"].endswith("@" + c["version"]) for c in bom["components"] if c["bom-ref"].startswith("swift:"))
    debian = {c["name"] for c in bom["components"] if c["bom-ref"].startswith("deb:")}
    assert {"libargon2-1", "libmariadb3", "libsqlite3-0"} <= debian


def test_the_validator_refuses_a_broken_sbom(bom):
    broken = dict(bom, components=[dict(bom["components"][0], type="not-a-type")])
    with pytest.raises(SystemExit, match="does not validate"):
        sbom.validate(json.dumps(broken))


def test_no_code_or_types_are_loaded_from_data():
    """A08: requests and stored data decode only into fixed DTOs (JSONDecoder into Codable
    structs, after the strict parse). Nothing in the server turns data into code or types:
    no archivers, property lists, class lookup by name or dynamic loading."""
    banned = ("NSKeyedUnarchiver", "NSUnarchiver", "unarchiveObject", "NSCoding", "PropertyListDecoder",
              "PropertyListSerialization", "NSClassFromString", "_typeByName", "dlopen", "dlsym")
    hits = [(str(f.relative_to(REPO)), word) for f in sorted((REPO / "Sources").rglob("*.swift"))
            for word in banned if word in f.read_text()]
    assert hits == []
