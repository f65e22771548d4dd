"""A local parquet file, or a folder of them, in the Hugging Face ``mimic-cxr-dataset`` schema."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medrag_core.errors import SourceError

from .base import SourceRecord
from .hf_schema import HF_COLUMNS, rows_to_items

READ_BATCH_ROWS = 32  # rows materialised at once; keeps memory flat whatever the file size


def _is_scalar(dtype: object) -> bool:
    """Whether a column of this Arrow type can become a metadata string (text, number, bool, date)."""
    import pyarrow as pa

    if pa.types.is_dictionary(dtype):
        dtype = dtype.value_type
    return (pa.types.is_string(dtype) or pa.types.is_large_string(dtype) or pa.types.is_integer(dtype)
            or pa.types.is_floating(dtype) or pa.types.is_boolean(dtype) or pa.types.is_temporal(dtype)
            or pa.types.is_decimal(dtype))  # fmt: skip


@dataclass(frozen=True)
class ParquetSource:
    """``path``: a ``.parquet`` file or a folder searched recursively (files in sorted order).

    ``source_name`` overrides every row's ``source``; without it a ``source_dataset`` column wins,
    then the file's (or folder's) stem.
    """

    path: Path
    source_name: str | None = None

    @classmethod
    def parse(cls, path: str, options: dict[str, str]) -> ParquetSource:
        p = Path(path).expanduser()
        if not p.exists():
            raise SourceError(f"Parquet source not found: {p}. Give a .parquet file or a folder of them.")
        if p.is_dir() and not any(p.rglob("*.parquet")):
            raise SourceError(f"No .parquet files under {p}.")
        return cls(path=p, source_name=options.get("source") or None)

    @property
    def name(self) -> str:
        return self.source_name or self.path.stem

    @property
    def key(self) -> str:
        return f"parquet:{self.path.resolve()}"

    def size_hint(self) -> int | None:
        import pyarrow.parquet as pq

        try:
            return sum(pq.ParquetFile(f).metadata.num_rows for f in self.files())
        except Exception:  # a bad file is reported by items(); the hint is only for progress bars
            return None

    def files(self) -> list[Path]:
        return [self.path] if self.path.is_file() else sorted(self.path.rglob("*.parquet"))

    def items(self) -> Iterator[SourceRecord]:
        return rows_to_items(self._rows(), source=self.name, use_row_source=self.source_name is None)

    def _rows(self) -> Iterator[dict]:
        import pyarrow.parquet as pq

        for file in self.files():
            try:
                pf = pq.ParquetFile(file)
            except Exception as exc:  # pyarrow raises ArrowInvalid/OSError for non-parquet files
                raise SourceError(f"{file} is not a readable parquet file ({type(exc).__name__}).") from None
            names = set(pf.schema_arrow.names)
            if not names & {"image", "findings", "impression"}:
                raise SourceError(
                    f"{file} has none of the columns image, findings, impression "
                    f"(found: {', '.join(sorted(names)[:12])}). Expected the mimic-cxr-dataset schema."
                )
            columns = [c for c in HF_COLUMNS if c in names] + [
                f.name for f in pf.schema_arrow if f.name not in HF_COLUMNS and _is_scalar(f.type)
            ]  # extra scalar columns become metadata; list/struct columns are never read
            for batch in pf.iter_batches(batch_size=READ_BATCH_ROWS, columns=columns):
                yield from batch.to_pylist()
