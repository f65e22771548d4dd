"""The bad-inputs corpus (../shared/badinputs) through ``workflow.verify``.

Rejects: the typed ``InputError`` with ``code`` equal to the manifest's reason; the rows of every table
of the case store and the files of the cache folder unchanged; no embedding computed; no verifier called.
Accepts: a result comes back (paired with a valid counterpart), and ``must_not_leak`` strings appear in
no stored row, no log line, no verifier request and not in the result.
"""

from __future__ import annotations

import json
import logging

import psycopg
import pytest

from medrag_core.embedding import EmbeddingCache
from medrag_core.errors import InputError
from medrag_core.models import VerificationResult
from medrag_core.workflow import verify
from tests.fixtures.images import make_png
from tests.fixtures.workflow_data import QUERY_REPORT, CountingEmbedder, RecordingVerifier, archive_image, build_archive
from tests.shared_data import BADINPUTS, require_shared

MANIFEST = BADINPUTS / "manifest.jsonl"
CASES = (
    [json.loads(line) for line in MANIFEST.read_text(encoding="utf-8").splitlines() if line.strip()]
    if MANIFEST.exists()
    else []
)
REJECTS = [c for c in CASES if c["expect"] == "reject"]
ACCEPTS = [c for c in CASES if c["expect"] == "accept"]
_ids = lambda c: c["file"]  # noqa: E731


def _tables(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def _row_counts(conninfo: str) -> dict[str, int]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in _tables(conn)}


def _all_values(conninfo: str) -> list[str | bytes]:
    out: list[str | bytes] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for table in _tables(conn):
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                out.extend(v if isinstance(v, str | bytes) else str(v) for v in row if v is not None)
    return out


def _files(folder) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def _pair(case: dict) -> tuple[bytes, bytes | str]:
    data = (BADINPUTS / case["file"]).read_bytes()
    if case["kind"] == "report":
        return make_png(archive_image(1)), data
    return data, QUERY_REPORT


@pytest.fixture
def settings(pg_settings):
    return pg_settings.model_copy(update={"top_k": 3, "llm_backend": "offline"})


@pytest.mark.shared
@pytest.mark.skipif(not REJECTS, reason="../shared/badinputs is not present")
@pytest.mark.parametrize("case", REJECTS, ids=_ids)
def test_reject_changes_nothing(case, store, pg_conninfo, tiny_embedder, settings, tmp_path):
    require_shared(BADINPUTS)
    build_archive(store, tiny_embedder, n=2)
    cache = EmbeddingCache(tmp_path / "cache")
    cache.put("0" * 64, "seed-model", [1.0, 0.0])  # a cache folder with a file in it
    counting, recorder = CountingEmbedder(tiny_embedder), RecordingVerifier()
    rows_before, files_before = _row_counts(pg_conninfo), _files(tmp_path / "cache")
    image, report = _pair(case)

    with pytest.raises(InputError) as excinfo:
        verify(image, report, settings, store=store, embedder=counting, verifier=recorder, cache=cache)

    error = excinfo.value
    assert error.code == case["reason"], error.user_message
    assert error.user_message and "Traceback" not in error.user_message
    assert _row_counts(pg_conninfo) == rows_before
    assert _files(tmp_path / "cache") == files_before
    assert counting.calls == 0, "an embedding was computed for a refused input"
    assert recorder.requests == [], "the verifier was called for a refused input"


@pytest.mark.shared
@pytest.mark.skipif(not ACCEPTS, reason="../shared/badinputs is not present")
@pytest.mark.parametrize("case", ACCEPTS, ids=_ids)
def test_accept_returns_a_result_and_leaks_nothing(case, store, pg_conninfo, tiny_embedder, settings, caplog):
    require_shared(BADINPUTS)
    build_archive(store, tiny_embedder, n=2)
    caplog.set_level(logging.DEBUG)
    recorder = RecordingVerifier()  # offline verdicts, but sent the images as an LLM verifier would be
    image, report = _pair(case)

    result = verify(image, report, settings, store=store, embedder=tiny_embedder, verifier=recorder)

    assert isinstance(result, VerificationResult)
    # The offline verdict follows the issues: any error is inconsistent, any warning needs review.
    severities = {i.severity for i in result.issues}
    expected = "inconsistent" if "error" in severities else "needs_review" if "warning" in severities else "consistent"
    assert result.verdict == expected
    assert len(result.matches) == 2 and len(recorder.requests) == 1
    props = case.get("props", {})
    for text in props.get("literal", []) + props.get("contains", []):
        assert text in result.report
    leaks = [s.lower() for s in props.get("must_not_leak", [])]
    if leaks:
        assert all(secret.encode("utf-8") in image.lower() for secret in leaks)  # the input does carry them
        request = recorder.requests[0]
        sent = [request.report, request.image_png, *request.match_images.values(),
                *(m.model_dump_json() for m in request.matches), *(i.model_dump_json() for i in request.offline_issues)]
        haystacks = [caplog.text, result.model_dump_json(), *sent, *_all_values(pg_conninfo)]
        for secret in leaks:
            for hay in haystacks:
                if isinstance(hay, bytes):
                    assert secret.encode("utf-8") not in hay.lower()
                else:
                    assert secret not in hay.lower()
