"""The held-out set 7 generator: counts, shapes, determinism, and per kind a property of the injected text.

Checked here with my own small rules, never with the report checker (the set must stay blind to it).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout7 as gen
from tests.shared_data import DEV_SET, IU_TGZ, SHARED, dev_set_uids, require_shared

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder")
NEGATION_CUE = re.compile(r"\b(no|not|without|normal|clear|unremarkable)\b", re.IGNORECASE)
META_PREFIXES = (
    "INDICATION:",
    "COMPARISON:",
    "CLINICAL DETAILS:",
    "HISTORY:",
    "EXAM:",
    "EXAMINATION:",
    "TECHNIQUE:",
    "FINAL REPORT",
)
IMPRESSION_HEADER = re.compile(r"^(IMPRESSION|CONCLUSION|OPINION|SUMMARY|COMMENT|ASSESSMENT)(:|\n|$|\s)", re.IGNORECASE)
PLACEHOLDER_LIKE = re.compile(
    r"\[[^\]]*\]|\{[A-Z]+\}|<[^>]*>|\*\*|\bXX\b|\bX\.X\b|_{2,} ?(?:cm|mm)\b|\?\? ?(?:cm|mm)\b", re.IGNORECASE
)


@pytest.fixture(scope="module")
def iu() -> dict[str, dict[str, str]]:
    require_shared(IU_TGZ)
    return gen.read_iu(IU_TGZ)


@pytest.fixture(scope="module")
def dev_uids() -> set[str]:
    return dev_set_uids()


@pytest.fixture(scope="module")
def cases(iu, dev_uids) -> list[dict]:
    return gen.build_cases(801, iu=iu, exclude=dev_uids)


def _swap(text: str) -> str:
    """Left<->right, written apart from the generator's own swap."""
    table = {"left": "right", "right": "left", "lll": "rll", "rll": "lll", "lul": "rul", "rul": "lul"}

    def one(m: re.Match[str]) -> str:
        word = table[m.group(0).lower()]
        src = m.group(0)
        return word.upper() if src.isupper() else word.capitalize() if src[0].isupper() else word

    return re.sub(r"\b(left|right|lll|rll|lul|rul)\b", one, text, flags=re.IGNORECASE)


def _sections(case: dict) -> tuple[str, str]:
    """(FINDINGS text, IMPRESSION text) of a case, lower case; for free text, read by block."""
    if "report" not in case:
        return case["findings"].lower(), case["impression"].lower()
    findings, impression = [], []
    for block in (b.strip() for b in case["report"].split("\n\n")):
        if block.upper().startswith(META_PREFIXES):
            continue
        if IMPRESSION_HEADER.match(block):
            impression.append(IMPRESSION_HEADER.sub("", block, count=1))
        else:
            findings.append(re.sub(r"^(findings/discussion|findings|report|description):?", "", block, flags=re.I))
    return " ".join(findings).strip().lower(), " ".join(impression).strip().lower()


def test_counts_ids_and_sources(cases, iu, dev_uids) -> None:
    assert len(cases) == 400
    assert Counter(c["injected"] for c in cases) == {None: 200, **{k: 40 for k in KINDS}}
    assert len({c["id"] for c in cases}) == 400
    syn = [c for c in cases if c["uid"].startswith("syn7-")]
    real = [c for c in cases if not c["uid"].startswith("syn7-")]
    assert len(syn) == 200 and len(real) == 200
    assert len({c["uid"] for c in syn}) == 200 and len({c["uid"] for c in real}) == 200
    assert all(c["uid"] in iu for c in real)
    assert not {c["uid"] for c in real} & dev_uids
    assert any("XXXX" in json.dumps(c) for c in real), "the IU mask is kept"
    for source in (syn, real):
        kinds = Counter(c["injected"] for c in source)
        assert kinds == {None: 100, **{k: 20 for k in KINDS}}


def test_shapes_and_details(cases) -> None:
    shapes = Counter("report" if "report" in c else "split" for c in cases)
    assert shapes == {"report": 200, "split": 200}
    for case in cases:
        if "report" in case:
            assert isinstance(case["report"], str) and case["report"].strip()
            assert not {"findings", "impression"} & case.keys()
        else:
            assert all(isinstance(case[k], str) for k in ("findings", "impression", "indication", "comparison"))
        assert isinstance(case["detail"], str)
        assert bool(case["detail"]) == (case["injected"] is not None), case["id"]
    # Shapes are drawn apart from the kind: every kind comes in both.
    for kind in (None, *KINDS):
        group = Counter("report" in c for c in cases if c["injected"] == kind)
        assert group[True] >= 5 and group[False] >= 5, kind


def test_clean_cases_have_both_sections_and_no_placeholder(cases) -> None:
    for case in cases:
        if case["injected"] is None:
            findings, impression = _sections(case)
            assert findings and impression, case["id"]
            assert not PLACEHOLDER_LIKE.search(json.dumps(case)), case["id"]


def test_deterministic_per_seed_and_seeds_differ(cases, iu, dev_uids) -> None:
    assert gen.build_cases(801, iu=iu, exclude=dev_uids) == cases
    other = gen.build_cases(802, iu=iu, exclude=dev_uids)
    assert len(other) == 400
    assert [c.get("report") or c.get("findings") for c in other] != [
        c.get("report") or c.get("findings") for c in cases
    ]


def test_laterality_is_a_left_right_swap_against_the_other_section(cases) -> None:
    rx = re.compile(
        r'^(FINDINGS|IMPRESSION): "(.*)" -> "(.*)" \(left/right flipped; the other section says "(.*)", on '
        r"the (left|right)\)$"
    )
    for case in (c for c in cases if c["injected"] == "laterality_conflict"):
        m = rx.match(case["detail"])
        assert m, case["detail"]
        section, old, new, other, side = m.groups()
        assert new != old and _swap(new) == old
        findings, impression = _sections(case)
        changed, kept = (findings, impression) if section == "FINDINGS" else (impression, findings)
        assert new.lower() in changed
        assert other.lower() in kept and re.search(rf"\b{side}\b", other, re.IGNORECASE)


def test_negation_conflict_puts_a_negated_and_an_affirmed_statement_across_sections(cases) -> None:
    for case in (c for c in cases if c["injected"] == "negation_conflict"):
        findings, impression = _sections(case)
        detail = case["detail"]
        if detail.startswith("IMPRESSION now affirms"):
            added = re.search(r': "(.*?)";', detail).group(1)
            assert added.lower() in impression and not NEGATION_CUE.search(added)
            assert NEGATION_CUE.search(findings)
        elif detail.startswith("IMPRESSION negates"):
            affirmed, new = re.search(r'\("(.*?)"\): "(.*?)"', detail).groups()
            assert affirmed.lower() in findings and new.lower() in impression
            assert NEGATION_CUE.search(new) and not NEGATION_CUE.search(affirmed)
        else:
            assert detail.startswith("FINDINGS negates"), detail
            affirmed, old, new = re.search(r'\("(.*?)"\): "(.*?)" -> "(.*?)"$', detail).groups()
            assert affirmed.lower() in impression and new.lower() in findings
            assert NEGATION_CUE.search(new) and not NEGATION_CUE.search(old)


def test_omission_leaves_a_normal_impression_beside_an_affirmed_finding(cases) -> None:
    finding_word = re.compile(
        r"effusion|pneumothorax|ptx|consolidat|pneumonia|infiltrat|o?edema|cardiomegaly|enlarge|"
        r"nodule|mass|widen|pneumoperitoneum|air|opacit|opacification|congestion",
        re.IGNORECASE,
    )
    for case in (c for c in cases if c["injected"] == "impression_omits_finding"):
        findings, impression = _sections(case)
        sentence, old, new = re.search(r'\("(.*?)"\); IMPRESSION "(.*)" replaced by "(.*)"$', case["detail"]).groups()
        assert sentence.lower() in findings
        assert not re.search(r"\b(no|without|negative)\b", sentence, re.IGNORECASE)
        assert finding_word.search(sentence)
        assert not finding_word.search(impression), impression
        assert re.sub(r"(?m)^- |\d\.\s*|\s+", "", impression) == re.sub(r"\s+", "", new.lower())
        assert new != old


def test_missing_section_empties_exactly_the_named_section(cases) -> None:
    seen = Counter()
    for case in (c for c in cases if c["injected"] == "missing_section"):
        findings, impression = _sections(case)
        which = case["detail"].split()[0]
        seen[which] += 1
        assert which in ("FINDINGS", "IMPRESSION")
        empty, kept = (findings, impression) if which == "FINDINGS" else (impression, findings)
        assert re.sub(r"\W", "", empty) in ("", "findings", "report", "description", "findingsdiscussion"), case
        assert kept
    assert seen["FINDINGS"] >= 5 and seen["IMPRESSION"] >= 5


def test_placeholder_sits_in_the_named_section(cases) -> None:
    tokens = set()
    for case in (c for c in cases if c["injected"] == "placeholder"):
        m = re.match(r'^(FINDINGS|IMPRESSION): "(.*?)" replaced by placeholder "(.*?)" in "(.*)"$', case["detail"])
        assert m, case["detail"]
        section, word, token, sentence = m.groups()
        findings, impression = _sections(case)
        assert sentence.lower() in (findings if section == "FINDINGS" else impression)
        assert token in sentence and word.lower() != "xxxx"
        assert PLACEHOLDER_LIKE.search(sentence) or token in ("***", "___", "__", "??"), token
        tokens.add(token)
    assert len(tokens) >= 8, "placeholders come in many template styles"


def test_cli_writes_the_set_and_shows_counts(tmp_path) -> None:
    require_shared(IU_TGZ)
    require_shared(DEV_SET)
    out = tmp_path / "set.jsonl"
    env = {**os.environ, "MEDRAG_SHARED_DIR": str(SHARED)}
    run = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout7", str(out), "--seed", "5", "--show", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 400 and all(json.loads(line)["id"] for line in lines)
    assert "counts:" in run.stdout and "'placeholder': 40" in run.stdout


def test_cli_without_shared_data_says_so(tmp_path) -> None:
    env = {**os.environ, "MEDRAG_SHARED_DIR": str(tmp_path / "absent")}
    run = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout7", str(tmp_path / "x.jsonl")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert "missing" in run.stderr and "Traceback" not in run.stderr
