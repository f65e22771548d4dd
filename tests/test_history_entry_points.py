"""Each entry point records a verification once, and feedback lands on the right issue:
the Verify page and the Quality tab (AppTest), the REST API, the verify CLI and the ETL history commands."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from medrag_core.history import HistoryContext, HistoryLog
from medrag_core.llm import OfflineVerifier, make_verifier
from medrag_core.models import Issue, VerificationResult
from tests.fixtures.images import make_png, phantom
from tests.page_helpers import (
    BAD_REPORT,
    all_text,
    app_env,  # noqa: F401 - fixture
    app_test,
    ingest_archive,
    query_png,
)

REPO = Path(__file__).resolve().parents[1]
REPORT = "FINDINGS: Large right pneumothorax. IMPRESSION: No acute cardiopulmonary process."


def _clear_history(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("TRUNCATE verifications, verification_issues, issue_feedback")


@pytest.fixture
def empty_history(store) -> HistoryLog:
    _clear_history(store._conninfo)
    return HistoryLog(store)


# -- REST API --------------------------------------------------------------------------------------


@pytest.fixture
def api(pg_settings, tiny_siglip_dir, store, tiny_embedder, empty_history):
    def make(api_key: str | None = "k3y") -> TestClient:
        settings = pg_settings.model_copy(update={"embed_model": str(tiny_siglip_dir), "llm_backend": "offline",
                                                  "api_key": SecretStr(api_key) if api_key else None})
        app = create_app(settings, store=store, embedder=tiny_embedder, verifier=make_verifier(settings))
        return TestClient(app, headers={"X-API-Key": api_key} if api_key else {})

    return make


def test_api_verify_is_recorded_once_and_rated(api, empty_history) -> None:
    client = api()
    response = client.post("/api/verify-report", files={"image": ("x.png", make_png(phantom()), "image/png")},
                           data={"report_text": REPORT})
    assert response.status_code == 200, response.text
    body = response.json()
    vid = body["verification_id"]
    rows = empty_history.verifications()
    assert [(r["verification_id"], r["entry_point"], r["who"]) for r in rows] == [(vid, "api", "api")]
    assert body["issues"], "the report should raise issues to rate"
    last = len(body["issues"]) - 1
    rated = client.post(f"/api/verifications/{vid}/feedback",
                        json={"issue_index": last, "rating": "wrong", "comment": "seen", "who": "dr.api"})
    assert rated.status_code == 200 and rated.json() == {"saved": True}
    ratings = {(r["issue_index"], r["rating"]) for r in empty_history.issue_ratings() if r["rating"]}
    assert ratings == {(last, "wrong")}
    listed = client.get("/api/verifications", params={"limit": 5}).json()
    assert [i["verification_id"] for i in listed["items"]] == [vid]
    assert client.get("/api/verifications", params={"verdict": "consistent"}).json()["items"] == []


def test_api_history_errors(api, empty_history) -> None:
    client = api()
    unknown = client.post("/api/verifications/00000000-0000-4000-8000-000000000000/feedback",
                          json={"issue_index": 0, "rating": "useful"})
    assert unknown.status_code == 404 and "00000000" not in unknown.text
    assert client.post("/api/verifications/not-an-id/feedback",
                       json={"issue_index": 0, "rating": "useful"}).status_code == 404
    bad = client.post("/api/verifications/00000000-0000-4000-8000-000000000000/feedback",
                      json={"issue_index": 0, "rating": "meh"})
    assert bad.status_code == 422
    assert TestClient(client.app).get("/api/verifications").status_code == 401  # no key sent
    open_api = api(api_key=None)
    refused = open_api.get("/api/verifications")
    assert refused.status_code == 403 and "MEDRAG_API_KEY" in refused.text



def test_api_history_days_are_iso_only(api, empty_history) -> None:
    """``since``/``until`` take ``YYYY-MM-DD`` alone: a number once read as a Unix time (``until=0.0`` was
    1970-01-01, a silently empty page) and is now a 422, as its OpenAPI type (a date string) says."""
    client = api()
    response = client.post("/api/verify-report", files={"image": ("x.png", make_png(phantom()), "image/png")},
                           data={"report_text": REPORT})
    vid = response.json()["verification_id"]
    today = datetime.now(UTC).date()

    def listed(**params: str) -> list[str]:
        answer = client.get("/api/verifications", params=params)
        assert answer.status_code == 200, answer.text
        return [item["verification_id"] for item in answer.json()["items"]]
    assert listed(since=today.isoformat(), until=today.isoformat()) == [vid]
    assert listed(until=(today - timedelta(days=1)).isoformat()) == []
    assert listed(since=(today + timedelta(days=1)).isoformat()) == []
    for bad in ("0", "0.0", "1700000000", "20240101", "2024-1-1", "2024-02-30", "yesterday", ""):
        for name in ("since", "until"):
            refused = client.get("/api/verifications", params={name: bad})
            assert refused.status_code == 422, (name, bad, refused.text)
            assert refused.json()["error"], refused.text


# -- verify CLI ---------------------------------------------------------------------------------------


def test_cli_records_unless_no_history(store, tiny_siglip_dir, pg_conninfo, tmp_path, empty_history) -> None:
    image, report = tmp_path / "x.png", tmp_path / "r.txt"
    image.write_bytes(make_png(phantom()))
    report.write_text(REPORT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDRAG_")}
    env.update(PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", MEDRAG_DATABASE_URL=pg_conninfo,
               MEDRAG_EMBED_MODEL=str(tiny_siglip_dir), MEDRAG_DEVICE="cpu", MEDRAG_DATA_DIR=str(tmp_path / "d"))

    def run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "medrag_core", "verify", "--image", str(image),
                               "--report-file", str(report), "--json", *extra],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    first = run()
    assert first.returncode == 0, first.stderr
    vid = json.loads(first.stdout)["verification_id"]
    second = run("--no-history")
    assert second.returncode == 0 and json.loads(second.stdout)["verification_id"] is None
    assert [(r["verification_id"], r["entry_point"]) for r in empty_history.verifications()] == [(vid, "cli")]


# -- ETL history commands ---------------------------------------------------------------------------


def _etl(pg_conninfo: str, tmp_path: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDRAG_")}
    env.update(PYTHONPATH=str(REPO), MEDRAG_DATABASE_URL=pg_conninfo, MEDRAG_DATA_DIR=str(tmp_path / "d"),
               **env_extra)
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)


def _record(log: HistoryLog, who: str) -> str:
    result = VerificationResult(verdict="needs_review", report=REPORT, suggested_report=REPORT,
                                issues=[Issue(kind="placeholder", severity="error", message="m")])
    return log.record(result, HistoryContext(who=who), image_sha256=None, archive_size=None)


def test_etl_export_and_prune_history(pg_conninfo, tmp_path, empty_history) -> None:
    kept, old = _record(empty_history, "a"), _record(empty_history, "b")
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:  # back-date one row (test setup only)
        conn.execute("ALTER TABLE verifications DISABLE TRIGGER verifications_append_only")
        conn.execute("UPDATE verifications SET created_at = now() - interval '40 days' WHERE verification_id = %s",
                     (old,))
        conn.execute("ALTER TABLE verifications ENABLE TRIGGER verifications_append_only")
    exported = _etl(pg_conninfo, tmp_path, "export-history", "--format", "csv")
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert {r["verification_id"] for r in rows} == {kept, old} and {r["issue_kinds"] for r in rows} == {"placeholder"}
    no_days = _etl(pg_conninfo, tmp_path, "prune-history")
    assert no_days.returncode == 2 and "MEDRAG_HISTORY_DAYS" in no_days.stderr
    pruned = _etl(pg_conninfo, tmp_path, "prune-history", MEDRAG_HISTORY_DAYS="30")
    assert pruned.returncode == 0 and "removed 1 verification older than 30 days" in pruned.stdout
    assert [r["verification_id"] for r in empty_history.verifications()] == [kept]
    out = tmp_path / "h.jsonl"
    assert _etl(pg_conninfo, tmp_path, "export-history", "--format", "jsonl", "-o", str(out)).returncode == 0
    assert [json.loads(line)["who"] for line in out.read_text().splitlines()] == ["a"]


# -- Verify page and Quality tab (AppTest) -------------------------------------------------------------


def test_verify_page_records_and_rates_a_flag(app_env, tmp_path, pg_settings, tiny_embedder) -> None:  # noqa: F811
    _clear_history(app_env._conninfo)
    ingest_archive(tmp_path, pg_settings, app_env, tiny_embedder)
    at = app_test("pages/verify.py").run()
    at.file_uploader(key="image").set_value(("x.png", query_png(), "image/png")).run()
    at.text_area(key="report_text").set_value(BAD_REPORT).run()
    at.button(key="verify").click().run()
    assert not at.exception, at.exception
    log = HistoryLog(app_env)
    rows = log.verifications()
    assert [(r["entry_point"], r["who"]) for r in rows] == [("app", "local")]
    vid, issues = rows[0]["verification_id"], rows[0]["issues"]
    # The form lists issues in the table's order (#1 = most severe); rate #1 "wrong" with a comment.
    at.radio(key=f"rating_{vid}_1").set_value("wrong")
    at.text_input(key=f"comment_{vid}_1").set_value("both sides are described")
    at.button[[b.label for b in at.button].index("Save ratings")].click().run()
    assert not at.exception, at.exception
    assert "Saved 1 rating" in all_text(at)
    rated = [r for r in log.issue_ratings() if r["rating"]]
    assert len(rated) == 1 and rated[0]["rating"] == "wrong" and rated[0]["comment"] == "both sides are described"
    severities = {"error": 0, "warning": 1, "info": 2}
    most_severe = min(issues, key=lambda i: (severities[i["severity"]], i["issue_index"]))
    assert rated[0]["issue_index"] == most_severe["issue_index"] and rated[0]["kind"] == most_severe["kind"]


def test_quality_tab_shows_precision_per_kind(app_env, monkeypatch) -> None:  # noqa: F811
    _clear_history(app_env._conninfo)
    log = HistoryLog(app_env)
    for rating in ("useful", "useful", "wrong"):
        vid = _record(log, "x")
        log.feedback(vid, 0, rating, who="r", comment="not a placeholder" if rating == "wrong" else "")
    monkeypatch.setenv("MEDRAG_ADMIN_PASSWORD", "pw")
    at = app_test("pages/admin.py").run()
    at.text_input(key="admin_password").set_value("pw")
    at.button(key="admin_unlock").click().run()
    assert not at.exception, at.exception
    table = next(df.value for df in at.dataframe if "precision" in df.value.columns)
    row = table.set_index("kind").loc["placeholder"]
    assert (int(row["flags"]), int(row["rated"]), int(row["wrong"])) == (3, 3, 1)
    assert row["precision"] == pytest.approx(2 / 3)
    wrong = next(df.value for df in at.dataframe if "comment" in df.value.columns)
    assert wrong["comment"].tolist() == ["not a placeholder"]
    assert "Verifications per day" in json.dumps([c.proto.spec for c in at.get("plotly_chart")])


def test_verify_with_offline_verifier_records_the_verifier(store, tiny_embedder, pg_settings, empty_history) -> None:
    from medrag_core.workflow import verify

    verify(make_png(phantom()), REPORT, pg_settings, store=store, embedder=tiny_embedder, verifier=OfflineVerifier(),
           history=HistoryContext(entry_point="api", who="x"))
    assert [r["verifier"] for r in empty_history.verifications()] == ["offline"]
