"""Ingest sources: parse a spec string into a frozen, validated source, then read it lazily.

Spec: ``[KIND:]PATH_OR_ID[,key=value...]`` where KIND is one of

- ``hf``: a Hugging Face dataset id, streamed (options ``split``, ``config``, ``source``);
- ``parquet``: a ``.parquet`` file or folder in the HF schema (option ``source``);
- ``openi``: an Open-i folder or ``.tgz`` of ``ecgen-radiology/*.xml`` (options ``images``, ``source``);
- ``dicom``: a folder of DICOM files plus a reports CSV (options ``csv``, ``source``);
- ``dicomweb``: the studies of a PACS over DICOMweb (``dicomweb:[URL],patient=...,from=...,csv=...``).

Without KIND, an existing path is recognised by its content (``.parquet`` files, a tar archive or
XML reports, DICOM files) and anything else shaped ``owner/name`` is taken for a hub id.
``parse_source`` touches only the local file system; nothing is fetched until ``items()``. A
``dicomweb`` source takes its PACS URL and credentials from ``settings`` (``Settings.load()`` when none
is given).
"""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

from medrag_core.errors import SourceError

from .base import BadItem, Source, SourceItem, SourceRecord, content_id, is_dicom, shard_of
from .dicom import DicomSource
from .dicomweb import OPTIONS as DICOMWEB_OPTIONS
from .dicomweb import DicomWebSource, fetch_instance
from .hub import HubSource
from .openi import MESH_LABEL_PREFIX, OpenIReport, OpenISource, mesh_labels, parse_openi_xml, read_openi_reports
from .parquet import ParquetSource

if TYPE_CHECKING:
    from medrag_core.settings import Settings

__all__ = [
    "MESH_LABEL_PREFIX", "BadItem", "DicomSource", "DicomWebSource", "HubSource", "OpenIReport", "OpenISource",
    "ParquetSource", "Source", "SourceItem", "SourceRecord", "content_id", "is_dicom", "mesh_labels", "parse_openi_xml",
    "fetch_instance", "parse_source", "read_openi_reports", "shard_of",
]

_OPTIONS = {
    "hf": {"split": "dataset split, default train", "config": "dataset config name", "source": "source name"},
    "parquet": {"source": "source name for every row"},
    "openi": {"images": "folder of <parentImage id>.png", "source": "source name, default openi"},
    "dicom": {"csv": "reports CSV, default the folder's only CSV", "source": "source name"},
    "dicomweb": DICOMWEB_OPTIONS,
}


def parse_source(spec: str, *, hf_token: str | None = None, settings: Settings | None = None) -> Source:
    """The source a spec names; raises ``SourceError`` saying what is wrong and how to write it."""
    from .base import parse_options

    spec = spec.strip()
    if not spec:
        raise SourceError("Empty source. Give a parquet path, an Open-i folder or .tgz, dicom:FOLDER or an HF id.")
    kind, sep, rest = spec.partition(":")
    if sep and kind in _OPTIONS:
        target, _, raw_options = rest.partition(",")
    else:
        target, _, raw_options = spec.partition(",")
        kind = _detect(Path(target).expanduser(), target)
    options = parse_options(raw_options, _OPTIONS[kind], kind)
    if kind == "hf":
        return HubSource.parse(target, options, token=hf_token)
    if kind == "parquet":
        return ParquetSource.parse(target, options)
    if kind == "openi":
        return OpenISource.parse(target, options)
    if kind == "dicomweb":
        return DicomWebSource.parse(target, options, settings if settings is not None else _load_settings())
    return DicomSource.parse(target, options)


def _load_settings() -> Settings:
    from medrag_core.settings import Settings

    return Settings.load()


def _detect(path: Path, raw: str) -> str:
    if path.is_file():
        if path.suffix.lower() == ".parquet":
            return "parquet"
        if tarfile.is_tarfile(path):
            return "openi"
        raise SourceError(f"Cannot tell what kind of source {path} is: prefix it with parquet:, openi: or dicom:.")
    if path.is_dir():
        if any(path.rglob("*.parquet")):
            return "parquet"
        if any(path.rglob("*.xml")):
            return "openi"
        if any(path.rglob("*.dcm")) or any(path.glob("*.csv")):
            return "dicom"
        raise SourceError(f"{path} holds no .parquet, .xml or .dcm files: nothing to ingest.")
    if raw.count("/") == 1 and not raw.startswith((".", "/", "~")):
        return "hf"
    raise SourceError(
        f"Source not found: '{raw}'. Give an existing path (parquet file or folder, Open-i folder or .tgz, "
        "DICOM folder) or a Hugging Face dataset id like hf:itsanmolgupta/mimic-cxr-dataset."
    )
