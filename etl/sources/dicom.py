"""A folder of DICOM files plus a CSV of reports, keyed by file or by study.

CSV columns: ``file`` (path relative to the folder) *or* ``study`` (a subfolder holding that study's
``*.dcm``), then ``findings``, ``impression`` and optionally ``indication``, ``comparison``, ``view``,
``study_id``. ``case_id`` = the file's path relative to the folder without its suffix;
``study_id`` = the CSV's ``study_id``/``study``, else the file's parent folder (None at top level).

Only pixels are used: the pipeline decodes the file and stores a re-encoded PNG. No header field
(PatientName, dates, UIDs, ...) is read into a case, stored or logged here.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medrag_core.errors import SourceError

from .base import BadItem, SourceItem, SourceRecord, clean_text

_TEXT_COLUMNS = ("findings", "impression", "indication", "comparison")


@dataclass(frozen=True)
class DicomSource:
    folder: Path
    csv_path: Path
    key_column: str  # "file" or "study": which CSV column links a report to its image(s)
    source_name: str

    @classmethod
    def parse(cls, path: str, options: dict[str, str]) -> DicomSource:
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise SourceError(f"DICOM source must be a folder: {folder} is not one.")
        if options.get("csv"):
            csv_path = Path(options["csv"]).expanduser()
        else:
            found = sorted(folder.glob("*.csv"))
            if len(found) != 1:
                raise SourceError(
                    f"{folder} holds {len(found)} CSV files at its top level: name the reports CSV with "
                    f"dicom:{folder},csv=PATH"
                )
            csv_path = found[0]
        if not csv_path.is_file():
            raise SourceError(f"Reports CSV not found: {csv_path}.")
        with csv_path.open(newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), [])
        columns = {h.strip().lower() for h in header}
        key = "file" if "file" in columns else "study" if "study" in columns else None
        if key is None:
            raise SourceError(f"{csv_path.name} needs a 'file' or a 'study' column (found: {', '.join(header)}).")
        if not columns & {"findings", "impression"}:
            raise SourceError(f"{csv_path.name} needs a 'findings' or an 'impression' column.")
        return cls(folder=folder, csv_path=csv_path, key_column=key, source_name=options.get("source") or folder.name)

    @property
    def name(self) -> str:
        return self.source_name

    @property
    def key(self) -> str:
        return f"dicom:{self.folder.resolve()},csv={self.csv_path.resolve()}"

    def size_hint(self) -> int | None:
        return None

    def items(self) -> Iterator[SourceRecord]:
        with self.csv_path.open(newline="", encoding="utf-8-sig") as fh:
            for line, raw in enumerate(csv.DictReader(fh), start=2):
                row = {(k or "").strip().lower(): v for k, v in raw.items()}
                ref = clean_text(row.get(self.key_column))
                if not ref:
                    yield BadItem(f"{self.csv_path.name} line {line}", f"empty '{self.key_column}' cell")
                    continue
                yield from self._row_items(row, ref, f"{self.csv_path.name} line {line}")

    def _row_items(self, row: dict, ref: str, where: str) -> Iterator[SourceRecord]:
        root = self.folder.resolve()
        target = (self.folder / ref).resolve()
        if not target.is_relative_to(root):
            yield BadItem(where, "path outside the DICOM folder")
            return
        if self.key_column == "file":
            files = [target] if target.is_file() else []
            study = clean_text(row.get("study_id")) or None
        else:
            files = sorted(p for p in target.rglob("*") if p.is_file() and p.suffix.lower() in (".dcm", ""))
            study = clean_text(row.get("study_id")) or ref
        if not files:
            yield BadItem(where, "no DICOM file found")
            return
        texts = {c: clean_text(row.get(c)) for c in _TEXT_COLUMNS}
        for file in files:
            rel = file.relative_to(root)
            case_id = rel.with_suffix("").as_posix()
            try:
                data = file.read_bytes()
            except OSError:
                yield BadItem(case_id, "file unreadable")
                continue
            parent = rel.parent.as_posix()
            yield SourceItem(case_id=case_id, source=self.name,
                             study_id=study or (parent if parent != "." else None),
                             view=clean_text(row.get("view")) or None, image=data, **texts)
