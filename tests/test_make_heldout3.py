"""The v3 blind report-error set generator (bench/make_heldout3.py): its output, not any checker's verdict."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout3
from tests.shared_data import DEV_SET, IU_TGZ, dev_set_uids, require_shared

KINDS = {"missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"}


@pytest.fixture(scope="module")
def sources() -> dict[str, dict]:
    require_shared(IU_TGZ)
    require_shared(DEV_SET)
    return {r["uid"]: r for r in make_heldout3.load_reports(IU_TGZ)}


@pytest.fixture(scope="module")
def dev_uids() -> set[str]:
    return dev_set_uids()


@pytest.fixture(scope="module")
def cases(sources: dict[str, dict], dev_uids: set[str]) -> list[dict]:
    return make_heldout3.build(301, reports=list(sources.values()), exclude=dev_uids)


def _norm(text: str) -> str:
    """Text as read, not as laid out: line endings, bullets, MIMIC's ___ mask for Open-i's XXXX, spacing."""
    text = text.replace("\r\n", "\n").replace("___", "XXXX")
    text = re.sub(r"(?m)^[ \t]*[-*•][ \t]+", "", text)
    return " ".join(text.split())


def _text(case: dict) -> str:
    if "report" in case:
        return case["report"]
    return "\n".join(case.get(k) or "" for k in ("indication", "comparison", "technique", "findings", "impression"))


_HEADER_ALONE = re.compile(r"^[A-Za-z ]{3,40}:?$")
_HEADER_BEFORE_TEXT = re.compile(r"^[A-Za-z ]{3,40}(?::|\t| - )")


def _bodies(report: str) -> list[str]:
    """The text of each blank-line-separated block of a free-text report, less a leading header (alone on its
    line, underlined, or before ':', a tab or ' - ')."""
    blocks = re.split(r"\n[ \t]*\n", report.replace("\r\n", "\n"))
    out = []
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        if len(lines) > 1 and _HEADER_ALONE.match(lines[0].strip()):  # a lone short line may be the text itself
            lines = lines[1:]
            if lines and re.fullmatch(r"-+", lines[0].strip()):
                lines = lines[1:]
        elif lines:
            lines[0] = _HEADER_BEFORE_TEXT.sub("", lines[0].strip(), count=1)
        out.append(_norm("\n".join(lines)))
    return out


def _keeps(case: dict, source: dict, key: str) -> bool:
    """The source section's text, all of it and nothing else, is a section of the case, whatever its layout."""
    if "report" not in case:
        return _norm(case.get(key) or "") == _norm(source[key])
    return _norm(source[key]) in _bodies(case["report"])


def test_same_seed_same_set_other_seed_other_set(sources: dict[str, dict], dev_uids: set[str],
                                                 cases: list[dict]) -> None:
    again = make_heldout3.build(301, reports=list(sources.values()), exclude=dev_uids)
    assert again == cases
    other = make_heldout3.build(302, reports=list(sources.values()), exclude=dev_uids)
    assert [c["id"] for c in other] != [c["id"] for c in cases]


def test_kind_counts_and_fields_the_scorer_needs(cases: list[dict], dev_uids: set[str]) -> None:
    counts = Counter(c["injected"] for c in cases)
    assert counts == {None: 200, **{kind: 40 for kind in KINDS}}
    ids = [c["id"] for c in cases]
    assert len(set(ids)) == len(ids)
    uids = [c["uid"] for c in cases]
    assert len(set(uids)) == len(uids), "a report is used twice"
    assert not set(uids) & dev_uids, "the dev set's reports must stay out"
    for case in cases:
        assert isinstance(case["id"], str) and isinstance(case["detail"], str)
        assert ("report" in case) != ("findings" in case or "impression" in case)
        # check-reports refuses a record whose two sections are both empty
        assert _text(case).strip()


def test_unmodified_reports_keep_their_text(cases: list[dict], sources: dict[str, dict]) -> None:
    clean = [c for c in cases if c["injected"] is None]
    for case in clean:
        source = sources[case["uid"]]
        assert case["detail"] == ""
        assert _keeps(case, source, "findings"), case["id"]
        assert _keeps(case, source, "impression"), case["id"]


def test_every_injected_case_differs_from_its_source(cases: list[dict], sources: dict[str, dict]) -> None:
    for case in (c for c in cases if c["injected"]):
        source = sources[case["uid"]]
        kept = [_keeps(case, source, key) for key in ("findings", "impression")]
        assert not all(kept), f"{case['id']} reads like its source"
        assert case["detail"], case["id"]
        if case["injected"] == "missing_section":
            # one section gone, the other untouched
            assert kept.count(True) == 1, case["id"]


def test_layouts_vary_as_promised(cases: list[dict]) -> None:
    texts = [c["report"] for c in cases if "report" in c]
    assert any("\r\n" in t for t in texts), "Windows line endings"
    assert any(re.search(r"(?m)^(?:- |\* |• )", t) for t in texts), "bullets"
    assert any(re.search(r"(?m)^ FINDINGS: $", t) for t in texts), "MIMIC's layout"
    assert any(re.search(r"(?m)^(?:Conclusion|CONCLUSION|Comment|COMMENT|Opinion)\b", t) for t in texts)
    assert sum("report" not in c for c in cases) >= 40, "structured fields too"
    # de-identification masks in unmodified reports, which a checker must not take for placeholders
    assert any("___" in _text(c) for c in cases if c["injected"] is None)


def test_cli_writes_json_lines_and_refuses_a_missing_exclude_file(tmp_path: Path, sources: dict[str, dict],
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "heldout3.jsonl"
    assert make_heldout3.main([str(out), "--seed", "303"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 400
    assert all(row["injected"] in KINDS | {None} and row["uid"] in sources for row in rows)
    assert make_heldout3.main([str(tmp_path / "x.jsonl"), "--exclude", str(tmp_path / "absent.jsonl")]) == 2
    assert "not found" in capsys.readouterr().err
    assert not (tmp_path / "x.jsonl").exists()
