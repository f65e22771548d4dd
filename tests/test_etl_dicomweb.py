"""The ``dicomweb:`` ingest source against a real Orthanc: filters, the reports CSV join, the study's own SR,
no header value stored, a PACS that is down, and a killed run that resumes by SOP Instance UID."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from etl import run_ingest
from etl.sources import DicomWebSource, SourceItem, parse_source
from medrag_core.errors import SourceError
from medrag_core.settings import Settings
from tests.fixtures.etl_data import assert_complete, etl_env, q, scalar
from tests.fixtures.orthanc import PacsArchive, free_port, make_pacs_instance, start_orthanc, stow

REPORTS = {
    "ACC-1001": ("There is a small left pleural effusion.", "Small left pleural effusion."),
    "ACC-1002": ("The lungs are clear.", "No acute cardiopulmonary process."),
    "ACC-2001": ("Right lower lobe opacity.", "Right lower lobe pneumonia."),
}


def _csv(path: Path, key: str, rows: dict[str, tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([key, "findings", "impression"])
        for ref, (findings, impression) in rows.items():
            writer.writerow([ref, findings, impression])
    return path


def _settings(pg_settings: Settings, url: str) -> Settings:
    return pg_settings.model_copy(update={"dicomweb_url": url})


def test_spec_parsing_and_refusals(tmp_path: Path, orthanc: PacsArchive) -> None:
    settings = Settings(dicomweb_url=orthanc.server.dicomweb_url)
    source = parse_source("dicomweb:,patient=PACS-P1,from=2024-01-01,to=2024-12-31,modality=CR+DX", settings=settings)
    assert isinstance(source, DicomWebSource)
    assert source.query.search_filters() == {"PatientID": "PACS-P1", "StudyDate": "20240101-20241231",
                                             "ModalitiesInStudy": "CR,DX"}
    assert "PACS-P1" not in source.key and source.key.startswith(f"dicomweb:{orthanc.server.dicomweb_url}")
    bad = [
        ("dicomweb:,from=01/02/2024", "must be a date"),
        ("dicomweb:,key=study", "needs csv="),
        (f"dicomweb:,csv={_csv(tmp_path / 'r.csv', 'file', {})}", "needs an 'study' column"),
        ("dicomweb:,modality=X-RAY", "not a DICOM modality"),
        ("dicomweb:,colour=red", "Valid options"),
        ("dicomweb:ftp://pacs/dicom-web", "must start with http"),
    ]
    for spec, message in bad:
        with pytest.raises(SourceError, match=message):
            parse_source(spec, settings=settings)
    with pytest.raises(SourceError, match="No PACS is configured"):
        parse_source("dicomweb:", settings=Settings())


def test_items_join_the_csv_by_accession_and_fetch_lazily(tmp_path: Path, orthanc: PacsArchive) -> None:
    path = _csv(tmp_path / "reports.csv", "accession", REPORTS)
    source = parse_source(f"dicomweb:{orthanc.server.dicomweb_url},csv={path}", settings=Settings())
    items = [i for i in source.items() if isinstance(i, SourceItem)]
    assert {i.case_id for i in items} == {inst.sop_uid for inst in orthanc.instances}  # every image, no SR
    assert all(i.image is None and i.fetch is not None for i in items)
    by_id = {i.case_id: i for i in items}
    for inst in orthanc.instances:
        item = by_id[inst.sop_uid]
        assert item.study_id == inst.study_uid
        assert (item.findings, item.impression) == REPORTS.get(inst.accession, ("", ""))
        assert item.view == ({"LATERAL": "LL", "": None}.get(inst.view, inst.view))
    one = by_id[orthanc.instances[0].sop_uid]
    assert one.fetch() == orthanc.files[one.case_id] or one.fetch()[128:132] == b"DICM"


@pytest.mark.parametrize("options, studies", [
    ("patient=PACS-P2", {"p2_cr", "p2_hint"}),
    ("accession=ACC-1002", {"p1_cr_mono1"}),
    ("from=2025-01-01", {"p1_lateral_only", "p2_hint"}),
    ("modality=CR", {"p1_cr_mono1", "p2_cr"}),
])
def test_filters_select_the_studies(orthanc: PacsArchive, options: str, studies: set[str]) -> None:
    source = parse_source(f"dicomweb:{orthanc.server.dicomweb_url},{options}", settings=Settings())
    source = DicomWebSource(**{**source.__dict__, "page_size": 2})  # several pages even for 5 studies
    got = {i.study_id for i in source.items() if isinstance(i, SourceItem)}
    assert got == {orthanc.studies[name] for name in studies}


def test_study_without_csv_row_takes_its_own_sr(tmp_path: Path, orthanc: PacsArchive) -> None:
    path = _csv(tmp_path / "by_study.csv", "study", {orthanc.studies["p2_cr"]: ("Clear lungs.", "Normal.")})
    spec = f"dicomweb:{orthanc.server.dicomweb_url},csv={path},sr=yes,patient=PACS-P1,from=2024-01-01,to=2024-01-31"
    items = [i for i in parse_source(spec, settings=Settings()).items() if isinstance(i, SourceItem)]
    assert len(items) == 2
    assert {i.impression for i in items} == {"Small left pleural effusion."}
    assert all(i.findings.startswith("There is a small left pleural effusion.") for i in items)
    spec_p2 = f"dicomweb:{orthanc.server.dicomweb_url},csv={path},patient=PACS-P2,modality=CR"
    p2 = [i for i in parse_source(spec_p2, settings=Settings()).items() if isinstance(i, SourceItem)]
    assert {(i.findings, i.impression) for i in p2} == {("Clear lungs.", "Normal.")}


def test_ingest_stores_pixels_and_csv_text_never_headers(tmp_path: Path, orthanc: PacsArchive, store,
                                                         pg_settings: Settings, pg_conninfo: str, tiny_embedder,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    import logging

    path = _csv(tmp_path / "reports.csv", "accession", REPORTS)
    settings = _settings(pg_settings, orthanc.server.dicomweb_url)
    with caplog.at_level(logging.DEBUG):
        report = run_ingest(f"dicomweb:,csv={path}", settings, store=store, embedder=tiny_embedder, batch_size=3)
    n = len(orthanc.instances)
    assert (report.written, report.errors) == (n, 0), report.summary()
    rows = q(pg_conninfo, "SELECT c.case_id, c.study_id, c.findings, c.metadata::text, i.mime, i.bytes "
                          "FROM cases c JOIN images i ON i.sha256 = c.image_sha256")
    assert {r[0] for r in rows} == {inst.sop_uid for inst in orthanc.instances}
    assert {r[4] for r in rows} == {"image/png"}
    for needle in ("ZZTESTFAKE", "PACS-P1", "PACS-P2", "ACC-1001", "19000101"):
        assert all(needle not in str(r[:4]) and needle.encode() not in bytes(r[5]) for r in rows)
        assert needle not in caplog.text
    again = run_ingest(f"dicomweb:,csv={path}", settings, store=store, embedder=tiny_embedder, batch_size=3)
    assert (again.written, again.skipped) == (0, n)


def test_pacs_down_is_a_source_error(store, pg_settings: Settings, tiny_embedder) -> None:
    settings = _settings(pg_settings, f"http://127.0.0.1:{free_port()}/dicom-web")
    with pytest.raises(SourceError, match="not reachable"):
        run_ingest("dicomweb:", settings, store=store, embedder=tiny_embedder)
    assert store.count() == 0


def _fill_many(server, studies: int) -> int:
    from pydicom.uid import generate_uid

    files = []
    for n in range(studies):
        study = generate_uid()
        for view in ("PA", "LATERAL"):
            data, _ = make_pacs_instance(patient_id=f"MANY-{n}", accession=f"MANY-{n:03d}", study_uid=study,
                                         series_uid=generate_uid(), study_date=f"2024{1 + n % 12:02d}15", view=view,
                                         seed=n)
            files.append(data)
    stow(server, files)
    return len(files)


def test_resume_after_a_cancel_fetches_only_what_is_missing(store, pg_settings: Settings, tiny_embedder,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.sources.dicomweb as dicomweb

    fetched: list[str] = []
    real = dicomweb.fetch_instance

    def counting(config, instance, max_pixels):
        fetched.append(instance.sop_uid)
        return real(config, instance, max_pixels)

    monkeypatch.setattr(dicomweb, "fetch_instance", counting)
    with start_orthanc() as server:
        total = _fill_many(server, 6)
        settings = _settings(pg_settings, server.dicomweb_url)
        cancel = threading.Event()
        first = run_ingest("dicomweb:", settings, store=store, embedder=tiny_embedder, batch_size=4, workers=1,
                           cancel=cancel, on_progress=lambda p: cancel.set())
        assert first.cancelled and 4 <= first.written < total
        fetched_first = len(fetched)
        rest = run_ingest("dicomweb:", settings, store=store, embedder=tiny_embedder, batch_size=4, workers=1)
    assert (rest.written, rest.skipped) == (total - first.written, first.written)
    assert len(fetched) - fetched_first == total - first.written  # stored images are not transferred again
    assert len(set(fetched)) == total


def test_killed_run_resumes_by_sop_instance_uid(tmp_path: Path, store, pg_conninfo: str,
                                                tiny_siglip_dir: Path) -> None:
    with start_orthanc() as server:
        total = _fill_many(server, 8)
        reports = _csv(tmp_path / "many.csv", "accession",
                       {f"MANY-{n:03d}": (f"Finding number {n}.", "Normal.") for n in range(8)})
        cmd = [sys.executable, "-m", "etl", "ingest", f"dicomweb:,csv={reports}", "--batch-size", "2", "--workers", "1"]
        env = {**etl_env(pg_conninfo, tiny_siglip_dir), "MEDRAG_DICOMWEB_URL": server.dicomweb_url}
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            while scalar(pg_conninfo, "SELECT count(*) FROM cases") < 4:  # the known point: two batches in
                assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
                time.sleep(0.02)
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
        written = scalar(pg_conninfo, "SELECT count(*) FROM cases")
        assert 4 <= written < total, "kill came too late to test a resume"
        assert_complete(pg_conninfo, written)
        done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"written {total - written}," in done.stdout and f"skipped {written}," in done.stdout
    assert_complete(pg_conninfo, total)
    assert scalar(pg_conninfo, "SELECT count(DISTINCT case_id) FROM cases WHERE case_id LIKE '1.2.%'") == total


def test_a_pacs_source_resumes_by_id_never_by_position(tmp_path: Path, store) -> None:
    from etl import progress_store
    from tests.fixtures.etl_data import make_rows, write_parquet

    pacs = parse_source("dicomweb:http://127.0.0.1:9/dicom-web", settings=Settings())
    parquet = parse_source(str(write_parquet(tmp_path / "set.parquet", make_rows(3, 1))))
    for source in (pacs, parquet):
        store.set_progress(source.key, "0/1", 2, source=source.name)
    # A PACS lists studies in its own order, which new studies change: a recorded position could skip them.
    assert progress_store.resume_position(store, pacs, "0/1") == 0
    assert progress_store.resume_position(store, parquet, "0/1") == 2
    assert progress_store.resume_position(store, parquet, "0/1", reembed=True) == 0
