"""Claims stay honest: every relative link in the docs resolves, and every test the threat model
names as evidence exists (the file, and a test function of that name in it)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = [REPO / "README.md", REPO / "security_question.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
# `FileTests.swift: name`, `other`, `Suite.name` ... up to the end of the cell or sentence.
EVIDENCE = re.compile(r"`(\w+\.swift): (\w+(?:\.\w+)?)`((?:, `\w+(?:\.\w+)?`)*)")


def test_relative_links_resolve():
    broken = []
    for doc in DOCS:
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target):
                continue
            if not (doc.parent / target).exists():
                broken.append(f"{doc.relative_to(REPO)} -> {target}")
    assert not broken, "links to missing files: " + "; ".join(broken)


def test_threat_model_evidence_exists():
    text = (REPO / "docs" / "threat-model.md").read_text(encoding="utf-8")
    files = {p.name: p for p in (REPO / "Tests").rglob("*.swift")}
    missing, checked = [], 0
    for file, first, rest in EVIDENCE.findall(text):
        path = files.get(file)
        if path is None:
            missing.append(f"{file} (no such test file)")
            continue
        source = path.read_text(encoding="utf-8")
        for name in [first] + re.findall(r"`(\w+(?:\.\w+)?)`", rest):
            function = name.split(".")[-1]
            checked += 1
            if not re.search(rf"\b(func {function}\b|struct {function}\b)", source):
                missing.append(f"{file}: {name}")
    assert checked > 40, f"only {checked} references found: the pattern no longer matches the threat model"
    assert not missing, "the threat model names tests that do not exist: " + "; ".join(missing)


def test_performance_page_matches_the_measured_results():
    """docs/performance.md states each budget with the result `make bench` last wrote."""
    import json

    results = json.loads((REPO / "bench" / "results.json").read_text())
    page = (REPO / "docs" / "performance.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line.split("|")[-2].strip() for line in page.splitlines()
            if line.startswith("| ") and line.rstrip().endswith(("| PASS |", "| MISS |"))}
    assert results["budgets"], "bench/results.json holds no budgets"
    wrong = [f"{b['budget']}: page says {rows.get(b['budget'])}, results say {b['result']}"
             for b in results["budgets"] if rows.get(b["budget"]) != b["result"]]
    assert not wrong, "; ".join(wrong)
