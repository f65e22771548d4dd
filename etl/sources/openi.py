"""Open-i / IU X-ray: ``ecgen-radiology/*.xml`` reports in a folder or a ``.tgz``, plus PNGs.

Each report gives ``findings``, ``impression``, ``indication`` and ``comparison`` (its
``AbstractText`` elements). Its ``parentImage id`` elements name the study's images; each one found
as ``<id>.png`` under the images folder (default: the reports folder itself) becomes its own item,
``case_id = "<uId>/<image id>"``, ``study_id = <uId>`` (e.g. ``CXR1900``). A report none of whose
images are present becomes one text-only item with ``case_id = <uId>``. The report's MeSH major
terms, when it has any, are kept as ``metadata["mesh"]`` (joined with ``"; "``, verbatim) and, normalised
by ``mesh_labels``, as case labels (``"MeSH: Cardiomegaly"``): human-assigned labels that the Browse
filter offers and ``bench.relevance`` grades retrieval by.

``read_openi_reports(path)`` reads a folder or ``.tgz`` of these reports with the same parser: the
one Open-i reader that the benchmarks and tests use too (through ``etl``'s face).
"""

from __future__ import annotations

import re
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medrag_core.errors import SourceError

from .base import BadItem, SourceItem, SourceRecord, clean_text, metadata_value

_SECTIONS = {"FINDINGS": "findings", "IMPRESSION": "impression", "INDICATION": "indication",
             "COMPARISON": "comparison"}
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _xml_sort_key(name: str) -> tuple[int, str]:
    match = re.search(r"(\d+)\.xml$", name)
    return (int(match.group(1)) if match else 1 << 62, name)


MESH_LABEL_PREFIX = "MeSH: "
# Open-i's own marker for a report its indexers did not code: not a finding, no label.
_MESH_UNINDEXED = frozenset({"no indexing"})
_MESH_SMALL_WORDS = frozenset({"of", "and", "the", "in", "to", "on", "with"})


def mesh_labels(headings: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Case labels from MeSH major headings: the descriptor before the first ``/`` (qualifiers such as
    ``/mild`` or ``/left`` dropped), whitespace collapsed, words capitalised (``normal`` -> ``Normal``),
    prefixed ``"MeSH: "``; sorted, without repeats; "No Indexing" gives none."""
    out = set()
    for heading in headings:
        words = clean_text(heading.split("/", 1)[0]).lower().split()
        if not words or " ".join(words) in _MESH_UNINDEXED:
            continue
        name = " ".join(w if i and w in _MESH_SMALL_WORDS else w[:1].upper() + w[1:] for i, w in enumerate(words))
        out.add(MESH_LABEL_PREFIX + name)
    return tuple(sorted(out))


@dataclass(frozen=True)
class OpenIReport:
    """One ecgen-radiology report: ``sections`` holds findings, impression, indication and comparison
    (``""`` when missing, whitespace collapsed); ``mesh_major`` the MeSH major headings verbatim."""

    uid: str
    sections: dict[str, str]
    image_ids: tuple[str, ...]
    mesh_major: tuple[str, ...] = ()

    @property
    def metadata(self) -> dict[str, str]:
        mesh = metadata_value("; ".join(self.mesh_major))
        return {"mesh": mesh} if mesh else {}

    @property
    def labels(self) -> tuple[str, ...]:
        return mesh_labels(self.mesh_major)


def parse_openi_xml(data: bytes, *, fallback_uid: str) -> OpenIReport:
    """Sections and image ids of one ecgen-radiology report. Raises ``ET.ParseError`` when malformed."""
    root = ET.fromstring(data)
    uid_el = root.find("uId")
    uid = (uid_el.get("id") if uid_el is not None else None) or fallback_uid
    sections = {field: "" for field in _SECTIONS.values()}
    for el in root.iter("AbstractText"):
        field = _SECTIONS.get((el.get("Label") or "").upper())
        if field:
            text = "".join(el.itertext())
            # COMPARISON "None." says there is no prior (a check reads it); elsewhere a bare None is no text
            sections[field] = " ".join(text.split()) if field == "comparison" else clean_text(text)
    image_ids = tuple(i for i in (el.get("id") for el in root.iter("parentImage")) if i)
    mesh = tuple(t for m in root.iter("MeSH") for el in m.iter("major") if (t := clean_text("".join(el.itertext()))))
    return OpenIReport(uid=uid, sections=sections, image_ids=image_ids, mesh_major=mesh)


@dataclass(frozen=True)
class OpenISource:
    """``reports``: a folder holding ``*.xml`` (any depth) or a ``.tgz``/``.tar.gz`` of them.
    ``images``: a folder searched recursively for ``<parentImage id>.png`` (default: ``reports`` when
    it is a folder; none for an archive)."""

    reports: Path
    images: Path | None = None
    source_name: str = "openi"

    @classmethod
    def parse(cls, path: str, options: dict[str, str]) -> OpenISource:
        reports = Path(path).expanduser()
        if not reports.exists():
            raise SourceError(f"Open-i source not found: {reports}. Give the ecgen-radiology folder or .tgz.")
        if reports.is_file() and not tarfile.is_tarfile(reports):
            raise SourceError(f"{reports} is not a tar archive of Open-i XML reports.")
        if reports.is_dir() and not any(reports.rglob("*.xml")):
            raise SourceError(f"No .xml reports under {reports} (expected ecgen-radiology/*.xml).")
        images = Path(options["images"]).expanduser() if options.get("images") else None
        if images is not None and not images.is_dir():
            raise SourceError(f"Images folder not found: {images}.")
        if images is None and reports.is_dir():
            images = reports
        return cls(reports=reports, images=images, source_name=options.get("source") or "openi")

    @property
    def name(self) -> str:
        return self.source_name

    @property
    def key(self) -> str:
        images = f",images={self.images.resolve()}" if self.images is not None else ""
        return f"openi:{self.reports.resolve()}{images}"

    def size_hint(self) -> int | None:
        """Reports in a folder (items can be more: one per image); None for an archive."""
        return sum(1 for _ in self.reports.rglob("*.xml")) if self.reports.is_dir() else None

    def parsed_reports(self) -> Iterator[OpenIReport | BadItem]:
        """Each XML report parsed, in file order (a folder sorted by report number; an archive as stored)."""
        for name, data in self._xml_files():
            fallback = "CXR" + (re.search(r"(\d+)\.xml$", name) or re.search(r"(.*)", name)).group(1)
            try:
                yield parse_openi_xml(data, fallback_uid=fallback)
            except ET.ParseError:
                yield BadItem(Path(name).name, "malformed XML")

    def items(self) -> Iterator[SourceRecord]:
        index = self._image_index()
        for report in self.parsed_reports():
            if isinstance(report, BadItem):
                yield report
                continue
            found = [(i, index[i]) for i in report.image_ids if i in index]
            if not found:
                yield SourceItem(case_id=report.uid, source=self.name, study_id=report.uid,
                                 metadata=report.metadata, labels=report.labels, **report.sections)
                continue
            for image_id, path in found:
                try:
                    image = path.read_bytes()
                except OSError:
                    yield BadItem(f"{report.uid}/{image_id}", "image file unreadable")
                    continue
                yield SourceItem(case_id=f"{report.uid}/{image_id}", source=self.name, study_id=report.uid,
                                 image=image, metadata=report.metadata, labels=report.labels, **report.sections)

    def _image_index(self) -> dict[str, Path]:
        """image id (file stem) -> path; a few hundred bytes per image, never the pixels."""
        if self.images is None:
            return {}
        return {p.stem: p for p in sorted(self.images.rglob("*")) if p.suffix.lower() in _IMAGE_SUFFIXES}

    def _xml_files(self) -> Iterator[tuple[str, bytes]]:
        if self.reports.is_dir():
            for path in sorted(self.reports.rglob("*.xml"), key=lambda p: _xml_sort_key(p.name)):
                yield path.name, path.read_bytes()
            return
        # Stream the archive member by member (no full extraction, no full listing in memory).
        try:
            with tarfile.open(self.reports, mode="r|*") as tar:
                for member in tar:
                    if member.isfile() and member.name.endswith(".xml"):
                        handle = tar.extractfile(member)
                        if handle is not None:
                            yield member.name, handle.read()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise SourceError(f"Could not read {self.reports}: {type(exc).__name__}.") from None


def read_openi_reports(path: str | Path) -> list[OpenIReport]:
    """Every well-formed report of an Open-i folder or ``.tgz`` (malformed ones skipped), sorted by uid
    number (``CXR2`` before ``CXR10``). Raises ``SourceError`` when ``path`` is not an Open-i source."""
    source = OpenISource.parse(str(path), {})
    found = [r for r in source.parsed_reports() if isinstance(r, OpenIReport)]
    return sorted(found, key=lambda r: _xml_sort_key(r.uid + ".xml"))
