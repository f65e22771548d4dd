"""Report objects from the PACS (``pacs.report_from_dicom``) under their bounds: an honest deflated SR still
gives its sections; a deflated SR or text document that inflates to hundreds of MB is refused after at most
``MAX_REPORT_OBJECT_BYTES`` with a plain ``ReportObjectError`` (and a subprocess reading them keeps its peak
memory small); absurdly long text and huge documents are refused before decoding; damaged deflated data is
refused, never a traceback; and ``study_report`` turns a refusal into a ``refused`` report whose note the page
and the API show. Objects: ``tests/fixtures/report_bombs.py``. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import io
import logging
import random
from pathlib import Path

import pydicom
import pytest

from medrag_core.errors import ImageDecodeError, ReportObjectError
from medrag_core.imaging.dicom_limits import file_meta_end
from medrag_core.pacs import InstanceSummary, PacsClient, PacsConfig, report_from_dicom
from medrag_core.pacs.report_text import MAX_REPORT_OBJECT_BYTES, MAX_REPORT_TEXT_CHARS
from medrag_core.reports import MAX_REPORT_CHARS
from tests.fixtures.images import FAKE_PHI
from tests.fixtures.peak_memory import refusal_growth_mb
from tests.fixtures.report_bombs import (
    DEFLATED,
    deflated_document_bomb,
    deflated_sr,
    deflated_sr_bomb,
    encapsulated_document,
    explicit_le,
    file_meta,
    sr_dataset,
)
from tests.page_helpers import app_env  # noqa: F401 - fixture

FINDINGS = "There is a small left pleural effusion. Heart size is normal. No pneumothorax."
IMPRESSION = "Small left pleural effusion."


def _refused(data: bytes) -> ReportObjectError:
    with pytest.raises(ReportObjectError) as info:
        report_from_dicom(data)
    message = info.value.user_message
    assert "Traceback" not in message and not any(v.lower() in message.lower() for v in FAKE_PHI.values())
    return info.value


# --- honest objects -----------------------------------------------------------------------------------


def test_honest_deflated_sr_gives_its_findings_and_impression() -> None:
    data = deflated_sr(FINDINGS, IMPRESSION)
    assert len(data) < 2_000
    assert report_from_dicom(data) == f"FINDINGS: {FINDINGS}\nIMPRESSION: {IMPRESSION}"


def test_honest_deflated_text_document_gives_its_text() -> None:
    text = f"FINDINGS: {FINDINGS}\nIMPRESSION: {IMPRESSION}"
    assert report_from_dicom(encapsulated_document(text.encode(), transfer_syntax=DEFLATED)) == text
    assert report_from_dicom(encapsulated_document(text.encode())) == text


def test_the_bomb_makers_make_well_formed_objects() -> None:
    """Under the bounds the same makers give objects that are read: the refusals below are about size."""
    assert report_from_dicom(deflated_sr_bomb(100_000)) == "FINDINGS: " + "A" * 100_000
    assert report_from_dicom(deflated_document_bomb(100_000)) == "A" * 100_000
    whole = pydicom.dcmread(io.BytesIO(deflated_sr_bomb(8 << 20)), force=True)  # pydicom inflates it all
    assert len(whole.ContentSequence[0].TextValue) == 8 << 20


def test_report_over_the_checkers_limit_but_under_the_text_bound_is_passed_on_whole() -> None:
    """The checker, not the reader, says a long report is too long (the user can shorten it in the box)."""
    long_findings = "Stable appearance. " * ((MAX_REPORT_CHARS + 5_000) // 19)
    ds = sr_dataset([("59776-5", "Findings", long_findings.strip())])
    text = report_from_dicom(file_meta(ds.SOPClassUID) + _deflate(explicit_le(ds)))
    assert text is not None and MAX_REPORT_CHARS < len(text) < MAX_REPORT_TEXT_CHARS


def _deflate(data: bytes) -> bytes:
    from tests.fixtures.report_bombs import raw_deflate

    return raw_deflate(data)


# --- bombs and huge objects ---------------------------------------------------------------------------


def test_deflated_sr_bomb_is_refused_after_inflating_at_most_the_bound(monkeypatch, caplog) -> None:
    from medrag_core.imaging import dicom_limits

    largest: list[int] = []
    fill = dicom_limits.BoundedInflater.fill

    def watched(self, target: int) -> None:
        fill(self, target)
        largest.append(len(self.out))

    monkeypatch.setattr(dicom_limits.BoundedInflater, "fill", watched)
    data = deflated_sr_bomb(512 << 20)  # 512 MiB of "A" in about half a MB
    assert len(data) < 1_000_000
    with caplog.at_level(logging.INFO, logger="medrag_core.pacs.report_text"):
        error = _refused(data)
    assert error.code == "too_large" and "decompression bomb" in error.user_message
    assert max(largest) == MAX_REPORT_OBJECT_BYTES + 1
    assert "report object refused (too_large)" in caplog.text
    assert not any(v.lower() in caplog.text.lower() for v in FAKE_PHI.values())


def test_deflated_text_document_bomb_is_refused() -> None:
    error = _refused(deflated_document_bomb(256 << 20))
    assert error.code == "too_large" and "decompression bomb" in error.user_message


def test_huge_uncompressed_text_document_is_refused_before_decoding() -> None:
    error = _refused(encapsulated_document(b"FINDINGS: " + b"A" * (MAX_REPORT_OBJECT_BYTES + 2)))
    assert error.code == "too_large" and "report document is" in error.user_message


def test_huge_pdf_is_still_a_pdf() -> None:
    """A PDF is never decoded, whatever its size: still None (the page says paste it)."""
    assert report_from_dicom(encapsulated_document(b"%PDF-1.4 " + b"0" * (MAX_REPORT_OBJECT_BYTES + 2),
                                                   mime="application/pdf")) is None


@pytest.mark.parametrize("deflated", [False, True])
def test_sr_with_absurdly_long_text_is_refused(deflated: bool) -> None:
    ds = sr_dataset([("59776-5", "Findings", "A" * (MAX_REPORT_TEXT_CHARS // 2)),
                     ("19005-8", "Impression", "B" * (MAX_REPORT_TEXT_CHARS // 2 + 10))])
    body = explicit_le(ds)
    if deflated:
        data = file_meta(ds.SOPClassUID) + _deflate(body)
    else:
        data = file_meta(ds.SOPClassUID, "1.2.840.10008.1.2.1") + body
    error = _refused(data)
    assert error.code == "too_large" and f"{MAX_REPORT_TEXT_CHARS:,} characters" in error.user_message


# --- damaged deflated data ----------------------------------------------------------------------------


def test_damaged_deflate_stream_is_refused_as_corrupt() -> None:
    data = bytearray(deflated_sr(FINDINGS, IMPRESSION))
    start, syntax = file_meta_end(bytes(data))
    assert syntax == DEFLATED
    data[start] = 0xFF  # first block: BTYPE 11, which deflate reserves
    error = _refused(bytes(data))
    assert error.code == "corrupt" and "damaged" in error.user_message


def test_truncated_deflate_stream_is_refused_as_corrupt() -> None:
    data = deflated_sr(FINDINGS, IMPRESSION)
    start, _ = file_meta_end(data)
    error = _refused(data[: start + (len(data) - start) // 2])
    assert error.code == "corrupt"
    error = _refused(deflated_sr_bomb(2 << 20)[:-2_000])  # cut inside the repeated blocks
    assert error.code == "corrupt"


def test_randomly_damaged_deflated_objects_give_text_none_or_a_refusal() -> None:
    rng = random.Random(18)
    honest = deflated_sr(FINDINGS, IMPRESSION)
    start, _ = file_meta_end(honest)
    for _ in range(300):
        data = bytearray(honest)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(start, len(data))] = rng.randrange(256)
        try:
            out = report_from_dicom(bytes(data))
        except ReportObjectError:
            continue
        assert out is None or isinstance(out, str)


def test_not_dicom_is_still_none() -> None:
    assert report_from_dicom(b"not dicom at all") is None
    assert report_from_dicom(b"\x00" * 128 + b"DICM") is None


# --- peak memory --------------------------------------------------------------------------------------

def test_peak_memory_of_refusing_report_bombs_stays_small(tmp_path: Path) -> None:
    """512 MiB of text in about half a MB, as an SR and as a text document: pydicom alone took 1.5 GB of
    peak RSS for each (bench/report_bombs.py); refusing each costs a few MB (the bound is 4 MB)."""
    (tmp_path / "sr_512mib.dcm").write_bytes(deflated_sr_bomb(512 << 20))
    (tmp_path / "document_512mib.dcm").write_bytes(deflated_document_bomb(512 << 20))
    growth = refusal_growth_mb(
        tmp_path, imports="from medrag_core.errors import ReportObjectError\nfrom medrag_core.pacs import "
        "report_from_dicom\nfrom tests.fixtures.report_bombs import deflated_sr",
        warm_up='report_from_dicom(deflated_sr("Clear.", "Normal."))', call="report_from_dicom",
        error="ReportObjectError")
    assert set(growth) == {"sr_512mib.dcm", "document_512mib.dcm"}
    assert all(isinstance(v, float | int) for v in growth.values()), growth
    assert max(growth.values()) < 64, growth  # vs 512 MiB inflated


# --- the study's report: refusal degrades to a note ---------------------------------------------------


class _FakePacs(PacsClient):
    """A client whose retrieve answers from a dict (no PACS needed: study_report only retrieves)."""

    def __init__(self, objects: dict[str, bytes | Exception]) -> None:
        super().__init__(PacsConfig(url="http://127.0.0.1:9/dicom-web"))
        self.objects = objects

    def retrieve(self, instance: InstanceSummary, *, max_bytes: int | None = None) -> bytes:
        found = self.objects[instance.sop_uid]
        if isinstance(found, Exception):
            raise found
        return found


def _instance(sop_uid: str, *, sr: bool, mime: str = "") -> InstanceSummary:
    sop_class = "1.2.840.10008.5.1.4.1.1.88.11" if sr else "1.2.840.10008.5.1.4.1.1.104.1"
    return InstanceSummary(study_uid="1.2.3", series_uid="1.2.3.4", sop_uid=sop_uid, sop_class_uid=sop_class,
                           modality="SR" if sr else "DOC", mime_type=mime)


def test_study_report_turns_a_refused_object_into_a_note() -> None:
    bomb = _instance("1.1", sr=True)
    pdf = _instance("1.2", sr=False, mime="application/pdf")
    client = _FakePacs({"1.1": deflated_sr_bomb(64 << 20),
                        "1.2": encapsulated_document(b"%PDF-1.4", mime="application/pdf")})
    report = client.study_report([bomb, pdf])
    assert report is not None and (report.kind, report.text, report.sop_uid) == ("refused", "", "1.1")
    assert "decompression bomb" in report.note and not any(v in report.note for v in FAKE_PHI.values())


def test_study_report_prefers_a_readable_report_over_a_refused_one() -> None:
    bomb, doc = _instance("1.1", sr=True), _instance("1.2", sr=False, mime="text/plain")
    client = _FakePacs({"1.1": deflated_sr_bomb(64 << 20), "1.2": encapsulated_document(b"IMPRESSION: Normal.")})
    report = client.study_report([bomb, doc])
    assert report is not None and (report.kind, report.text) == ("document", "IMPRESSION: Normal.")


def test_study_report_over_the_transfer_limit_is_refused_not_raised() -> None:
    client = _FakePacs({"1.1": ImageDecodeError("over the limit", code="too_large")})
    report = client.study_report([_instance("1.1", sr=True)])
    assert report is not None and report.kind == "refused" and "upload limit" in report.note


def test_api_says_the_study_report_was_refused(monkeypatch) -> None:
    """``/api/verify-study`` without report_text on a study whose report was refused: a 422 that says why and
    asks for report_text (the PACS and the image are faked: only the report branch runs)."""
    from types import SimpleNamespace

    from fastapi.testclient import TestClient

    import medrag_core.pacs as pacs
    from api.app import create_app
    from medrag_core.pacs.client import StudyReport
    from medrag_core.settings import Settings

    note = "The study's report object inflates to more than 4 MB (a possible decompression bomb), so it was not read."
    opened = SimpleNamespace(report=StudyReport(text="", sop_uid="1.1", kind="refused", note=note))
    monkeypatch.setattr(pacs, "open_study", lambda *a, **k: opened)
    monkeypatch.setattr(pacs.PacsClient, "from_settings", classmethod(lambda cls, s: None))
    settings = Settings(llm_backend="offline", dicomweb_url="http://127.0.0.1:9/dicom-web")
    with TestClient(create_app(settings)) as client:
        response = client.post("/api/verify-study", json={"study_instance_uid": "1.2.3"})
    assert response.status_code == 422, response.text
    message = response.json()["message"]
    assert "refused" in message and "decompression bomb" in message and "report_text" in message


def test_page_says_the_study_report_was_refused_through_a_real_orthanc(app_env, monkeypatch) -> None:  # noqa: F811
    """A study on Orthanc whose SR is a deflated bomb (64 MiB of text in 66 kB, stored as sent): the study opens,
    its image is shown, and the page warns that the report was refused and asks for it to be pasted."""
    import urllib.request

    from tests.fixtures.orthanc import make_pacs_instance, start_orthanc, stow
    from tests.page_helpers import all_text, app_test

    study, series = "1.2.826.0.1.3680043.8.498.71", "1.2.826.0.1.3680043.8.498.72"
    with start_orthanc() as server:
        image, _ = make_pacs_instance(patient_id="BOMB-1", accession="ACC-B1", study_date="20240303",
                                      study_uid=study, series_uid=series)
        stow(server, [image])
        bomb = deflated_sr_bomb(64 << 20, StudyInstanceUID=study, SeriesInstanceUID="1.2.826.0.1.3680043.8.498.73",
                                PatientID="BOMB-1", AccessionNumber="ACC-B1", StudyDate="20240303")
        request = urllib.request.Request(f"{server.url}/instances", data=bomb, method="POST",
                                         headers={"Content-Type": "application/dicom"})
        with urllib.request.urlopen(request, timeout=120) as answer:  # Orthanc's REST store: the bytes as sent
            assert answer.status == 200
        monkeypatch.setenv("MEDRAG_DICOMWEB_URL", server.dicomweb_url)
        at = app_test("pages/verify.py", timeout=120).run()
        at.text_input(key="pacs_patient").input("BOMB-1")
        at.button(key="FormSubmitter:pacs_search-Search the PACS").click().run()
        at.button(key="pacs_open").click().run()
        assert not at.exception, at.exception
        warnings = [w.value for w in at.warning]
        assert any("decompression bomb" in w and "Paste the report instead" in w for w in warnings), all_text(at)
        with pytest.raises(KeyError):
            at.button(key="pacs_use_report")
        assert "px · dicom" in all_text(at)  # the image was opened all the same
