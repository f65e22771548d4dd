import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import make_heldout134 as mk  # noqa: E402

if not mk.iu_archive().exists() or not mk.dev_path().exists():
    pytest.skip(f"shared data absent ({mk.shared_dir()}): IU archive or dev set missing", allow_module_level=True)

KINDS = mk.KINDS


@pytest.fixture(scope="module")
def rows():
    return mk.build(7)


def iu_uid(row):
    m = re.match(r"IU (CXR\d+):", row["detail"])
    return m.group(1) if m else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for row in rows:
        assert set(row) == {"id", "injected", "detail", "report"}
        assert row["report"].strip() and row["detail"].strip()
        assert row["id"].startswith("h134-7-")
    assert len({r["id"] for r in rows}) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40


def test_half_iu_per_group(rows):
    for k in [None] + KINDS:
        group = [r for r in rows if r["injected"] == k]
        n_iu = sum(1 for r in group if iu_uid(r))
        assert n_iu == len(group) // 2, k
        assert all(r["detail"].startswith("composed") for r in group if not iu_uid(r))


def test_iu_distinct_and_not_dev(rows):
    uids = [iu_uid(r) for r in rows if iu_uid(r)]
    assert len(uids) == 200 and len(set(uids)) == 200
    dev = {json.loads(line)["uid"] for line in open(mk.dev_path())}
    assert not set(uids) & dev


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[ *\]|\[\*+\]|\*\*\*|<<|>>|\bXX\b|\[[A-Za-z /]+\]", r["report"]), r["report"]


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[|\*\*\*|<<|\bXX\b|___", r["report"]), r["report"]


def test_sections_present_outside_missing(rows):
    for r in rows:
        if r["injected"] not in (None, "missing_section"):
            assert re.search(r"(?im)^(findings|report)\b", r["report"]) or "FINDINGS" in r["report"]


def test_deterministic_and_seed_dependent(rows):
    again = mk.build(7)
    assert again == rows
    other = mk.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout134", str(out), "--seed", "3", "--show", "1"],
                       cwd=REPO, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400 and lines[0]["id"].startswith("h134-3-")
    assert "=====" in p.stderr
