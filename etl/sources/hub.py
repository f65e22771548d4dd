"""A Hugging Face hub dataset id, streamed with ``datasets`` (never downloaded whole)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from medrag_core.errors import MissingDependency, SourceError

from .base import SourceRecord
from .hf_schema import rows_to_items

_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class HubSource:
    """``dataset_id`` like ``itsanmolgupta/mimic-cxr-dataset``; ``split`` default ``train``.

    ``token`` (from ``HF_TOKEN``) is needed for gated sets; it is never shown in a repr or a message.
    """

    dataset_id: str
    split: str = "train"
    config: str | None = None
    source_name: str | None = None
    token: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, dataset_id: str, options: dict[str, str], *, token: str | None = None) -> HubSource:
        if not _REPO_ID.match(dataset_id):
            raise SourceError(
                f"'{dataset_id}' is not a Hugging Face dataset id (expected owner/name, "
                "e.g. itsanmolgupta/mimic-cxr-dataset) nor an existing local path."
            )
        return cls(dataset_id=dataset_id, split=options.get("split") or "train",
                   config=options.get("config") or None, source_name=options.get("source") or None,
                   token=token)

    @property
    def name(self) -> str:
        return self.source_name or self.dataset_id

    @property
    def key(self) -> str:
        return f"hf:{self.dataset_id}" + (f",config={self.config}" if self.config else "") + f",split={self.split}"

    def size_hint(self) -> int | None:
        return None  # asking the hub would cost a request before the stream starts

    def items(self) -> Iterator[SourceRecord]:
        return rows_to_items(self._rows(), source=self.name, use_row_source=self.source_name is None)

    def _unreachable(self, exc: BaseException) -> SourceError:
        return SourceError(
            f"Could not stream the Hugging Face dataset '{self.dataset_id}' (split '{self.split}'): "
            f"{type(exc).__name__}. The hub may be unreachable from here, the id wrong, or the set gated "
            "(set HF_TOKEN). Offline, download its parquet files elsewhere and ingest the local path: "
            "python -m etl ingest path/to/data.parquet"
        )

    def _rows(self) -> Iterator[dict]:
        try:
            import datasets
        except ImportError:
            raise MissingDependency("datasets", "Ingesting a Hugging Face dataset id") from None
        try:
            ds = datasets.load_dataset(self.dataset_id, self.config, split=self.split, streaming=True,
                                       token=self.token)
            if ds.features is not None and "image" in ds.features:
                ds = ds.cast_column("image", datasets.Image(decode=False))
            iterator = iter(ds)
        except Exception as exc:  # network, auth and not-found errors come in many library types
            raise self._unreachable(exc) from None
        while True:
            try:
                row = next(iterator)
            except StopIteration:
                return
            except Exception as exc:
                raise self._unreachable(exc) from None
            yield row
