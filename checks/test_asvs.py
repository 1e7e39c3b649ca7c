"""ASVS 5.0 coverage stays complete and honest: docs/asvs.csv has exactly one row per Level 1 and
Level 2 requirement of the OWASP ASVS 5.0.0 reference (CC BY-SA 4.0), every status is backed by
evidence that exists (a file, and a symbol that occurs in it as a word), a requirement is `met`
only with code behind it (a test, a check or an implementing file, never a document alone), and
the figures in docs/asvs.md are the ones the CSV gives.

No server is needed. The reference is `../shared/reference/asvs-5.0.0.csv` beside the repository,
or the file named by `ASVS_REFERENCE`; without it the check fails rather than skips."""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REFERENCE = Path(os.environ.get("ASVS_REFERENCE") or REPO.parent / "shared" / "reference" / "asvs-5.0.0.csv")
COVERAGE = REPO / "docs" / "asvs.csv"
SUMMARY = REPO / "docs" / "asvs.md"

COLUMNS = ["req_id", "level", "status", "evidence", "note"]
STATUSES = ("met", "partial", "not met", "n/a")
# A `met` row must name at least one of these: code, tests, checks or deployment files.
CODE_ROOTS = ("Tests/", "checks/", "Sources/", "deploy/", "scripts/")
# ASVS 5.0.0 has 253 requirements at Level 1 or 2.
EXPECTED_L1_L2 = 253
MET_LINE = re.compile(r"\*\*Met: (\d+) of (\d+) applicable L1\+L2 requirements \((\d+\.\d)%\)\*\*")


def percent(met: int, applicable: int) -> str:
    """The one rounding both the generator of docs/asvs.md and this check use."""
    return f"{100 * met / applicable:.1f}%" if applicable else "-"


def load_reference() -> dict[str, dict]:
    """req_id -> {level, chapter} for every L1 and L2 requirement of the reference."""
    if not REFERENCE.is_file():
        pytest.fail(f"the ASVS reference {REFERENCE} is missing (set ASVS_REFERENCE to its path)")
    with REFERENCE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["req_id"]: {"level": r["L"], "chapter": f'{r["chapter_id"]} {r["chapter_name"]}'}
            for r in rows if r["L"] in ("1", "2")}


def load_coverage() -> tuple[list[str], list[dict]]:
    """The header and rows of docs/asvs.csv; lines starting with `#` (the attribution) are comments."""
    assert COVERAGE.is_file(), f"{COVERAGE.relative_to(REPO)} is missing"
    lines = [line for line in COVERAGE.read_text(encoding="utf-8").splitlines(keepends=True) if not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("".join(lines)))
    return list(reader.fieldnames or []), list(reader)


def references(row: dict) -> list[str]:
    return [part.strip() for part in row["evidence"].split(" ; ") if part.strip()]


def resolve(reference: str) -> tuple[str, Path, str | None]:
    path, _, symbol = reference.partition("::")
    return path, REPO / path, symbol or None


def stats(rows: list[dict], reference: dict) -> dict:
    """Counts per status overall, per level and per chapter."""
    groups: dict[str, Counter] = {"L1 + L2": Counter(), "L1": Counter(), "L2": Counter()}
    for row in rows:
        if row["req_id"] not in reference:
            continue  # reported by test_every_requirement_appears_once_with_its_level
        for key in ("L1 + L2", f'L{row["level"]}', reference[row["req_id"]]["chapter"]):
            groups.setdefault(key, Counter())[row["status"]] += 1
    return groups


def test_reference_is_the_asvs_5_level_1_and_2_set():
    reference = load_reference()
    assert len(reference) == EXPECTED_L1_L2, f"{REFERENCE} has {len(reference)} L1/L2 requirements, expected {EXPECTED_L1_L2}"


def test_every_requirement_appears_once_with_its_level():
    reference = load_reference()
    header, rows = load_coverage()
    assert header == COLUMNS, f"docs/asvs.csv columns are {header}, expected {COLUMNS}"
    ids = [r["req_id"] for r in rows]
    duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
    missing = sorted(set(reference) - set(ids))
    unknown = sorted(set(ids) - set(reference))
    wrong_level = [f'{r["req_id"]} (L{r["level"]}, reference L{reference[r["req_id"]]["level"]})'
                   for r in rows if r["req_id"] in reference and r["level"] != reference[r["req_id"]]["level"]]
    assert not duplicates, f"duplicate rows: {duplicates}"
    assert not missing, f"L1/L2 requirements missing from docs/asvs.csv: {missing}"
    assert not unknown, f"ids that are not L1/L2 requirements of the reference: {unknown}"
    assert not wrong_level, f"levels differ from the reference: {wrong_level}"


def test_statuses_notes_and_evidence_are_present():
    _, rows = load_coverage()
    problems = []
    for r in rows:
        rid, status = r["req_id"], r["status"]
        if status not in STATUSES:
            problems.append(f"{rid}: status {status!r} is not one of {STATUSES}")
            continue
        if status in ("n/a", "not met") and not r["note"].strip():
            problems.append(f"{rid}: a {status} row needs a note saying why")
        if status in ("met", "partial") and not references(r):
            problems.append(f"{rid}: a {status} row needs evidence")
    assert not problems, "\n".join(problems)


def test_every_evidence_reference_exists():
    _, rows = load_coverage()
    problems, checked = [], 0
    texts: dict[Path, str] = {}
    for r in rows:
        for reference in references(r):
            path, file, symbol = resolve(reference)
            checked += 1
            if path.startswith("/") or ".." in Path(path).parts:
                problems.append(f"{r['req_id']}: {reference}: the path must be relative to the repository")
                continue
            if not file.exists():
                problems.append(f"{r['req_id']}: {path} does not exist")
                continue
            if symbol is None:
                continue
            if not file.is_file():
                problems.append(f"{r['req_id']}: {path} is not a file, so it cannot hold {symbol}")
                continue
            text = texts.setdefault(file, file.read_text(encoding="utf-8", errors="replace"))
            if not re.search(rf"(?<!\w){re.escape(symbol)}(?!\w)", text):
                problems.append(f"{r['req_id']}: {symbol} does not occur in {path}")
    assert checked > 100, f"only {checked} evidence references: the file no longer parses as expected"
    assert not problems, "\n".join(problems)


def test_met_needs_code_not_only_documents():
    _, rows = load_coverage()
    documents_only = [r["req_id"] for r in rows if r["status"] == "met"
                      and not any(resolve(ref)[0].startswith(CODE_ROOTS) for ref in references(r))]
    assert not documents_only, f"met without a test, check or implementing file under {CODE_ROOTS}: {documents_only}"


def test_summary_figures_match_the_csv():
    reference = load_reference()
    _, rows = load_coverage()
    groups = stats(rows, reference)
    text = SUMMARY.read_text(encoding="utf-8")

    total = groups["L1 + L2"]
    applicable = sum(total.values()) - total["n/a"]
    expected = f"**Met: {total['met']} of {applicable} applicable L1+L2 requirements ({percent(total['met'], applicable)})**"
    found = MET_LINE.findall(text)
    assert len(found) == 1, f"docs/asvs.md needs exactly one line like {expected}"
    assert MET_LINE.search(text).group(0) == expected, f"docs/asvs.md says {MET_LINE.search(text).group(0)}, the CSV gives {expected}"

    # Table rows: | name | met | partial | not met | n/a | total | applicable | % met of applicable |
    table = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and len(cells) == 8:
            table[cells[0]] = cells[1:]
    mismatches = []
    for name, counts in groups.items():
        app = sum(counts.values()) - counts["n/a"]
        want = [str(counts[s]) for s in STATUSES] + [str(sum(counts.values())), str(app), percent(counts["met"], app)]
        if table.get(name) != want:
            mismatches.append(f"{name}: docs/asvs.md has {table.get(name)}, the CSV gives {want}")
    assert not mismatches, "\n".join(mismatches)


def test_every_gap_is_listed_in_the_summary():
    _, rows = load_coverage()
    text = SUMMARY.read_text(encoding="utf-8")
    missing = [r["req_id"] for r in rows if r["status"] in ("partial", "not met")
               and not re.search(rf"\*\*{re.escape(r['req_id'])}\*\*", text)]
    assert not missing, f"docs/asvs.md 'What is missing' lacks: {missing}"
