"""bench/make_heldout8.py: a held-out report-error set of 400 cases from a phrase bank and real IU reports."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout8
from tests.shared_data import DEV_SET, IU_TGZ, SHARED, dev_set_uids, require_shared

KINDS = ("missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder")
Case = dict[str, object]


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    require_shared(IU_TGZ)
    require_shared(DEV_SET)
    return make_heldout8.build(901, SHARED)


def _text(case: Case) -> str:
    return "\n".join(str(case.get(k, "")) for k in ("report", "indication", "comparison", "findings", "impression"))


def _plain(text: str) -> str:
    """Text without the dictation slips and spelling variants, to find a sentence the detail quotes."""
    text = re.sub(r"\s+", " ", text.lower().replace(" period", "").replace("oedema", "edema"))
    return re.sub(r"\b(\w+) \1\b", r"\1", text)


def _of(cases: list[Case], kind: str | None) -> list[Case]:
    return [c for c in cases if c["injected"] == kind]


FINDINGS_HEAD = re.compile(r"^(FINDINGS|Report|Observations)\b:?", re.M | re.I)
IMPRESSION_HEAD = re.compile(r"^(IMPRESSION|CONCLUSION|Opinion)\b:?", re.M | re.I)
PLACEHOLDER_MARK = re.compile(r"[\[\]{}<>@]|\*\*\*|__")


def test_counts_per_kind(cases: list[Case]) -> None:
    counts = Counter(c["injected"] for c in cases)
    assert len(cases) == 400
    assert counts[None] == 200
    assert all(counts[kind] == 40 for kind in KINDS)


def test_ids_are_unique_and_do_not_name_the_kind(cases: list[Case]) -> None:
    ids = [str(c["id"]) for c in cases]
    assert len(set(ids)) == 400
    for case_id in ids:
        assert not any(word in case_id for word in ("clean", "missing", "lat", "neg", "omit", "place"))


def test_both_shapes_in_every_kind(cases: list[Case]) -> None:
    for kind in (None, *KINDS):
        group = _of(cases, kind)
        free = [c for c in group if "report" in c]
        split = [c for c in group if "findings" in c and "impression" in c and "report" not in c]
        assert len(free) + len(split) == len(group)
        assert 0.3 * len(group) <= len(free) <= 0.7 * len(group), kind


def test_sources_synthetic_and_real_in_every_kind(cases: list[Case]) -> None:
    for kind in (None, *KINDS):
        group = _of(cases, kind)
        synthetic = [c for c in group if str(c["uid"]).startswith("syn8-")]
        real = [c for c in group if re.fullmatch(r"CXR\d+", str(c["uid"]))]
        assert len(synthetic) + len(real) == len(group)
        assert 0.5 * len(group) <= len(synthetic) <= 0.7 * len(group), kind


def test_no_dev_set_report(cases: list[Case]) -> None:
    assert not {c["uid"] for c in cases} & dev_set_uids()
    real = [c["uid"] for c in cases if not str(c["uid"]).startswith("syn8-")]
    assert len(real) == len(set(real))


def test_deterministic_per_seed_and_seeds_differ(cases: list[Case]) -> None:
    assert make_heldout8.build(901, SHARED) == cases
    other = make_heldout8.build(902, SHARED)
    assert [c["id"] for c in other] != [c["id"] for c in cases]
    assert {_text(c) for c in other} != {_text(c) for c in cases}


def test_detail_iff_injected(cases: list[Case]) -> None:
    for case in cases:
        assert bool(case["detail"]) == (case["injected"] is not None), case


def test_unmodified_reports_have_both_sections_and_no_placeholder(cases: list[Case]) -> None:
    for case in _of(cases, None):
        text = _text(case)
        assert not PLACEHOLDER_MARK.search(text), text
        if "report" in case:
            assert FINDINGS_HEAD.search(text) and IMPRESSION_HEAD.search(text), text
        else:
            assert str(case["findings"]).strip() and str(case["impression"]).strip(), case


def test_placeholder_cases_carry_one_template_mark(cases: list[Case]) -> None:
    marks = set()
    for case in _of(cases, "placeholder"):
        found = PLACEHOLDER_MARK.findall(_text(case))
        assert found, case
        marks.add(str(case["detail"]).rsplit(" by ", 1)[1])
        assert "XXXX" not in str(case["detail"]).split(" by ")[0]
    assert len(marks) >= 8  # many template styles


def test_missing_section_is_gone_or_empty(cases: list[Case]) -> None:
    for case in _of(cases, "missing_section"):
        name = "findings" if str(case["detail"]).startswith("FINDINGS") else "impression"
        other = "impression" if name == "findings" else "findings"
        if "report" not in case:
            assert case[name] == "" and str(case[other]).strip(), case
            continue
        report = str(case["report"])
        head, other_head = (FINDINGS_HEAD, IMPRESSION_HEAD) if name == "findings" else (IMPRESSION_HEAD, FINDINGS_HEAD)
        assert other_head.search(report), report
        match = head.search(report)
        if match:  # emptied: the header is followed only by blank space up to the next header or the end
            rest = report[match.end():]
            following = other_head.search(rest)
            assert not (rest[: following.start()] if following else rest).strip(), report


def test_missing_findings_only_where_the_impression_describes_no_finding(cases: list[Case]) -> None:
    for case in _of(cases, "missing_section"):
        if str(case["detail"]).startswith("FINDINGS"):
            impression = str(case.get("impression") or str(case["report"]).rsplit("\n", 3)[-1])
            assert not re.search(r"effusion|pneumothorax|consolidation|cardiomegaly|nodule|mass|oedema|edema",
                                 impression, re.I), case


def test_laterality_cases_name_both_sides(cases: list[Case]) -> None:
    for case in _of(cases, "laterality_conflict"):
        text = _text(case)
        assert re.search(r"\b(left|LLL|LUL)\b", text, re.I) and re.search(r"\b(right|RLL|RUL)\b", text, re.I), case
        flipped = re.search(r": '(.*?)'; ", str(case["detail"]))
        assert flipped and _plain(flipped.group(1)) in _plain(_text(case)), case


NEGATION_CUE = re.compile(r"\b(no|not|without|negative|normal|clear|absent|excluded|free|resolved|cleared|"
                          r"resolution|sharp|unremarkable)\b", re.I)


def _sections(case: Case) -> tuple[str, str]:
    if "report" not in case:
        return str(case["findings"]), str(case["impression"])
    report = str(case["report"])
    findings_at = FINDINGS_HEAD.search(report)
    impression_at = IMPRESSION_HEAD.search(report)
    assert findings_at and impression_at, report
    return report[findings_at.end(): impression_at.start()], report[impression_at.end():]


def test_negation_cases_in_both_directions(cases: list[Case]) -> None:
    directions: Counter[str] = Counter()
    for case in _of(cases, "negation_conflict"):
        match = re.match(r"IMPRESSION (asserts|negates) (\w+)", str(case["detail"]))
        assert match, case
        directions[match.group(1)] += 1
        findings, impression = _sections(case)
        denying = findings if match.group(1) == "asserts" else impression
        assert NEGATION_CUE.search(denying), case
    assert directions["asserts"] >= 8 and directions["negates"] >= 8, directions


def test_omission_impressions_are_normal_statements(cases: list[Case]) -> None:
    normal = re.compile(r"no acute|normal|\bNAD\b|clear chest|unremarkable|no active", re.I)
    for case in _of(cases, "impression_omits_finding"):
        impression = str(case.get("impression") or IMPRESSION_HEAD.split(str(case["report"]))[-1])
        assert normal.search(impression), case
        assert not re.search(r"effusion|pneumothorax|consolidation|pneumonia|cardiomegaly|nodule|mass|oedema|edema",
                             impression, re.I), case


def test_deidentification_mask_is_kept(cases: list[Case]) -> None:
    assert sum("XXXX" in _text(c) for c in cases) >= 20


def test_cli_writes_the_set_and_shows_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    require_shared(IU_TGZ)
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    out = tmp_path / "set.jsonl"
    assert make_heldout8.main([str(out), "--seed", "5", "--show", "1"]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 400 and all(json.loads(line)["id"] for line in lines)
    assert "placeholder: 40" in capsys.readouterr().out


def test_missing_shared_data_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path))
    assert make_heldout8.main([str(tmp_path / "out.jsonl")]) == 2
    assert "missing shared data" in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()
