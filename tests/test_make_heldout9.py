"""Tests of bench/make_heldout9.py (the blind held-out set 9): determinism, composition, and that each injected
kind has the structural property it claims, read back from the written JSONL with parsers written here."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout9 as gen

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR", REPO.parent / "shared"))
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

pytestmark = pytest.mark.shared


def _need_shared():
    if not ARCHIVE.is_file():
        pytest.skip(f"needs ../shared (the IU archive {ARCHIVE}); set MEDRAG_SHARED_DIR")


def _run(out: Path, seed: int) -> list[dict]:
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout9", str(out), "--seed", str(seed)], cwd=REPO,
                   env=env, check=True, capture_output=True, timeout=120)
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    _need_shared()
    d = tmp_path_factory.mktemp("h9")
    return {seed: (_run(d / f"a{seed}.jsonl", seed), d / f"a{seed}.jsonl") for seed in (1001, 1002, 1003)}


HEAD_NAMES = sorted(set(gen.FINDINGS_HEADERS + gen.IMPRESSION_HEADERS + gen.OTHER_HEADERS), key=len, reverse=True)
HEAD_RE = re.compile(r"^\s*(" + "|".join(re.escape(h) for h in HEAD_NAMES) + r")(?:\s*[:\-]\s*(.*)|\s*)$", re.I)
FIND_SET = {h.lower() for h in gen.FINDINGS_HEADERS}
IMP_SET = {h.lower() for h in gen.IMPRESSION_HEADERS}


def sections(text: str) -> dict[str, list[str]]:
    """'findings' / 'impression' -> list of bodies (one per header found), read line by line."""
    out: dict[str, list[str]] = {"findings": [], "impression": []}
    cur, body = None, []

    def close():
        if cur:
            out[cur].append("\n".join(body).strip())

    for line in text.splitlines():
        m = HEAD_RE.match(line)
        if m:
            close()
            name = m.group(1).lower()
            cur = "findings" if name in FIND_SET else "impression" if name in IMP_SET else None
            body = [m.group(2) or ""]
            continue
        if line.strip().lower().startswith(tuple(p.lower() for p in gen.TRAILER_PREFIXES)):
            close()
            cur, body = None, []
            continue
        body.append(line)
    close()
    return out


def _tokens_in(text: str) -> list[str]:
    t = re.sub(r"X{4,}", "", text).lower()
    return [tok for tok in gen.PLACEHOLDER_TOKENS if tok.lower() in t]


def test_same_seed_same_file_and_seeds_differ(sets, tmp_path):
    again = tmp_path / "again.jsonl"
    _run(again, 1001)
    assert again.read_bytes() == sets[1001][1].read_bytes()
    assert sets[1001][1].read_bytes() != sets[1002][1].read_bytes()
    reports = {s: {c["report"] for c in sets[s][0]} for s in sets}
    assert len(reports[1001] & reports[1002]) < 40


def test_counts_and_ids(sets):
    for cases, _ in sets.values():
        assert len(cases) == 400
        counts = Counter(c["injected"] for c in cases)
        assert counts[None] == 200
        assert all(counts[k] == 40 for k in gen.KINDS)
        assert set(counts) == {None, *gen.KINDS}
        ids = [c["id"] for c in cases]
        assert len(set(ids)) == 400
        for c in cases:
            assert set(c) == {"id", "injected", "detail", "report"}
            assert re.fullmatch(r"h9-[0-9a-f]{12}", c["id"]), c["id"]
            for word in ("miss", "lat", "neg", "omit", "place", "clean", "sect"):
                assert word not in c["id"]
            if c["injected"]:
                assert c["detail"].strip() and not c["detail"].startswith("no change")
            assert len(c["report"]) > 80
        # the kinds are spread over the file, not in blocks
        first_half = Counter(c["injected"] for c in cases[:200])
        assert all(8 <= first_half[k] <= 32 for k in gen.KINDS)


def test_composed_iu_share(sets):
    for cases, _ in sets.values():
        for kind in [None, *gen.KINDS]:
            group = [c for c in cases if c["injected"] == kind]
            comp = sum(c["detail"].startswith("[composed:") for c in group)
            iu = sum(c["detail"].startswith("[iu:") for c in group)
            assert comp + iu == len(group)
            assert 0.5 <= comp / len(group) <= 0.7
        files = [c["detail"].split(":")[1] for c in cases if c["detail"].startswith("[iu:")]
        assert len(files) == len(set(files)) == 160   # each real report used once
        for c in cases:
            if c["detail"].startswith("[composed:"):
                assert "XXXX" not in c["report"]
        styles = Counter(re.match(r"\[(?:composed|iu:\d+):(\w+)\]", c["detail"]).group(1) for c in cases)
        assert len(styles) >= 14


def test_placeholders_only_where_injected(sets):
    for cases, _ in sets.values():
        for c in cases:
            toks = _tokens_in(c["report"])
            if c["injected"] == "placeholder":
                assert toks, c["report"]
            else:
                assert not toks, (c["injected"], toks, c["report"])


def test_sections_present_unless_missing(sets):
    for cases, _ in sets.values():
        for c in cases:
            sec = sections(c["report"])
            f_ok = any(sec["findings"])
            i_ok = any(sec["impression"])
            if c["injected"] == "missing_section":
                which = "findings" if c["detail"].split("] ", 1)[1].startswith("findings") else "impression"
                other = "impression" if which == "findings" else "findings"
                assert not any(sec[which]), (c["detail"], c["report"])
                assert any(sec[other])
                if "header kept" in c["detail"]:
                    assert sec[which] == [""], c["report"]
                else:
                    assert sec[which] == [], c["report"]
            else:
                assert f_ok and i_ok, (c["injected"], c["detail"], c["report"])


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", gen.spell(s, uk=False).lower().replace("oedema", "edema")).rstrip(".").strip()


def _has_side(text: str, side: str) -> bool:
    s = side[0]
    return re.search(rf"\b{side}\b|\b{s}\b|\b{s}(LL|UL|ML)\b", text, re.I) is not None


def test_laterality_cases_have_both_sides(sets):
    for cases, _ in sets.values():
        for c in [c for c in cases if c["injected"] == "laterality_conflict"]:
            sec = sections(c["report"])
            m = re.search(r"findings (right|left), impression(?: flipped to)? (right|left)", c["detail"])
            assert m and m.group(1) != m.group(2), c["detail"]
            assert _has_side(" ".join(sec["findings"]), m.group(1)), c["report"]
            assert _has_side(" ".join(sec["impression"]), m.group(2)), c["report"]


def test_negation_details_match_text(sets):
    for cases, _ in sets.values():
        neg = [c for c in cases if c["injected"] == "negation_conflict"]
        directions = Counter()
        for c in neg:
            sec = sections(c["report"])
            imp, fin = _norm(" ".join(sec["impression"])), _norm(" ".join(sec["findings"]))
            m = re.search(r"impression: '([^']+)'|replaced by '([^']+)'", c["detail"])
            if m:
                directions["impression negates"] += 1
                assert _norm(m.group(1) or m.group(2)) in imp, c["report"]
            m = re.search(r"findings: '([^']+)'", c["detail"])
            if m:
                directions["findings negate"] += 1
                assert _norm(m.group(1)) in fin, c["report"]
            m = re.search(r"impression affirms '([^']+)'", c["detail"])
            if m:
                assert _norm(m.group(1)) in imp
        assert directions["impression negates"] >= 5 and directions["findings negate"] >= 5


OMIT_WORDS = {"pneumothorax": r"pneumothora|\bPTX\b", "effusion": r"effusion|fluid", "mediastin": r"mediastin",
              "free": r"free|pneumoperitoneum", "oedema": r"oedema|edema|failure|congest", "consolidation":
              r"consolidat|pneumonia|air ?-?space|opacit|shadowing", "nodule": r"nodul|mass|rounded opacity",
              "mass": r"mass|nodul",
              "collapse": r"collapse|atelecta"}


def test_omitted_finding_in_findings_not_in_impression(sets):
    for cases, _ in sets.values():
        om = [c for c in cases if c["injected"] == "impression_omits_finding"]
        normal_imp = sum("normal" in c["detail"] for c in om)
        assert 12 <= normal_imp <= 28   # about half call the study normal, half list other findings
        for c in om:
            sec = sections(c["report"])
            fin, imp = " ".join(sec["findings"]), " ".join(sec["impression"])
            m = re.search(r"inserted '([^']+)'", c["detail"])
            if m:
                core = re.sub(r"^there (is|are) (an? )?", "", _norm(m.group(1)))   # bullets drop "There is a"
                assert core in _norm(fin), c["report"]
                label = m.group(1).lower()
            else:
                label = c["detail"].split("] ", 1)[1].split(" in findings")[0].lower()
            key = next(k for k in OMIT_WORDS if k in label or (k == "free" and "free" in label)
                       or (k == "oedema" and "edema" in label))
            assert re.search(OMIT_WORDS[key], fin, re.I), c["report"]
            assert not re.search(OMIT_WORDS[key], imp, re.I), c["report"]
            assert imp.strip()


def test_missing_shared_exits_2(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout9", str(tmp_path / "o.jsonl"), "--seed", "1"],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "MEDRAG_SHARED_DIR" in p.stderr
    assert not (tmp_path / "o.jsonl").exists()
