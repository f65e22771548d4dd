"""What an ingest reports: a live ``IngestProgress`` after every batch and a final ``IngestReport``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IngestProgress:
    """A snapshot passed to ``on_progress`` after each committed batch (safe to keep).

    ``seen``: records of this shard read in this run; ``written``: cases written; ``skipped``: already
    ingested (earlier run or same model); ``empty``: neither image nor text; ``errors``: cases that
    failed (bad image, embedding failure); ``duplicates``: records whose case id repeats an earlier
    one in the same batch (the same image listed twice: the last wins). ``total_hint``: about how
    many records this shard has, when the source can tell cheaply, else None. ``rate``: cases written per second.
    """

    seen: int
    written: int
    skipped: int
    empty: int
    errors: int
    elapsed_s: float
    total_hint: int | None = None
    duplicates: int = 0

    @property
    def rate(self) -> float:
        return self.written / self.elapsed_s if self.elapsed_s > 0 else 0.0


@dataclass
class IngestReport:
    """The outcome of ``run_ingest``. ``error_codes`` counts errors by code (e.g. ``image_truncated``).
    ``finished``: the source (up to ``limit``) was read to the end; false when cancelled.
    ``embed_model``: the model that embedded the written cases, when known; ``without_embeddings``:
    no model was available, the cases were stored without embeddings for ``etl embed`` to fill."""

    source: str
    shard: tuple[int, int]
    seen: int = 0
    written: int = 0
    skipped: int = 0
    empty: int = 0
    errors: int = 0
    duplicates: int = 0
    elapsed_s: float = 0.0
    cancelled: bool = False
    finished: bool = False
    error_codes: Counter = field(default_factory=Counter)
    embed_model: str | None = None
    without_embeddings: bool = False

    @property
    def rate(self) -> float:
        """Cases written per second of wall time."""
        return self.written / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def progress(self, total_hint: int | None = None) -> IngestProgress:
        return IngestProgress(self.seen, self.written, self.skipped, self.empty, self.errors, self.elapsed_s,
                              total_hint, self.duplicates)

    def summary(self) -> str:
        state = "cancelled" if self.cancelled else ("finished" if self.finished else "stopped at --limit")
        codes = ", ".join(f"{code} {n}" for code, n in self.error_codes.most_common())
        return (
            f"{self.source} shard {self.shard[0]}/{self.shard[1]}: {state}. seen {self.seen}, "
            f"written {self.written}, skipped {self.skipped}, empty {self.empty}, errors {self.errors}"
            + (f", duplicate ids {self.duplicates}" if self.duplicates else "")
            + (f" ({codes})" if codes else "")
            + f"; {self.elapsed_s:.1f} s, {self.rate:.1f} cases/s"
            + ("; stored without embeddings (no model)" if self.without_embeddings else "")
        )
