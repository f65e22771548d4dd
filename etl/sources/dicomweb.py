"""Every matching study of a PACS over DICOMweb, joined to reports from a CSV.

Spec: ``dicomweb:[URL][,option=value...]``; without URL, ``MEDRAG_DICOMWEB_URL`` (and its auth settings)
name the PACS. Options: ``patient``, ``accession``, ``from`` / ``to`` (study dates, YYYY-MM-DD),
``modality`` (``CR+DX`` by default), ``csv`` (reports), ``key`` (``accession`` or ``study``: which CSV
column joins; default whichever the CSV has), ``sr`` (``yes``: a study missing from the CSV gets the report
its own SR or encapsulated text carries), ``source``.

CSV columns: ``accession`` or ``study`` (the Study Instance UID), then ``findings``, ``impression`` and
optionally ``indication``, ``comparison``. The CSV is read once into a dictionary of report texts; the PACS
is read lazily: studies page by page (QIDO-RS ``limit``/``offset``), each study's instances when it is
reached, and each image only when the pipeline decodes it (``SourceItem.fetch``, in the worker pool), so
images already stored are never transferred again.

``case_id`` = the SOP Instance UID, ``study_id`` = the Study Instance UID, ``view`` = the View Position.
Resuming relies on those ids, not on a position in the listing (``resumes_by_position = False``): a PACS
that gained studies since the last run lists them in its own order. Only pixels and the CSV's text are
stored; no header value (names, dates, accession numbers) goes into a case or a log line.
"""

from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from medrag_core.errors import MedragError, PacsAuthError, PacsError, PacsUnavailable, SourceError
from medrag_core.pacs import InstanceSummary, PacsClient, PacsConfig, StudyQuery

from .base import BadItem, SourceItem, SourceRecord, clean_text

if TYPE_CHECKING:
    from medrag_core.settings import Settings

OPTIONS = {
    "patient": "Patient ID filter", "accession": "accession number filter",
    "from": "first study date, YYYY-MM-DD", "to": "last study date, YYYY-MM-DD",
    "modality": "modalities joined by +, default CR+DX", "csv": "reports CSV (accession or study column)",
    "key": "accession or study: the CSV column that joins", "sr": "yes: use a study's own SR when the CSV has none",
    "source": "source name, default the PACS host",
}
_TEXT_COLUMNS = ("findings", "impression", "indication", "comparison")
PAGE_SIZE = 100


def _date(value: str, option: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise SourceError(f"dicomweb option {option}= must be a date like 2024-01-31, got '{value[:20]}'.") from None


@dataclass(frozen=True)
class DicomWebSource:
    config: PacsConfig
    query: StudyQuery
    csv_path: Path | None
    key_column: str | None  # "accession" or "study"
    use_sr: bool
    source_name: str
    max_pixels: int
    page_size: int = PAGE_SIZE

    resumes_by_position = False  # ids, not positions: see the module docstring

    @classmethod
    def parse(cls, target: str, options: dict[str, str], settings: Settings) -> DicomWebSource:
        url = target.strip()
        try:
            named = settings.model_copy(update={"dicomweb_url": url}) if url else settings
            config = PacsConfig.from_settings(named)
            modalities = (options.get("modality") or "CR+DX").replace("+", ",")
            query = StudyQuery.build(patient_id=options.get("patient", ""), accession=options.get("accession", ""),
                                     date_from=_date(options.get("from", ""), "from"),
                                     date_to=_date(options.get("to", ""), "to"), modalities=modalities)
        except MedragError as exc:
            raise SourceError(exc.user_message) from None
        csv_path, key = _csv(options)
        sr = options.get("sr", "").strip().lower()
        if sr not in ("", "yes", "no", "true", "false", "1", "0"):
            raise SourceError("dicomweb option sr= must be yes or no.")
        host = urlsplit(config.url).hostname or "pacs"
        return cls(config=config, query=query, csv_path=csv_path, key_column=key, use_sr=sr in ("yes", "true", "1"),
                   source_name=options.get("source") or host, max_pixels=settings.max_image_pixels)

    @property
    def name(self) -> str:
        return self.source_name

    @property
    def key(self) -> str:
        """The PACS (no credentials), the filters (a patient ID only as a hash) and the CSV."""
        filters = dict(self.query.search_filters())
        if "PatientID" in filters:
            filters["PatientID"] = "#" + hashlib.sha256(filters["PatientID"].encode()).hexdigest()[:12]
        path = urlsplit(self.config.url).path.rstrip("/")
        parts = [f"dicomweb:{self.config.where}{path}",
                 *(f"{k}={v.replace(',', '+')}" for k, v in sorted(filters.items()))]
        if self.csv_path is not None:
            parts.append(f"csv={self.csv_path.resolve()}")
        return ",".join(parts)

    def size_hint(self) -> int | None:
        return None

    def items(self) -> Iterator[SourceRecord]:
        reports = self._reports()
        client = PacsClient(self.config)
        try:
            for study in client.iter_studies(self.query, page_size=self.page_size):
                try:
                    yield from self._study_items(client, study.study_uid, study.accession, reports)
                except (PacsUnavailable, PacsAuthError):
                    raise
                except PacsError as exc:  # this study only (deleted meanwhile, a 5xx on it): counted, run goes on
                    yield BadItem(study.study_uid, exc.code.replace("_", " "))
        except MedragError as exc:  # the PACS went away or refused us mid-run: committed batches are kept
            raise SourceError(exc.user_message) from None

    def _study_items(self, client: PacsClient, study_uid: str, accession: str,
                     reports: dict[str, dict[str, str]]) -> Iterator[SourceRecord]:
        instances = client.study_instances(study_uid)
        images = [i for i in instances if i.is_image]
        if not images:
            return
        join = accession if self.key_column == "accession" else study_uid
        texts = reports.get(join.strip()) if join else None
        if texts is None and self.use_sr:
            report = client.study_report(instances)
            if report is not None and report.text:
                texts = _split_sections(report.text)
        for instance in images:
            fetch = functools.partial(fetch_instance, self.config, instance, self.max_pixels)
            yield SourceItem(case_id=instance.sop_uid, source=self.name, study_id=study_uid,
                             view=instance.view_position or None, fetch=fetch, **(texts or {}))

    def _reports(self) -> dict[str, dict[str, str]]:
        if self.csv_path is None:
            return {}
        out: dict[str, dict[str, str]] = {}
        with self.csv_path.open(newline="", encoding="utf-8-sig") as fh:
            for raw in csv.DictReader(fh):
                row = {(k or "").strip().lower(): v for k, v in raw.items()}
                key = clean_text(row.get(self.key_column or ""))
                if key:
                    out[key] = {c: clean_text(row.get(c)) for c in _TEXT_COLUMNS}
        return out


def _csv(options: dict[str, str]) -> tuple[Path | None, str | None]:
    if not options.get("csv"):
        if options.get("key"):
            raise SourceError("dicomweb option key= needs csv= (the reports it joins).")
        return None, None
    path = Path(options["csv"]).expanduser()
    if not path.is_file():
        raise SourceError(f"Reports CSV not found: {path}.")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), [])
    columns = {h.strip().lower() for h in header}
    key = (options.get("key") or "").strip().lower() or ("accession" if "accession" in columns else "study")
    if key not in ("accession", "study"):
        raise SourceError("dicomweb option key= must be accession or study.")
    if key not in columns:
        raise SourceError(f"{path.name} needs an '{key}' column to join reports to studies "
                          f"(found: {', '.join(header)}).")
    if not columns & {"findings", "impression"}:
        raise SourceError(f"{path.name} needs a 'findings' or an 'impression' column.")
    return path, key


def _split_sections(text: str) -> dict[str, str]:
    """``FINDINGS: ... IMPRESSION: ...`` -> the two fields (everything is findings without headings)."""
    upper = text.upper()
    at = upper.find("IMPRESSION:")
    if at < 0:
        return {"findings": text.replace("FINDINGS:", "", 1).strip()}
    return {"findings": text[:at].replace("FINDINGS:", "", 1).strip(),
            "impression": text[at + len("IMPRESSION:"):].strip()}


_local = threading.local()


def _client(config: PacsConfig) -> PacsClient:
    """One client per thread (or process) and PACS: a requests session is not shared between threads."""
    clients = _local.__dict__.setdefault("clients", {})
    if config not in clients:
        clients[config] = PacsClient(config)
    return clients[config]


def fetch_instance(config: PacsConfig, instance: InstanceSummary, max_pixels: int) -> bytes:
    """Retrieve one image (WADO-RS), after checking its size from the QIDO listing.

    Runs in the pipeline's worker pool. Raises ``MedragError`` (``PacsError``, ``ImageDecodeError``)
    whose code the pipeline counts.
    """
    from medrag_core.imaging import check_geometry

    if instance.rows and instance.columns:
        check_geometry(instance.columns, instance.rows, max_pixels)
    return _client(config).retrieve(instance)
