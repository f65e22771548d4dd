"""The shared bad-input report files: refused with the manifest's code, or accepted with its properties."""

from __future__ import annotations

import json

import pytest

from medrag_core.errors import ReportError
from medrag_core.reports import parse_report, read_report, run_checks
from tests.shared_data import BADINPUTS, require_shared

pytestmark = pytest.mark.shared


def _cases() -> list[dict]:
    manifest = BADINPUTS / "manifest.jsonl"
    if not manifest.exists():
        return [{"file": "(absent)", "expect": "skip"}]
    rows = [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]
    return [r for r in rows if r.get("kind") == "report"]


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["file"])
def test_badinput_report(case: dict) -> None:
    path = require_shared(BADINPUTS / case["file"])
    data = path.read_bytes()
    if case["expect"] == "reject":
        with pytest.raises(ReportError) as info:
            read_report(data)
        assert info.value.code == case["reason"]
        assert info.value.user_message and "\x00" not in info.value.user_message
        return
    text = read_report(data)
    parsed = parse_report(text)
    props = case.get("props", {})
    for name in props.get("sections", []):
        assert parsed.sections.get(name), f"{name} not found in {case['file']}"
    for literal in props.get("literal", []) + props.get("contains", []):
        assert literal in text  # kept as literal text, never stripped or rendered
    issues = run_checks(parsed)
    if "injected_error" in props:
        assert props["injected_error"] in {i.kind for i in issues if i.severity in ("warning", "error")}


def test_crlf_report_parses_like_its_lf_version() -> None:
    path = require_shared(BADINPUTS / "report_crlf.txt")
    raw = path.read_bytes()
    assert b"\r\n" in raw
    a = parse_report(read_report(raw))
    b = parse_report(read_report(raw.replace(b"\r\n", b"\n")))
    assert a.sections == b.sections
    assert [(o.name, o.polarity, o.laterality) for o in a.observations] == [
        (o.name, o.polarity, o.laterality) for o in b.observations]


def test_latin1_report_keeps_degree_and_plus_minus_in_sections() -> None:
    parsed = parse_report(read_report(require_shared(BADINPUTS / "report_latin1.txt").read_bytes()))
    assert "15°" in parsed.sections["FINDINGS"] and "± 50 ml" in parsed.sections["FINDINGS"]


def test_impression_only_report_is_checked_as_an_impression() -> None:
    parsed = parse_report(read_report(require_shared(BADINPUTS / "report_impression_only.txt").read_bytes()))
    assert parsed.headerless and parsed.sections["IMPRESSION"] == "No acute cardiopulmonary process."
    assert not [i for i in run_checks(parsed) if i.severity != "info"]


def test_prompt_injection_sentence_is_plain_data() -> None:
    text = read_report(require_shared(BADINPUTS / "report_prompt_injection.txt").read_bytes())
    issues = run_checks(parse_report(text))
    conflict = next(i for i in issues if i.kind == "laterality_conflict")
    assert "Large right pleural effusion." in conflict.evidence
