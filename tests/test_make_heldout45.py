"""The v4 and v5 blind report-error set generators (bench/make_heldout4.py, bench/make_heldout5.py): their
output, not any checker's verdict."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout4, make_heldout5
from tests.shared_data import DEV_SET, IU_TGZ, SHARED, dev_set_uids, require_shared

KINDS = {"missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"}


@pytest.fixture(scope="module")
def dev_uids() -> set[str]:
    return dev_set_uids()


@pytest.fixture(scope="module")
def v4_reports(dev_uids: set[str]) -> list[make_heldout4.Report]:
    require_shared(IU_TGZ)
    return [r for r in make_heldout4.read_reports(IU_TGZ) if r.uid not in dev_uids]


@pytest.fixture(scope="module")
def v5_reports(dev_uids: set[str]) -> list[make_heldout5.Report]:
    require_shared(IU_TGZ)
    return [r for r in make_heldout5.load_iu(IU_TGZ) if r.uid not in dev_uids]


@pytest.fixture(scope="module")
def v4_cases(v4_reports: list[make_heldout4.Report]) -> list[dict]:
    return make_heldout4.build_cases(v4_reports, 501)


@pytest.fixture(scope="module")
def v5_cases(v5_reports: list[make_heldout5.Report]) -> list[dict]:
    return make_heldout5.build(v5_reports, 601)


def _text(case: dict) -> str:
    if "report" in case:
        return case["report"]
    return "\n".join(case.get(k) or "" for k in ("indication", "comparison", "technique", "findings", "impression"))


def _words(text: str) -> set[str]:
    """Content words as read: lower case, masks (XXXX, ___) and UK spellings folded, four letters or more."""
    text = text.lower().replace("___", " xxxx ").replace("oe", "e").replace("ae", "e")
    return {w for w in re.findall(r"[a-z]{4,}", text) if w != "xxxx"}


def _sequence(text: str) -> str:
    text = text.lower().replace("___", " xxxx ").replace("oe", "e").replace("ae", "e")
    return " ".join(re.findall(r"[a-z]{4,}", text))


def _kept_share(source: str, case: dict) -> float:
    words = _words(source)
    return len(words & _words(_text(case))) / len(words) if words else 1.0


def _check_counts(cases: list[dict], dev_uids: set[str], sources: set[str]) -> None:
    counts = Counter(c["injected"] for c in cases)
    assert counts == {None: 200, **{kind: 40 for kind in KINDS}}
    ids = [c["id"] for c in cases]
    assert len(set(ids)) == len(ids)
    uids = [c["uid"] for c in cases]
    assert len(set(uids)) == len(uids), "a report is used twice"
    assert not set(uids) & dev_uids, "the dev set's reports must stay out"
    assert set(uids) <= sources
    for case in cases:
        assert isinstance(case["detail"], str) and (case["detail"] == "") == (case["injected"] is None)
        assert ("report" in case) != ("findings" in case or "impression" in case)
        assert _text(case).strip()  # check-reports refuses a record with no text


def test_v4_counts_per_kind_and_no_dev_report(v4_cases: list[dict], dev_uids: set[str],
                                              v4_reports: list[make_heldout4.Report]) -> None:
    _check_counts(v4_cases, dev_uids, {r.uid for r in v4_reports})


def test_v5_counts_per_kind_and_no_dev_report(v5_cases: list[dict], dev_uids: set[str],
                                              v5_reports: list[make_heldout5.Report]) -> None:
    _check_counts(v5_cases, dev_uids, {r.uid for r in v5_reports})


def test_v4_same_seed_same_set_other_seed_other_set(v4_cases: list[dict],
                                                   v4_reports: list[make_heldout4.Report]) -> None:
    assert make_heldout4.build_cases(v4_reports, 501) == v4_cases
    assert [c["id"] for c in make_heldout4.build_cases(v4_reports, 502)] != [c["id"] for c in v4_cases]


def test_v5_same_seed_same_set_other_seed_other_set(v5_cases: list[dict],
                                                   v5_reports: list[make_heldout5.Report]) -> None:
    assert make_heldout5.build(v5_reports, 601) == v5_cases
    assert [c["uid"] for c in make_heldout5.build(v5_reports, 602)] != [c["uid"] for c in v5_cases]


def test_v4_clean_reports_keep_their_source_findings(v4_cases: list[dict],
                                                     v4_reports: list[make_heldout4.Report]) -> None:
    # restyled (abbreviations, spellings, layout) but the same report: nearly every content word of the
    # source's findings is still there; an unrelated report would share few
    by_uid = {r.uid: r for r in v4_reports}
    shares = [_kept_share(" ".join(by_uid[c["uid"]].findings), c) for c in v4_cases if c["injected"] is None]
    assert min(shares) >= 0.5 and sum(shares) / len(shares) >= 0.9
    other = [_kept_share(" ".join(by_uid[a["uid"]].findings), b)
             for a, b in zip(v4_cases[:50], v4_cases[50:100], strict=True)]
    assert sum(other) / len(other) < 0.6


def test_v5_clean_reports_keep_their_source_text(v5_cases: list[dict],
                                                 v5_reports: list[make_heldout5.Report]) -> None:
    by_uid = {r.uid: r for r in v5_reports}
    for case in (c for c in v5_cases if c["injected"] is None):
        source = by_uid[case["uid"]]
        assert _kept_share(source.findings, case) >= 0.9, case["id"]
        assert _kept_share(source.impression, case) >= 0.9, case["id"]


def test_v5_missing_section_cases_lack_a_source_section(v5_cases: list[dict],
                                                 v5_reports: list[make_heldout5.Report]) -> None:
    by_uid = {r.uid: r for r in v5_reports}
    for case in (c for c in v5_cases if c["injected"] == "missing_section"):
        source = by_uid[case["uid"]]
        findings, impression = _sequence(source.findings), _sequence(source.impression)
        if impression in findings or findings in impression:
            continue  # an impression that repeats the findings word for word cannot show which one went
        text = _sequence(_text(case))
        assert not (findings in text and impression in text), case["id"]


def test_cli_writes_json_lines(tmp_path: Path) -> None:
    require_shared(IU_TGZ)
    out = tmp_path / "h5.jsonl"
    assert make_heldout5.main([str(out), "--seed", "603", "--shared", str(SHARED)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 400 and all(row["injected"] in KINDS | {None} for row in rows)
    assert make_heldout5.main([str(tmp_path / "x.jsonl"), "--shared", str(tmp_path)]) == 2
    assert not (tmp_path / "x.jsonl").exists()
    assert make_heldout4.main([str(tmp_path / "y.jsonl"), "--reports", str(tmp_path / "absent.tgz")]) == 2


# --- v6 (bench/make_heldout6.py): looked at once, 2026-12-02 -----------------------------------------


@pytest.fixture(scope="module")
def v6_cases() -> list[dict]:
    from bench import make_heldout6

    require_shared(IU_TGZ)
    require_shared(DEV_SET)
    return make_heldout6.make_cases(701)


def test_v6_counts_per_kind_same_seed_same_set_and_no_dev_report(v6_cases: list[dict], dev_uids: set[str]) -> None:
    from bench import make_heldout6

    _check_counts([{k: v for k, v in c.items() if k != "layout"} for c in v6_cases], dev_uids,
                  {c["uid"] for c in v6_cases})  # fmt: skip
    assert make_heldout6.make_cases(701) == v6_cases
    # neutral ids: the id says nothing of the kind
    assert all(re.fullmatch(r"h6-701-\d{3}", c["id"]) for c in v6_cases)
