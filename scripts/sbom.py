#!/usr/bin/env python3
"""Writes a CycloneDX 1.6 JSON SBOM of the `solar` server and validates it against the schema.

It lists the resolved Swift package graph (`swift package show-dependencies --format json`) and
the Debian packages that provide the shared libraries the binary links (`ldd`, then `dpkg -S`
and `dpkg-query`). Usage: sbom.py BINARY OUTPUT. Exits non-zero when the SBOM does not validate.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def swift_packages() -> list[dict]:
    out = subprocess.run(["swift", "package", "show-dependencies", "--format", "json"], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    seen: dict[str, dict] = {}

    def walk(node: dict) -> None:
        for dep in node.get("dependencies", []):
            seen[dep["identity"]] = dep
            walk(dep)

    walk(json.loads(out))
    return sorted(seen.values(), key=lambda d: d["identity"])


def licences() -> dict[str, str]:
    """Licence per package, from dependencies.allowlist (the reviewed list)."""
    result = {}
    for line in (REPO / "dependencies.allowlist").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _version, licence, *_ = line.split()
            result[name] = licence
    return result


def github_purl(url: str, version: str) -> str:
    m = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", url)
    return f"pkg:github/{m.group(1).lower()}/{m.group(2).lower()}@{version}" if m else f"pkg:swift/{url}@{version}"


def linked_debian_packages(binary: Path) -> list[dict]:
    out = subprocess.run(["ldd", str(binary)], check=True, capture_output=True, text=True).stdout
    paths = sorted({m.group(1) for m in re.finditer(r"=>\s+(/\S+)", out)})
    packages: dict[str, dict] = {}
    for path in paths:
        resolved = str(Path(path).resolve())
        owner = None
        for candidate in (path, resolved):
            r = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if r.returncode == 0:
                owner = r.stdout.split(":")[0].strip()
                break
        if owner is None:
            continue  # e.g. the Swift runtime from the toolchain, not a Debian package
        name, _, arch = owner.partition(":")
        query = subprocess.run(["dpkg-query", "-W", "-f", "${Version} ${Architecture}", name], check=True,
                               capture_output=True, text=True).stdout.split()
        packages[name] = {"name": name, "version": query[0], "arch": query[1], "files": packages.get(name, {}).get("files", []) + [path]}
    return sorted(packages.values(), key=lambda p: p["name"])


def sbom(binary: Path) -> dict:
    allowed = licences()
    components = []
    for p in swift_packages():
        components.append({
            "type": "library", "bom-ref": f"swift:{p['identity']}", "name": p["identity"], "version": p["version"],
            "purl": github_purl(p["url"], p["version"]),
            "licenses": [{"license": {"id": allowed[p["identity"]]}}] if p["identity"] in allowed else [],
            "externalReferences": [{"type": "vcs", "url": p["url"]}],
        })
    for d in linked_debian_packages(binary):
        components.append({
            "type": "library", "bom-ref": f"deb:{d['name']}", "name": d["name"], "version": d["version"],
            "purl": f"pkg:deb/debian/{d['name']}@{d['version']}?arch={d['arch']}",
            "properties": [{"name": "solar:linked-file", "value": f} for f in d["files"]],
        })
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "metadata": {
            "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "component": {"type": "application", "bom-ref": "solar", "name": "solar", "version": git_version()},
            "tools": {"components": [{"type": "application", "name": "scripts/sbom.py"}]},
        },
        "components": components,
        "dependencies": [{"ref": "solar", "dependsOn": [c["bom-ref"] for c in components]}],
    }


def git_version() -> str:
    r = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True)
    return r.stdout.strip() or "unknown"


def validate(text: str) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if error is not None:
        raise SystemExit(f"the SBOM does not validate against CycloneDX 1.6: {error}")


def main() -> None:
    binary, output = Path(sys.argv[1]), Path(sys.argv[2])
    text = json.dumps(sbom(binary), indent=2)
    validate(text)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + "\n")
    doc = json.loads(text)
    print(f"wrote {output}: {len(doc['components'])} components, valid CycloneDX {doc['specVersion']}")


if __name__ == "__main__":
    main()
