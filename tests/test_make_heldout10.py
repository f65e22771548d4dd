"""bench/make_heldout10.py: the blind held-out report-error set no. 10 (determinism, composition, and the
structural property of each injected kind, judged with vocabulary written here)."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout10 as gen

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT.parent / "shared")
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
_skip_without_archive = pytest.mark.skipif(not ARCHIVE.is_file(), reason=f"IU archive absent: {ARCHIVE}")


def needs_archive(f):
    return pytest.mark.shared(_skip_without_archive(f))

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
SIDE_WORDS = {"right": r"\b(right|rt|r|r[uml]l|rml)\b|right-sided", "left": r"\b(left|lt|l|l[ul]l|lingula|lingular)\b"}
# what the omitted finding may be called; none of these may appear in the impression
OMITTED_STEMS = {
    "pneumothorax": ["pneumothora"], "effusion": ["effusion", "pleural"], "edema": ["edema", "oedema", "failure"],
    "oedema": ["edema", "oedema", "failure"], "consolidation": ["consolidat", "pneumonia", "airspace", "infiltrat"],
    "nodule": ["nodul", "mass"], "mass": ["mass", "nodul", "malignan", "neoplas"], "collapse": ["collapse", "atelecta"],
    "mediastinum": ["mediastin"], "free gas": ["free gas", "free air", "pneumoperitoneum"],
    "free air": ["free gas", "free air", "pneumoperitoneum"],
    "free subdiaphragmatic air": ["free gas", "free air", "pneumoperitoneum", "subdiaphragmatic"],
}


def _run(out: Path, seed: int) -> list[dict]:
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    r = subprocess.run([sys.executable, "-m", "bench.make_heldout10", str(out), "--seed", str(seed)], cwd=ROOT,
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> list[dict]:
    if not ARCHIVE.is_file():
        pytest.skip(f"IU archive absent: {ARCHIVE}")
    return _run(tmp_path_factory.mktemp("h10") / "a.jsonl", 1101)


@needs_archive
def test_same_seed_same_file_other_seed_differs(tmp_path, cases):
    _run(tmp_path / "b.jsonl", 1101)
    _run(tmp_path / "c.jsonl", 1102)
    first = [json.dumps(c, sort_keys=True) for c in cases]
    assert [json.dumps(json.loads(x), sort_keys=True) for x in (tmp_path / "b.jsonl").read_text().splitlines()] == first
    other = (tmp_path / "c.jsonl").read_text().splitlines()
    assert len(other) == 400
    assert {json.loads(x)["report"] for x in other} != {c["report"] for c in cases}


@needs_archive
def test_counts_and_halves(cases):
    assert len(cases) == 400
    counts = Counter(c["injected"] for c in cases)
    assert counts == Counter({None: 200, **{k: 40 for k in KINDS}})
    for kind in [None, *KINDS]:
        group = [c for c in cases if c["injected"] == kind]
        iu = sum("[IU " in c["detail"] for c in group)
        assert iu == len(group) // 2, (kind, iu)
    assert len({c["report"] for c in cases}) == 400
    # shuffled: the kinds are not in blocks
    assert len({c["injected"] for c in cases[:40]}) >= 3


@needs_archive
def test_ids_unique_and_neutral(cases):
    ids = [c["id"] for c in cases]
    assert len(set(ids)) == 400
    for i in ids:
        assert re.fullmatch(r"hx10-[0-9a-f]{12}", i), i
        low = i.lower()
        assert not any(w in low for w in ("clean", "miss", "lat", "neg", "omit", "place", "none"))
    assert set(cases[0]) == {"id", "injected", "detail", "report"}


@needs_archive
def test_sections_present_except_missing_section(cases):
    for c in cases:
        sec = gen.split_sections(c["report"])
        f, i = sec.get("findings", ""), sec.get("impression", "")
        if c["injected"] == "missing_section":
            assert (not f) != (not i), c["report"]  # exactly one of the two has no text
            assert len([k for k in sec if k not in ("preamble", "footer")]) >= 2  # still has other headers
            gone = "findings" if not f else "impression"
            assert c["detail"].startswith(gone)
        else:
            assert f and i, c["report"]


@needs_archive
def test_placeholders_only_in_placeholder_cases(cases):
    toks = [t.lower() for t in gen.PLACEHOLDER_TOKENS]
    for c in cases:
        low = c["report"].lower()
        has = [t for t in toks if t in low]
        if c["injected"] == "placeholder":
            assert has, c["report"]
        else:
            assert not has, (has, c["report"])
            assert not re.search(r"[\[\]{}]|_{2,}|\*\*|<<|\bxx\s?(mm|cm)\b", low), c["report"]


@needs_archive
def test_composed_reports_never_use_the_iu_mask(cases):
    composed = [c for c in cases if "[composed" in c["detail"]]
    assert len(composed) == 200
    assert not [c for c in composed if "XXXX" in c["report"]]
    assert any("XXXX" in c["report"] for c in cases if "[IU " in c["detail"])


@needs_archive
def test_laterality_cases_put_the_sides_in_opposite_sections(cases):
    for c in [c for c in cases if c["injected"] == "laterality_conflict"]:
        m = re.search(r"(right|left) in findings, (?:flipped to )?(right|left) in impression", c["detail"]) or \
            re.search(r"(right|left) in impression, flipped to (right|left) in findings", c["detail"])
        assert m, c["detail"]
        if "in impression, flipped" in c["detail"]:
            f_side, i_side = m.group(2), m.group(1)
        else:
            f_side, i_side = m.group(1), m.group(2)
        assert f_side != i_side
        sec = gen.split_sections(c["report"])
        assert re.search(SIDE_WORDS[f_side], sec["findings"], re.I), c["report"]
        assert re.search(SIDE_WORDS[i_side], sec["impression"], re.I), c["report"]


@needs_archive
def test_omitted_finding_is_in_findings_and_nowhere_in_impression(cases):
    group = [c for c in cases if c["injected"] == "impression_omits_finding"]
    normal = 0
    for c in group:
        term = re.match(r"omitted: ([a-z ]+?) \(", c["detail"]).group(1)
        sec = gen.split_sections(c["report"])
        assert term in sec["findings"].lower(), c["report"]
        imp = sec["impression"].lower()
        assert not [s for s in OMITTED_STEMS[term] if s in imp], c["report"]
        # the affirmed sentence is not hedged (dictated reports may lack full stops: not split there)
        if "; sr]" in c["detail"]:
            continue
        sentence = next(s for s in re.split(r"(?<=\.)\s+|\n", sec["findings"]) if term in s.lower())
        assert not re.search(r"\b(possible|probable|likely|cannot be excluded|\?|no|resolved)\b", sentence.lower()), \
            sentence
        normal += "normal impression" in c["detail"]
    assert 10 <= normal <= 30


@needs_archive
def test_negation_cases_hold_a_negation_and_both_directions(cases):
    cue = re.compile(r"\b(no|not|without|negative|resolved|resolution|clear|normal|excluded|free of)\b", re.I)
    group = [c for c in cases if c["injected"] == "negation_conflict"]
    for c in group:
        sec = gen.split_sections(c["report"])
        assert cue.search(sec["findings"]) or cue.search(sec["impression"])
    details = " ".join(c["detail"] for c in group)
    assert "ruled out in findings" in details or "f neg i pos" in details
    assert "affirmed in findings" in details or "f pos i neg" in details


def test_exit_2_without_shared(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    r = subprocess.run([sys.executable, "-m", "bench.make_heldout10", str(tmp_path / "x.jsonl"), "--seed", "1"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "MEDRAG_SHARED_DIR" in r.stderr
    assert not (tmp_path / "x.jsonl").exists()
