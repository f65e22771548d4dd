"""What a PACS search asks (``StudyQuery``) and what it answers (``StudySummary``, ``InstanceSummary``).

``StudyQuery`` is validated when built, before anything is sent: patient ID and accession number are
short single-line strings (QIDO's ``*`` and ``?`` wildcards allowed), the date range is ordered and
modalities are DICOM modality codes. QIDO-RS answers are DICOM JSON (PS3.18 F.2); the ``from_qido``
parsers read only the attributes named here and tolerate any of them missing.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from medrag_core.errors import InputError

DEFAULT_MODALITIES: tuple[str, ...] = ("CR", "DX")
"""Plain radiographs: what the workbench checks."""

MAX_ID_CHARS = 64  # LO / SH value lengths are 64 / 16: anything longer cannot match
_MODALITY = re.compile(r"^[A-Z0-9]{2,8}$")
_BAD_ID_CHARS = re.compile(r"[\\\x00-\x1f\x7f]")  # backslash separates DICOM values; controls are never valid

# Attribute tags (group+element, as QIDO's JSON keys them).
STUDY_UID, SERIES_UID, SOP_UID, SOP_CLASS = "0020000D", "0020000E", "00080018", "00080016"
STUDY_DATE, STUDY_DESCRIPTION, ACCESSION, PATIENT_ID = "00080020", "00081030", "00080050", "00100020"
STUDY_TIME = "00080030"
MODALITIES_IN_STUDY, N_STUDY_INSTANCES, MODALITY = "00080061", "00201208", "00080060"
VIEW_POSITION, IMAGE_LATERALITY, LATERALITY = "00185101", "00200062", "00200060"
SERIES_DESCRIPTION, SERIES_NUMBER, INSTANCE_NUMBER = "0008103E", "00200011", "00200013"
ROWS, COLUMNS, IMAGE_COMMENTS, MIME_TYPE = "00280010", "00280011", "00204000", "00420012"

STUDY_FIELDS = ("StudyDescription", "ModalitiesInStudy", "NumberOfStudyRelatedInstances", "AccessionNumber",
                "StudyDate", "StudyTime", "PatientID")
INSTANCE_FIELDS = ("Modality", "SOPClassUID", "ViewPosition", "ImageLaterality", "Laterality", "SeriesDescription",
                   "SeriesNumber", "InstanceNumber", "Rows", "Columns", "ImageComments",
                   "MIMETypeOfEncapsulatedDocument")


@dataclass(frozen=True)
class StudyQuery:
    """Filters of a QIDO-RS study search; empty fields do not filter."""

    patient_id: str = ""
    accession: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    modalities: tuple[str, ...] = DEFAULT_MODALITIES

    def __post_init__(self) -> None:
        for label, value in (("patient ID", self.patient_id), ("accession number", self.accession)):
            if len(value) > MAX_ID_CHARS:
                raise InputError(f"The {label} is longer than {MAX_ID_CHARS} characters: shorten it.",
                                 code="bad_query")
            if _BAD_ID_CHARS.search(value):
                raise InputError(f"The {label} holds a backslash or a control character: remove it.",
                                 code="bad_query")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InputError("The date range ends before it starts: swap the two dates.", code="bad_query")
        for code in self.modalities:
            if not _MODALITY.match(code):
                raise InputError(
                    f"'{code[:12]}' is not a DICOM modality code (two to eight capitals, e.g. CR, DX).",
                    code="bad_query",
                )

    @classmethod
    def build(cls, *, patient_id: str = "", accession: str = "", date_from: datetime.date | None = None,
              date_to: datetime.date | None = None, modalities: Sequence[str] | str = DEFAULT_MODALITIES) -> StudyQuery:
        """A query from form or CLI values: strips whitespace, splits ``"CR,DX"``, upper-cases codes."""
        if isinstance(modalities, str):
            modalities = modalities.replace("\\", ",").split(",")
        codes = tuple(dict.fromkeys(m.strip().upper() for m in modalities if m.strip()))
        return cls(patient_id=patient_id.strip(), accession=accession.strip(), date_from=date_from,
                   date_to=date_to, modalities=codes)

    def search_filters(self) -> dict[str, str]:
        """QIDO-RS query parameters (PS3.18 8.3.4): a date range is ``YYYYMMDD-YYYYMMDD``, open ends allowed;
        several modalities are a comma-separated list."""
        filters: dict[str, str] = {}
        if self.patient_id:
            filters["PatientID"] = self.patient_id
        if self.accession:
            filters["AccessionNumber"] = self.accession
        if self.date_from or self.date_to:
            filters["StudyDate"] = f"{_da(self.date_from)}-{_da(self.date_to)}"
        if self.modalities:
            filters["ModalitiesInStudy"] = ",".join(self.modalities)
        return filters

    def describe(self) -> str:
        """The filters in words, for messages (shown locally only: they may hold a patient ID)."""
        parts = [f"{k}={v}" for k, v in self.search_filters().items()]
        return ", ".join(parts) or "no filter"


def _da(day: datetime.date | None) -> str:
    return day.strftime("%Y%m%d") if day else ""


def parse_da(value: str | None) -> datetime.date | None:
    """A DICOM DA (``YYYYMMDD``; the old ``YYYY.MM.DD`` too) as a date, None when absent or invalid."""
    digits = (value or "").strip().replace(".", "")
    try:
        return datetime.datetime.strptime(digits[:8], "%Y%m%d").date() if len(digits) >= 8 else None
    except ValueError:
        return None


def parse_tm(value: str | None) -> datetime.time | None:
    """A DICOM TM (``HHMMSS.FFFFFF``, minutes and seconds optional; the old ``HH:MM:SS`` too) as a time, None
    when absent or invalid."""
    text = (value or "").strip().replace(":", "")
    whole, _, fraction = text.partition(".")
    if len(whole) not in (2, 4, 6) or not whole.isdigit() or (fraction and not fraction.isdigit()):
        return None
    hour, minute, second = int(whole[0:2]), int(whole[2:4] or 0), int(whole[4:6] or 0)
    micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
    try:
        return datetime.time(hour, minute, min(second, 59), micro)  # TM allows a leap second 60
    except ValueError:
        return None


def _values(item: Mapping[str, Any], tag: str) -> list[Any]:
    element = item.get(tag) or {}
    values = element.get("Value") if isinstance(element, Mapping) else None
    return list(values) if isinstance(values, list) else []


def _text(item: Mapping[str, Any], tag: str) -> str:
    values = _values(item, tag)
    if not values:
        return ""
    first = values[0]
    if isinstance(first, Mapping):  # PN: {"Alphabetic": ...}
        first = first.get("Alphabetic", "")
    return str(first).strip()


def _int(item: Mapping[str, Any], tag: str) -> int | None:
    try:
        return int(_text(item, tag))
    except ValueError:
        return None


@dataclass(frozen=True)
class StudySummary:
    """One study as a QIDO-RS search lists it. Shown locally only; never sent to an LLM."""

    study_uid: str
    date: datetime.date | None = None
    time: datetime.time | None = None
    description: str = ""
    accession: str = ""
    patient_id: str = ""
    modalities: tuple[str, ...] = ()
    n_instances: int | None = None

    @classmethod
    def from_qido(cls, item: Mapping[str, Any]) -> StudySummary:
        return cls(
            study_uid=_text(item, STUDY_UID), date=parse_da(_text(item, STUDY_DATE)),
            time=parse_tm(_text(item, STUDY_TIME)),
            description=_text(item, STUDY_DESCRIPTION), accession=_text(item, ACCESSION),
            patient_id=_text(item, PATIENT_ID),
            modalities=tuple(str(v).strip() for v in _values(item, MODALITIES_IN_STUDY) if str(v).strip()),
            n_instances=_int(item, N_STUDY_INSTANCES),
        )


def _newest_first_key(study: StudySummary) -> tuple[bool, int, bool, int, str]:
    day = study.date.toordinal() if study.date else 0
    moment = study.time
    micros = 0
    if moment is not None:
        micros = ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + moment.microsecond
    # Negated so that one ascending sort gives newest first; no date (or no time on a date) sorts after.
    return (study.date is None, -day, moment is None, -micros, study.study_uid)


def newest_first(studies: Iterable[StudySummary]) -> list[StudySummary]:
    """``studies`` newest first by StudyDate then StudyTime (a study without a date last, one without a time
    after the timed ones of its day), ties by Study Instance UID (as text): one order whatever order the PACS
    answered in, since QIDO-RS leaves the order of its answer to the server."""
    return sorted(studies, key=_newest_first_key)


IMAGE_MODALITIES = frozenset({"CR", "DX"})
_SR_CLASS_PREFIX = "1.2.840.10008.5.1.4.1.1.88."
_ENCAPSULATED_CLASS_PREFIX = "1.2.840.10008.5.1.4.1.1.104."


@dataclass(frozen=True)
class InstanceSummary:
    """One instance of a study as QIDO-RS lists it: enough to choose the frontal view and find a report."""

    study_uid: str
    series_uid: str
    sop_uid: str
    sop_class_uid: str = ""
    modality: str = ""
    view_position: str = ""
    laterality: str = ""
    series_description: str = ""
    image_comments: str = ""
    series_number: int | None = None
    instance_number: int | None = None
    rows: int | None = None
    columns: int | None = None
    mime_type: str = ""

    @classmethod
    def from_qido(cls, item: Mapping[str, Any], study_uid: str = "") -> InstanceSummary:
        return cls(
            study_uid=_text(item, STUDY_UID) or study_uid, series_uid=_text(item, SERIES_UID),
            sop_uid=_text(item, SOP_UID), sop_class_uid=_text(item, SOP_CLASS),
            modality=_text(item, MODALITY).upper(), view_position=_text(item, VIEW_POSITION).upper(),
            laterality=(_text(item, IMAGE_LATERALITY) or _text(item, LATERALITY)).upper(),
            series_description=_text(item, SERIES_DESCRIPTION), image_comments=_text(item, IMAGE_COMMENTS),
            series_number=_int(item, SERIES_NUMBER), instance_number=_int(item, INSTANCE_NUMBER),
            rows=_int(item, ROWS), columns=_int(item, COLUMNS), mime_type=_text(item, MIME_TYPE).lower(),
        )

    @property
    def is_report(self) -> bool:
        """A structured report or an encapsulated document (PDF, CDA, text)."""
        return (self.modality in ("SR", "DOC") or self.sop_class_uid.startswith(_SR_CLASS_PREFIX)
                or self.sop_class_uid.startswith(_ENCAPSULATED_CLASS_PREFIX))

    @property
    def is_structured_report(self) -> bool:
        return self.sop_class_uid.startswith(_SR_CLASS_PREFIX) or (self.modality == "SR" and not self.sop_class_uid)

    @property
    def is_image(self) -> bool:
        """A radiograph the workbench can check (CR or DX; a missing modality is given the benefit of the doubt)."""
        if self.is_report:
            return False
        return self.modality in IMAGE_MODALITIES or (not self.modality and bool(self.rows))

    @property
    def order(self) -> tuple[int, int, str]:
        """Reading order in the study: series number, then instance number (absent ones last)."""
        return (self.series_number if self.series_number is not None else 1 << 30,
                self.instance_number if self.instance_number is not None else 1 << 30, self.sop_uid)

    def label(self) -> str:
        """A short local label: view, laterality, series description."""
        parts = [self.view_position or "view ?"]
        if self.laterality:
            parts.append(self.laterality)
        if self.series_description:
            parts.append(self.series_description)
        return " · ".join(parts)
