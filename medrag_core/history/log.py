"""The verification history: record each verification and the feedback on its issues; read them back.

Everything goes through the jsonb SQL functions of ``sql/010_history.sql`` (``history_record``,
``history_feedback``, ``history_list``, ...), which both stores call the same way
(``call_function``): the embedded/any Postgres directly, Supabase through PostgREST's ``/rpc``. The
tables are append-only; ``prune`` (the retention job) is the one way rows leave.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, TextIO, get_args

from medrag_core.errors import InputError, MedragError
from medrag_core.models import VerificationResult
from medrag_core.store import SqlFunctions

log = logging.getLogger(__name__)

Rating = Literal["useful", "not_useful", "wrong"]
EntryPoint = Literal["app", "api", "cli"]
RATINGS: tuple[str, ...] = get_args(Rating)
MAX_COMMENT_CHARS = 2000
NOTICE_NOT_RECORDED = "This verification was not recorded in the history: {reason}"


@dataclass(frozen=True)
class HistoryContext:
    """Who asked, and through which entry point: what ``verify`` needs to record a verification."""

    who: str = "local"
    entry_point: EntryPoint = "app"
    keep_text: bool = True


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


class HistoryLog:
    """The history kept in one store."""

    def __init__(self, store: SqlFunctions) -> None:
        self.store = store

    def _call(self, name: str, **params: Any) -> Any:
        return self.store.call_function(name, {k: _json_safe(v) for k, v in params.items()})

    def record(
        self,
        result: VerificationResult,
        context: HistoryContext,
        *,
        image_sha256: str | None,
        archive_size: int | None,
    ) -> str:
        """Append one verification and its issues; returns its id (a UUID made here, so a retry cannot duplicate)."""
        verification_id = str(uuid.uuid4())
        row = {
            "verification_id": verification_id,
            "who": context.who or "local",
            "entry_point": context.entry_point,
            "image_sha256": image_sha256,
            "report_sha256": sha256_text(result.report),
            "report_text": result.report if context.keep_text else None,
            "verdict": result.verdict,
            "check_status": result.check_status,
            "verifier": result.verifier,
            "verifier_fallback": result.verifier_fallback,
            "embed_model": result.embed_model,
            "archive_size": archive_size,
            "timings_ms": {k: round(float(v), 3) for k, v in result.timings_ms.items()},
            "notices": list(result.notices),
        }
        issues = [
            {
                "issue_index": n, "kind": i.kind, "severity": i.severity, "origin": i.origin,
                "finding": i.finding, "section": i.section,
                # messages and evidence quote the report: kept with the text, dropped without it
                "message": i.message if context.keep_text else "",
                "evidence": i.evidence if context.keep_text else "",
            }
            for n, i in enumerate(result.issues)
        ]  # fmt: skip
        self._call("history_record", p_verification=row, p_issues=issues)
        return verification_id

    def feedback(self, verification_id: str, issue_index: int, rating: str, *, who: str, comment: str = "") -> None:
        """Rate one issue of a recorded verification. ``InputError``: bad rating/id/comment, or no such issue."""
        if rating not in RATINGS:
            raise InputError(f"A rating is one of {', '.join(RATINGS)}.", code="bad_rating")
        try:
            verification_id = str(uuid.UUID(str(verification_id)))
        except ValueError:
            raise InputError("That is not a verification id.", code="bad_verification_id") from None
        if not isinstance(issue_index, int) or issue_index < 0:
            raise InputError("The issue number must be 0 or more.", code="bad_issue_index")
        if len(comment) > MAX_COMMENT_CHARS:
            raise InputError(f"A comment is at most {MAX_COMMENT_CHARS} characters.", code="comment_too_long")
        found = self._call("history_feedback", p_verification_id=verification_id, p_issue_index=issue_index,
                           p_rating=rating, p_comment=comment.replace("\x00", ""), p_who=who or "local")
        if found is not True:
            raise InputError("There is no such issue in the history (unknown verification or issue number).",
                             code="unknown_issue")

    def verifications(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        verdict: str | None = None,
        kind: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Verifications newest first, each with its ``issues``; at most 1000 per page."""
        return list(self._call("history_list", p_since=since, p_until=until, p_verdict=verdict, p_kind=kind,
                               p_limit=limit, p_offset=offset) or [])

    def issue_ratings(self, *, since: datetime | None = None) -> list[dict[str, Any]]:
        """Every issue (one row per issue and rater; unrated issues once, rating ``None``)."""
        return list(self._call("history_issue_ratings", p_since=since) or [])

    def daily(self, *, since: datetime | None = None) -> list[dict[str, Any]]:
        """Per UTC day: ``verifications`` and ``flagged`` (verdict other than consistent)."""
        return list(self._call("history_daily", p_since=since) or [])

    def prune(self, *, older_than_days: int, now: datetime | None = None) -> int:
        """The retention job: delete verifications older than ``older_than_days`` (with their issues, feedback)."""
        if older_than_days < 0:
            raise InputError("The retention period cannot be negative.", code="bad_retention")
        before = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
        return int(self._call("history_prune", p_before=before) or 0)

    def iter_all(self, *, since: datetime | None = None, page: int = 500) -> Iterator[dict[str, Any]]:
        """Every verification since ``since``, page by page (newest first)."""
        offset = 0
        while True:
            rows = self.verifications(since=since, limit=page, offset=offset)
            yield from rows
            if len(rows) < page:
                return
            offset += page


EXPORT_COLUMNS = (
    "verification_id", "created_at", "who", "entry_point", "verdict", "check_status", "verifier",
    "verifier_fallback", "embed_model", "archive_size", "image_sha256", "report_sha256", "issue_kinds",
    "report_text",
)  # fmt: skip


def export_history(history: HistoryLog, out: TextIO, *, fmt: Literal["csv", "jsonl"], since: datetime | None = None
                   ) -> int:
    """Write the history as CSV (one row per verification, issue kinds joined) or JSONL (full rows); returns rows."""
    n = 0
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, extrasaction="ignore") if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    for row in history.iter_all(since=since):
        if writer is not None:
            writer.writerow(row | {"issue_kinds": ";".join(i["kind"] for i in row.get("issues", [])),
                                   "timings_ms": json.dumps(row.get("timings_ms", {}))})
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


def record_verification(
    store: SqlFunctions | None,
    result: VerificationResult,
    context: HistoryContext,
    *,
    image_sha256: str | None,
    archive_size: int | None,
) -> VerificationResult:
    """Record ``result`` and set its ``verification_id``; when that fails, say so in a notice (never raise).

    A history that cannot be written must not cost the radiologist the result itself.
    """
    if store is None:
        result.notices.append(NOTICE_NOT_RECORDED.format(reason="the case database is not available."))
        return result
    try:
        result.verification_id = HistoryLog(store).record(
            result, context, image_sha256=image_sha256, archive_size=archive_size
        )
    except MedragError as exc:
        log.warning("verification not recorded in the history: %s", exc.code)
        result.notices.append(NOTICE_NOT_RECORDED.format(reason=exc.user_message))
    return result
