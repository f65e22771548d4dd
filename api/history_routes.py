"""``GET /api/verifications`` (the history, paged and filtered) and ``POST /api/verifications/{id}/feedback``.

Reading the history needs an API key to be configured (it holds report text): without
``MEDRAG_API_KEY`` the route answers 403 rather than serving the audit trail to anyone. Feedback
follows the same key rule as the other routes.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, BeforeValidator, Field

from medrag_core import errors
from medrag_core.history import MAX_COMMENT_CHARS, HistoryLog
from medrag_core.services import Services

from .errors import Forbidden, NotFound


class FeedbackRequest(BaseModel):
    issue_index: int = Field(ge=0, le=10_000, description="0-based, in the order of the verify response's `issues`")
    rating: Literal["useful", "not_useful", "wrong"]
    comment: str = Field("", max_length=MAX_COMMENT_CHARS)
    who: str = Field("api", max_length=200, description="Who rates (shown in the Quality tab)")


class FeedbackResponse(BaseModel):
    saved: bool


class VerificationPage(BaseModel):
    items: list[dict[str, Any]]
    limit: int
    offset: int


class HistoryNotAvailable(Forbidden):
    code = "history_needs_key"


class UnknownIssue(NotFound):
    code = "unknown_issue"


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day_only(value: object) -> object:
    """Refuse anything but ``YYYY-MM-DD``: pydantic would otherwise read ``0`` or ``0.0`` as a Unix time
    (1970-01-01) and a mistyped day would silently filter the history instead of answering 422."""
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


IsoDay = Annotated[date, BeforeValidator(_iso_day_only)]


def _day(value: date | None, *, end: bool = False) -> datetime | None:
    """The start of ``value`` (UTC), or with ``end`` the start of the next day (``until`` includes its day)."""
    if value is None:
        return None
    return datetime.combine(value + timedelta(days=1) if end else value, time.min, tzinfo=UTC)


def history_router(resources: Services, key_configured: bool, responses: dict[int | str, dict[str, Any]]
                   ) -> APIRouter:
    """The history routes; the API key is checked before them by the app's key gate, like every route."""
    router = APIRouter()

    @router.get("/api/verifications", response_model=VerificationPage, responses=responses)
    def list_verifications(
        since: IsoDay | None = Query(None, description="from this UTC day on"),
        until: IsoDay | None = Query(None, description="up to and including this UTC day"),
        verdict: Literal["consistent", "needs_review", "inconsistent", "not_checked"] | None = None,
        kind: str | None = Query(None, max_length=100, pattern=r"^[a-z_]+$", description="an issue kind"),
        limit: int = Query(50, ge=1, le=1000),
        offset: int = Query(0, ge=0, le=10_000_000),
    ) -> VerificationPage:
        if not key_configured:
            raise HistoryNotAvailable("Reading the history through the API needs MEDRAG_API_KEY to be set.")
        items = HistoryLog(resources.store()).verifications(
            since=_day(since), until=_day(until, end=True), verdict=verdict, kind=kind, limit=limit, offset=offset
        )  # type: ignore[arg-type]
        return VerificationPage(items=items, limit=limit, offset=offset)

    @router.post("/api/verifications/{verification_id}/feedback", response_model=FeedbackResponse,
                 responses=responses)
    def feedback(verification_id: str, body: FeedbackRequest) -> FeedbackResponse:
        try:
            HistoryLog(resources.store()).feedback(  # type: ignore[arg-type]
                verification_id, body.issue_index, body.rating, who=body.who, comment=body.comment
            )
        except errors.InputError as exc:
            if exc.code in ("unknown_issue", "bad_verification_id"):  # a 404 that does not echo the id
                raise UnknownIssue("There is no such verification or issue.") from None
            raise
        return FeedbackResponse(saved=True)

    return router
