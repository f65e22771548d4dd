"""The verification history (an append-only audit trail) and feedback on each flag, with quality figures."""

from medrag_core.history.log import (
    MAX_COMMENT_CHARS,
    NOTICE_NOT_RECORDED,
    RATINGS,
    EntryPoint,
    HistoryContext,
    HistoryLog,
    Rating,
    export_history,
    record_verification,
    sha256_text,
)
from medrag_core.history.quality import daily_frame, latest_wrong, precision_by_kind, ratings_frame

__all__ = [
    "MAX_COMMENT_CHARS",
    "NOTICE_NOT_RECORDED",
    "RATINGS",
    "EntryPoint",
    "HistoryContext",
    "HistoryLog",
    "Rating",
    "daily_frame",
    "export_history",
    "latest_wrong",
    "precision_by_kind",
    "ratings_frame",
    "record_verification",
    "sha256_text",
]
