"""Where ../shared lives, a skip marker for tests that need it, and the real IU reports read from it."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
BADINPUTS = SHARED / "badinputs"
DATA = SHARED / "data"
EVAL = SHARED / "eval"


def require_shared(path: Path) -> Path:
    """Skip the calling test with a reason when ``path`` (under ../shared) is absent."""
    if not path.exists():
        pytest.skip(f"needs {path} (the shared data folder is not present in this checkout)")
    return path


IU_TGZ = DATA / "iu_reports" / "NLMCXR_reports.tgz"
DEV_SET = EVAL / "report_errors_dev.jsonl"


def dev_set_uids() -> set[str]:
    """The uids of the IU reports in the report-error dev set, which held-out sets must leave out (skips
    the test when ../shared is absent)."""
    import json

    with require_shared(DEV_SET).open() as fh:
        return {json.loads(line)["uid"] for line in fh}


@functools.cache
def iu_reports() -> dict[str, dict[str, str]]:
    """The real IU reports by uid: their sections (read with the ETL's one Open-i reader)."""
    from etl import read_openi_reports

    return {report.uid: report.sections for report in read_openi_reports(IU_TGZ)}


def iu_report(uid: str) -> dict[str, str]:
    """The fields of one real IU report (skips the test when ../shared is absent)."""
    require_shared(IU_TGZ)
    return iu_reports()[uid]


def iu_sentence(uid: str, sentence: str) -> str:
    """``sentence``, after asserting it is quoted verbatim from report ``uid``."""
    fields = iu_report(uid)
    assert any(sentence in text for text in fields.values()), f"{sentence!r} is not in {uid}"
    return sentence
