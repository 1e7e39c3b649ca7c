"""The audit deliverable stays honest: security_question.md (English) and security_question.es.md
(Spanish) link only to files that exist and to symbols that exist in them; a finding marked built
links at least one test, and a planned finding or a recommendation links none; every status and
severity is one of the stated words, and each severity agrees with its likelihood x impact; and
the two editions have the same headings (levels, in order) and the same findings with the same
status and severity. No server is needed.

The last test breaks copies of the texts in memory and checks that each rule notices."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EDITIONS = {"en": REPO / "security_question.md", "es": REPO / "security_question.es.md"}

# Status words per edition, mapped to the English ones (section 2.4 of each edition).
STATUS = {
    "en": {"built": "built", "partial": "partial", "planned": "planned", "recommendation": "recommendation"},
    "es": {"implementado": "built", "parcial": "partial", "planificado": "planned", "recomendación": "recommendation"},
}
# Severity labels per edition, mapped to English; the score is likelihood x impact (1-3 each).
SEVERITY = {
    "en": {"Critical": "Critical", "High": "High", "Medium": "Medium", "Low": "Low"},
    "es": {"Crítica": "Critical", "Alta": "High", "Media": "Medium", "Baja": "Low"},
}
# Register column names per edition.
COLUMNS = {
    "en": {"id": "ID", "status": "Status", "evidence": "Evidence", "severity": "Severity"},
    "es": {"id": "ID", "status": "Estado", "evidence": "Evidencia", "severity": "Severidad"},
}
FINDING_ID = re.compile(r"^SD-\d{2}$")
ID_MENTION = re.compile(r"\bSD-\d{2}\b")
LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)\)")
SYMBOL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
SEVERITY_CELL = re.compile(r"^(\S+) \(([123])×([123])\)$")
MIN_FINDINGS = 30


def score_label(likelihood: int, impact: int) -> str:
    score = likelihood * impact
    return "Critical" if score == 9 else "High" if score == 6 else "Medium" if score >= 3 else "Low"


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    out, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            out.append((number, line))
    return out


def headings(text: str) -> list[int]:
    return [len(m.group(1)) for _, line in prose_lines(text) if (m := re.match(r"^(#{1,6})\s+\S", line))]


def is_test_target(target: str) -> bool:
    return target.startswith("Tests/") or target.startswith("checks/")


def relative_links(text: str) -> list[tuple[int, str, str]]:
    """(line, link text, target without fragment) for links to files in the repository."""
    out = []
    for number, line in prose_lines(text):
        for label, target in LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue
            out.append((number, label, target.split("#", 1)[0]))
    return out


def _source_text(path: Path) -> str:
    if path.is_dir():
        return "\n".join(p.read_text(encoding="utf-8", errors="ignore") for p in sorted(path.rglob("*")) if p.is_file())
    return path.read_text(encoding="utf-8", errors="ignore")


def link_problems(doc: Path, text: str) -> list[str]:
    problems, cache = [], {}
    for number, label, target in relative_links(text):
        where = f"{doc.name}:{number}"
        path = (doc.parent / target).resolve()
        if not path.exists():
            problems.append(f"{where}: link to a missing file {target}")
            continue
        code = re.fullmatch(r"`([^`]+)`", label.strip())
        if not code:
            continue
        symbol = code.group(1)
        if "/" in symbol:
            if (doc.parent / symbol).resolve() != path:
                problems.append(f"{where}: link text `{symbol}` names another path than its target {target}")
            continue
        if not SYMBOL.match(symbol):
            problems.append(f"{where}: link text `{symbol}` is not a symbol (an identifier or Type.member)")
            continue
        if path not in cache:
            cache[path] = _source_text(path)
        for part in symbol.split("."):
            if not re.search(rf"(?<![A-Za-z0-9_]){re.escape(part)}(?![A-Za-z0-9_])", cache[path]):
                problems.append(f"{where}: `{part}` does not occur in {target}")
    return problems


def split_row(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip())
    return [c.strip() for c in cells[1:-1]]


def register(lang: str, text: str) -> tuple[dict[str, dict], list[str]]:
    """The findings of every register table of one edition, by id, and the problems found reading them."""
    names = COLUMNS[lang]
    findings, problems = {}, []
    lines = prose_lines(text)
    i = 0
    while i < len(lines):
        number, line = lines[i]
        if not line.startswith("|"):
            i += 1
            continue
        block = []
        while i < len(lines) and lines[i][1].startswith("|"):
            block.append(lines[i])
            i += 1
        header = split_row(block[0][1])
        if names["id"] not in header or names["status"] not in header:
            continue
        col = {key: header.index(name) for key, name in names.items() if name in header}
        missing = [names[k] for k in ("evidence", "severity") if k not in col]
        if missing:
            problems.append(f"line {number}: the register table has no column {', '.join(missing)}")
            continue
        for row_number, row in block[2:]:
            cells = split_row(row)
            if len(cells) != len(header):
                problems.append(f"line {row_number}: {len(cells)} cells, the header has {len(header)}")
                continue
            finding = cells[col["id"]]
            if not FINDING_ID.match(finding):
                problems.append(f"line {row_number}: `{finding}` is not a finding id (SD-NN)")
                continue
            if finding in findings:
                problems.append(f"line {row_number}: {finding} appears twice in the register")
            findings[finding] = {
                "line": row_number,
                "status": cells[col["status"]],
                "severity": cells[col["severity"]],
                "evidence": cells[col["evidence"]],
            }
    return findings, problems


def register_problems(lang: str, findings: dict[str, dict]) -> list[str]:
    problems = []
    for finding, row in findings.items():
        where = f"{finding} (line {row['line']})"
        status = STATUS[lang].get(row["status"])
        if status is None:
            problems.append(f"{where}: status `{row['status']}` is not one of {', '.join(STATUS[lang])}")
        m = SEVERITY_CELL.match(row["severity"])
        if not m or m.group(1) not in SEVERITY[lang]:
            problems.append(f"{where}: severity `{row['severity']}` is not `<label> (L×I)` with a label of {', '.join(SEVERITY[lang])}")
        elif SEVERITY[lang][m.group(1)] != score_label(int(m.group(2)), int(m.group(3))):
            problems.append(f"{where}: severity `{row['severity']}` does not match the scale (9 Critical, 6 High, 3-4 Medium, 1-2 Low)")
        targets = [target for _, _, target in relative_links(row["evidence"])]
        tests = [t for t in targets if is_test_target(t)]
        if status in ("built", "partial") and not tests:
            problems.append(f"{where}: marked {row['status']} but its evidence links no test (Tests/ or checks/)")
        if status in ("planned", "recommendation") and tests:
            problems.append(f"{where}: marked {row['status']} but its evidence links a test as if built: {', '.join(tests)}")
    return problems


def mention_problems(text: str, findings: dict[str, dict]) -> list[str]:
    unknown = sorted({m for _, line in prose_lines(text) for m in ID_MENTION.findall(line)} - set(findings))
    return [f"{m} is mentioned but is not in the register" for m in unknown]


def parity_problems(en_text: str, es_text: str) -> list[str]:
    problems = []
    en_h, es_h = headings(en_text), headings(es_text)
    if en_h != es_h:
        first = next((i for i, (a, b) in enumerate(zip(en_h, es_h)) if a != b), min(len(en_h), len(es_h)))
        problems.append(f"headings differ: {len(en_h)} in English, {len(es_h)} in Spanish; first difference at heading {first + 1}")
    en, _ = register("en", en_text)
    es, _ = register("es", es_text)
    for finding in sorted(set(en) | set(es)):
        if finding not in es:
            problems.append(f"{finding} is in the English register only")
        elif finding not in en:
            problems.append(f"{finding} is in the Spanish register only")
        else:
            a, b = en[finding], es[finding]
            if STATUS["en"].get(a["status"]) != STATUS["es"].get(b["status"]):
                problems.append(f"{finding}: status `{a['status']}` in English but `{b['status']}` in Spanish")
            ma, mb = SEVERITY_CELL.match(a["severity"]), SEVERITY_CELL.match(b["severity"])
            if not (ma and mb and ma.groups()[1:] == mb.groups()[1:]
                    and SEVERITY["en"].get(ma.group(1)) == SEVERITY["es"].get(mb.group(1))):
                problems.append(f"{finding}: severity `{a['severity']}` in English but `{b['severity']}` in Spanish")
    return problems


def edition_problems(lang: str, text: str) -> list[str]:
    findings, problems = register(lang, text)
    if len(findings) < MIN_FINDINGS:
        problems.append(f"only {len(findings)} findings read from the register: the table format no longer matches")
    return problems + register_problems(lang, findings) + mention_problems(text, findings)


def _text(lang: str) -> str:
    return EDITIONS[lang].read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_links_point_at_existing_files_and_symbols(lang):
    problems = link_problems(EDITIONS[lang], _text(lang))
    assert len(relative_links(_text(lang))) > 50, "too few links found: the link pattern no longer matches"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_built_findings_link_a_test(lang):
    problems = edition_problems(lang, _text(lang))
    assert not problems, "\n".join(problems)


def test_findings_match_across_languages():
    problems = parity_problems(_text("en"), _text("es"))
    assert not problems, "\n".join(problems)


def _replace_once(text: str, old: str, new: str) -> str:
    assert old in text, f"the break needs `{old}` in the text"
    return text.replace(old, new, 1)


def _first_row(text: str, status: str) -> str:
    return next(line for _, line in prose_lines(text) if line.startswith("| SD-") and f"| {status} |" in line)


def test_each_rule_notices_a_break():
    """Every rule above, run on a copy broken in one place, reports a problem."""
    en, es, doc = _text("en"), _text("es"), EDITIONS["en"]
    assert not link_problems(doc, en) and not edition_problems("en", en) and not parity_problems(en, es)

    # A link to a missing file, and a symbol the target does not contain.
    assert link_problems(doc, en + "\n[`x`](checks/test_no_such_check.py)\n")
    assert link_problems(doc, en + "\n[`noSuchSymbolAnywhere`](checks/test_authz.py)\n")
    assert link_problems(doc, en + "\n[`make test`](Makefile)\n")

    # A built finding whose evidence links no test.
    built = _first_row(en, "built")
    unlinked = re.sub(LINK, lambda m: m.group(1), built)
    assert any("links no test" in p for p in edition_problems("en", _replace_once(en, built, unlinked)))

    # A planned finding (and a recommendation) that links a test as if built.
    for status in ("planned", "recommendation"):
        row = _first_row(en, status)
        cells = split_row(row)
        cells[7] += " [`test_wrong_role_is_403`](checks/test_authz.py)"
        broken = _replace_once(en, row, "| " + " | ".join(cells) + " |")
        assert any("links a test as if built" in p for p in edition_problems("en", broken))

    # A status that is not one of the four, and a severity that contradicts its score.
    assert any("is not one of" in p for p in edition_problems("en", _replace_once(en, built, built.replace("| built |", "| done |"))))
    row = next(line for _, line in prose_lines(en) if line.startswith("| SD-") and "(3×3)" in line)
    assert any("does not match the scale" in p for p in edition_problems("en", _replace_once(en, row, row.replace("Critical (3×3)", "Low (3×3)"))))

    # An id mentioned in the text but absent from the register.
    assert edition_problems("en", en + "\nSee SD-99.\n")

    # The editions differ: a heading less, an id renamed, a status changed.
    first_h3 = next(line for _, line in prose_lines(es) if line.startswith("### "))
    assert parity_problems(en, _replace_once(es, first_h3 + "\n", ""))
    es_row = _first_row(es, "implementado")
    es_id = split_row(es_row)[0]
    assert parity_problems(en, _replace_once(es, es_row, es_row.replace(f"| {es_id} |", "| SD-98 |", 1)))
    assert parity_problems(en, _replace_once(es, es_row, es_row.replace("| implementado |", "| parcial |")))
