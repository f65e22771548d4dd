"""``python -m etl prune-history`` (the retention job) and ``python -m etl export-history``."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, TextIO

from medrag_core.errors import ConfigError
from medrag_core.history import HistoryLog, export_history
from medrag_core.services import build_store
from medrag_core.settings import Settings


def prune_history(settings: Settings, days: int | None, *, out: TextIO) -> int:
    """Remove verifications older than ``days`` (default ``MEDRAG_HISTORY_DAYS``) with their issues and feedback."""
    days = settings.history_days if days is None else days
    if days is None:
        raise ConfigError("No retention period: pass --days N or set MEDRAG_HISTORY_DAYS.", code="no_retention")
    store = build_store(settings)
    try:
        removed = HistoryLog(store).prune(older_than_days=days)
    finally:
        store.close()
    print(f"removed {removed} verification{'s' if removed != 1 else ''} older than {days} days", file=out)
    return 0


def export_history_command(settings: Settings, fmt: Literal["csv", "jsonl"], output: str, since: str | None, *,
                           out: TextIO) -> int:
    """Write the history to ``output`` ('-' = stdout) as CSV or JSONL; ``since`` is an ISO date."""
    try:
        start = datetime.fromisoformat(since).replace(tzinfo=UTC) if since else None
    except ValueError:
        raise ConfigError(f"--since takes a date like 2026-11-30, not {since!r}.", code="bad_date") from None
    store = build_store(settings)
    try:
        log = HistoryLog(store)
        if output == "-":
            n = export_history(log, sys.stdout, fmt=fmt, since=start)
        else:
            with Path(output).open("w", encoding="utf-8", newline="") as fh:
                n = export_history(log, fh, fmt=fmt, since=start)
    finally:
        store.close()
    print(f"exported {n} verification{'s' if n != 1 else ''}" + ("" if output == "-" else f" to {output}"),
          file=sys.stderr if output == "-" else out)
    return 0
