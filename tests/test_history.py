"""The verification history and feedback (sql/010) on the REAL embedded Postgres and the Supabase wire fake."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from medrag_core.errors import InputError, StoreError
from medrag_core.history import (
    NOTICE_NOT_RECORDED,
    HistoryContext,
    HistoryLog,
    daily_frame,
    export_history,
    latest_wrong,
    precision_by_kind,
    ratings_frame,
    record_verification,
    sha256_text,
)
from medrag_core.llm import OfflineVerifier
from medrag_core.models import Issue, VerificationResult
from medrag_core.settings import Settings
from medrag_core.store.postgres import PostgresStore
from medrag_core.store.supabase import SupabaseStore
from medrag_core.workflow import verify
from tests.fixtures.fake_supabase import FakeSupabase, fake_supabase_fixture  # noqa: F401 - fixture
from tests.fixtures.images import make_png, phantom

REPORT = "FINDINGS: Small right pleural effusion. IMPRESSION: No acute cardiopulmonary process."


def _result(verdict: str = "needs_review", kinds: tuple[str, ...] = ("impression_omits_finding",)
            ) -> VerificationResult:
    issues = [Issue(kind=k, severity="warning", message=f"{k} message", evidence=f"evidence {n}",
                    finding="pleural effusion", section="impression") for n, k in enumerate(kinds)]
    return VerificationResult(verdict=verdict, issues=issues, report=REPORT, suggested_report=REPORT,
                              timings_ms={"checks": 1.5}, embed_model="tiny", verifier="offline")


@pytest.fixture
def history_store(store: PostgresStore) -> Iterator[PostgresStore]:
    """The session's store with an empty history (TRUNCATE: test setup only; it bypasses the row triggers)."""
    with psycopg.connect(store._conninfo, autocommit=True) as conn:
        conn.execute("TRUNCATE verifications, verification_issues, issue_feedback")
    yield store


def test_verify_records_one_row_with_its_issues(history_store, tiny_embedder, pg_settings) -> None:
    png = make_png(phantom())
    result = verify(png, REPORT, pg_settings, store=history_store, embedder=tiny_embedder,
                    verifier=OfflineVerifier(), history=HistoryContext(who="dr.lee", entry_point="cli"))
    assert result.verification_id is not None
    rows = HistoryLog(history_store).verifications()
    assert len(rows) == 1
    row = rows[0]
    assert row["verification_id"] == result.verification_id
    assert (row["who"], row["entry_point"], row["verdict"]) == ("dr.lee", "cli", result.verdict)
    assert row["report_text"] == result.report and row["report_sha256"] == sha256_text(result.report)
    assert row["verifier"] == "offline" and row["embed_model"] == result.embed_model
    assert row["archive_size"] == 0
    assert set(row["timings_ms"]) == set(result.timings_ms)
    assert [i["kind"] for i in row["issues"]] == [i.kind for i in result.issues]
    assert [i["issue_index"] for i in row["issues"]] == list(range(len(result.issues)))


def test_without_history_nothing_is_recorded(history_store, tiny_embedder, pg_settings) -> None:
    png = make_png(phantom())
    verify(png, REPORT, pg_settings, store=history_store, embedder=tiny_embedder, verifier=OfflineVerifier())
    off = pg_settings.model_copy(update={"history": False})
    result = verify(png, REPORT, off, store=history_store, embedder=tiny_embedder, verifier=OfflineVerifier(),
                    history=HistoryContext())
    assert result.verification_id is None
    assert HistoryLog(history_store).verifications() == []


def test_history_text_off_keeps_hashes_only(history_store, tiny_embedder, pg_settings) -> None:
    settings = pg_settings.model_copy(update={"history_text": False})
    report = "FINDINGS: Large right pneumothorax. IMPRESSION: No acute disease."
    result = verify(make_png(phantom()), report, settings, store=history_store, embedder=tiny_embedder,
                    verifier=OfflineVerifier(), history=HistoryContext())
    assert result.issues, "the report should raise at least one issue"
    row = HistoryLog(history_store).verifications()[0]
    assert row["report_text"] is None and row["report_sha256"] == sha256_text(result.report)
    assert all(i["evidence"] == "" and i["message"] == "" for i in row["issues"])
    without_canonical_findings = row | {"issues": [i | {"finding": None} for i in row["issues"]]}
    assert "pneumothorax" not in json.dumps(without_canonical_findings).lower()


@pytest.mark.parametrize("statement", [
    "UPDATE verifications SET verdict = 'consistent'",
    "DELETE FROM verifications",
    "UPDATE verification_issues SET severity = 'info'",
    "DELETE FROM verification_issues",
    "DELETE FROM issue_feedback",
])  # fmt: skip
def test_history_is_append_only_even_for_the_owner(history_store, statement: str) -> None:
    log = HistoryLog(history_store)
    vid = log.record(_result(), HistoryContext(), image_sha256=None, archive_size=3)
    log.feedback(vid, 0, "useful", who="a")
    with psycopg.connect(history_store._conninfo, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(statement)
    assert log.verifications()[0]["verdict"] == "needs_review"


def test_feedback_lands_on_the_right_issue_and_the_latest_rating_counts(history_store) -> None:
    log = HistoryLog(history_store)
    vid = log.record(_result(kinds=("a_kind", "b_kind")), HistoryContext(), image_sha256="ab" * 32,
                     archive_size=None)
    log.feedback(vid, 1, "wrong", who="dr.a", comment="first thought")
    log.feedback(vid, 1, "useful", who="dr.a")  # changes her mind: supersedes
    log.feedback(vid, 1, "not_useful", who="dr.b", comment="nitpick")
    rows = log.issue_ratings()
    by_issue = {(r["issue_index"], r["rated_by"]): r["rating"] for r in rows}
    assert by_issue == {(0, None): None, (1, "dr.a"): "useful", (1, "dr.b"): "not_useful"}


def test_feedback_refuses_bad_input_and_unknown_issues(history_store) -> None:
    log = HistoryLog(history_store)
    vid = log.record(_result(), HistoryContext(), image_sha256=None, archive_size=None)
    with pytest.raises(InputError, match="rating"):
        log.feedback(vid, 0, "meh", who="a")
    with pytest.raises(InputError, match="verification id"):
        log.feedback("not-a-uuid", 0, "useful", who="a")
    with pytest.raises(InputError, match="at most"):
        log.feedback(vid, 0, "useful", who="a", comment="x" * 5000)
    with pytest.raises(InputError) as info:  # there is no issue 7
        log.feedback(vid, 7, "useful", who="a")
    assert info.value.code == "unknown_issue"
    with pytest.raises(InputError, match="no such issue"):
        log.feedback("00000000-0000-4000-8000-000000000000", 0, "useful", who="a")
    assert [r["rating"] for r in log.issue_ratings()] == [None]


def test_precision_per_kind_from_known_ratings() -> None:
    def rating(vid: str, idx: int, kind: str, value: str | None, who: str | None = "r") -> dict:
        return {"verification_id": vid, "issue_index": idx, "created_at": "2026-11-01T10:00:00+00:00",
                "kind": kind, "severity": "warning", "finding": None, "section": None, "evidence": "e",
                "rating": value, "comment": "", "rated_by": who if value else None,
                "rated_at": "2026-11-02T10:00:00+00:00" if value else None}

    rows = [
        rating("v1", 0, "omission", "useful"), rating("v1", 0, "omission", "wrong", who="s"),
        rating("v2", 0, "omission", "useful"), rating("v3", 0, "omission", None),
        rating("v3", 1, "laterality", "not_useful"), rating("v4", 0, "placeholder", None),
    ]
    table = precision_by_kind(ratings_frame(rows)).set_index("kind")
    # omission: 3 issues raised, 3 ratings (2 useful, 1 wrong) -> 2/3
    assert table.loc["omission", ["flags", "rated", "useful", "wrong"]].tolist() == [3, 3, 2, 1]
    assert table.loc["omission", "precision"] == pytest.approx(2 / 3)
    assert table.loc["laterality", "precision"] == 0.0
    assert table.loc["placeholder", "flags"] == 1 and math.isnan(table.loc["placeholder", "precision"])
    wrong = latest_wrong(ratings_frame(rows))
    assert wrong["kind"].tolist() == ["omission"] and wrong["rated_by"].tolist() == ["s"]


def test_daily_counts_and_share_flagged(history_store) -> None:
    log = HistoryLog(history_store)
    for verdict in ("consistent", "needs_review", "inconsistent", "consistent"):
        log.record(_result(verdict=verdict), HistoryContext(), image_sha256=None, archive_size=None)
    frame = daily_frame(log.daily())
    assert frame["verifications"].tolist() == [4] and frame["flagged"].tolist() == [2]
    assert frame["share_flagged"].tolist() == [0.5]


def _age(store: PostgresStore, vid: str, days: int) -> None:
    """Back-date one verification (test setup: re-inserted with an old time, the only way past the trigger)."""
    with psycopg.connect(store._conninfo, autocommit=True) as conn:
        conn.execute("ALTER TABLE verifications DISABLE TRIGGER verifications_append_only")
        try:
            conn.execute("UPDATE verifications SET created_at = now() - make_interval(days => %s)"
                         " WHERE verification_id = %s", (days, vid))
        finally:
            conn.execute("ALTER TABLE verifications ENABLE TRIGGER verifications_append_only")


def test_retention_removes_exactly_the_old_rows_with_their_issues_and_feedback(history_store) -> None:
    log = HistoryLog(history_store)
    ids = {age: log.record(_result(), HistoryContext(), image_sha256=None, archive_size=None)
           for age in (1, 29, 31, 90)}
    for age, vid in ids.items():
        log.feedback(vid, 0, "useful", who="a")
        _age(history_store, vid, age)
    assert log.prune(older_than_days=30) == 2
    assert {r["verification_id"] for r in log.verifications()} == {ids[1], ids[29]}
    with psycopg.connect(history_store._conninfo) as conn:
        left = conn.execute("SELECT count(*) FROM issue_feedback").fetchone()[0]
        issues = conn.execute("SELECT count(*) FROM verification_issues").fetchone()[0]
    assert (left, issues) == (2, 2)
    assert log.prune(older_than_days=30) == 0


def test_paging_and_filters(history_store) -> None:
    log = HistoryLog(history_store)
    for n in range(7):
        kinds = ("laterality_conflict",) if n % 2 else ("placeholder",)
        log.record(_result(verdict="inconsistent" if n % 2 else "needs_review", kinds=kinds), HistoryContext(),
                   image_sha256=None, archive_size=n)
    assert len(log.verifications(limit=3)) == 3 and len(log.verifications(limit=3, offset=6)) == 1
    assert {r["archive_size"] for r in log.verifications(kind="laterality_conflict")} == {1, 3, 5}
    assert {r["archive_size"] for r in log.verifications(verdict="needs_review")} == {0, 2, 4, 6}
    assert log.verifications(since=datetime.now(UTC) + timedelta(hours=1)) == []
    assert sum(1 for _ in log.iter_all(page=2)) == 7


def test_export_csv_and_jsonl(history_store) -> None:
    log = HistoryLog(history_store)
    log.record(_result(kinds=("a", "b")), HistoryContext(who="x"), image_sha256=None, archive_size=None)
    out = io.StringIO()
    assert export_history(log, out, fmt="csv") == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("verification_id,created_at,who") and ",a;b," in lines[1]
    out = io.StringIO()
    assert export_history(log, out, fmt="jsonl") == 1
    assert [i["kind"] for i in json.loads(out.getvalue())["issues"]] == ["a", "b"]


def test_a_store_that_cannot_record_leaves_a_notice_not_an_error(tmp_path) -> None:
    result = record_verification(None, _result(), HistoryContext(), image_sha256=None, archive_size=None)
    assert result.verification_id is None
    assert result.notices == [NOTICE_NOT_RECORDED.format(reason="the case database is not available.")]

    class Broken:
        def call_function(self, name: str, params: dict) -> None:
            raise StoreError("The case database went away.")

    result = record_verification(Broken(), _result(), HistoryContext(), image_sha256=None, archive_size=None)
    assert result.verification_id is None and "went away" in result.notices[-1]


def test_supabase_anon_key_records_and_rates_but_cannot_read(history_store, fake_supabase: FakeSupabase) -> None:
    anon = HistoryLog(SupabaseStore(fake_supabase.url, fake_supabase.anon_key))
    vid = anon.record(_result(), HistoryContext(who="web"), image_sha256=None, archive_size=1)
    anon.feedback(vid, 0, "wrong", who="web", comment="not there")
    for read in (anon.verifications, anon.issue_ratings, anon.daily):
        with pytest.raises(StoreError) as info:
            read()
        assert info.value.code == "permission_denied"
    with pytest.raises(StoreError):
        anon.prune(older_than_days=0)
    service = HistoryLog(SupabaseStore(fake_supabase.url, fake_supabase.service_key))
    rows = service.verifications()
    assert [r["verification_id"] for r in rows] == [vid] and rows[0]["who"] == "web"
    assert [(r["rating"], r["comment"]) for r in service.issue_ratings()] == [("wrong", "not there")]
    assert service.prune(older_than_days=0) == 1
    assert service.verifications() == []


def test_settings_read_the_history_switches(monkeypatch) -> None:
    monkeypatch.setenv("MEDRAG_HISTORY_TEXT", "false")
    monkeypatch.setenv("MEDRAG_HISTORY_DAYS", "30")
    settings = Settings.load(secrets_path=None)
    assert settings.history_text is False and settings.history_days == 30 and settings.history is True


@pytest.mark.parametrize("role", ["anon", "authenticated"])
@pytest.mark.parametrize("statement", [
    "SELECT * FROM verifications",
    "SELECT * FROM issue_feedback",
    "INSERT INTO verifications (verification_id, who, entry_point, report_sha256, verdict, check_status, verifier)"
    " VALUES (gen_random_uuid(), 'x', 'app', 'h', 'consistent', 'checked', 'offline')",
    "INSERT INTO issue_feedback (verification_id, issue_index, rating, who)"
    " VALUES (gen_random_uuid(), 0, 'useful', 'x')",
    "SELECT history_list()",
    "SELECT history_prune(now())",
])  # fmt: skip
def test_app_roles_have_no_direct_access_to_the_history(history_store, role: str, statement: str) -> None:
    with psycopg.connect(history_store._conninfo, autocommit=True) as conn:
        conn.execute(f"SET ROLE {role}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
