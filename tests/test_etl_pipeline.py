"""etl.run_ingest on the real embedded Postgres with the tiny SigLIP: exact counts in the database,
idempotence, resume after SIGKILL, parallel shards, per-case errors, Open-i and DICOM sources."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time

import pytest

from etl import IngestProgress, run_ingest
from etl.sources import parse_source
from tests.fixtures.etl_data import (
    assert_complete,
    etl_env,
    expected_ids,
    make_dicom_folder,
    make_openi_folder,
    make_rows,
    q,
    scalar,
    write_parquet,
)
from tests.fixtures.images import FAKE_PHI


def test_parquet_ingest_exact_counts_and_rerun_adds_nothing(tmp_path, store, pg_settings, pg_conninfo,
                                                            tiny_embedder) -> None:  # fmt: skip
    path = write_parquet(tmp_path / "set.parquet", make_rows(12, 2))
    seen: list[IngestProgress] = []
    report = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder, batch_size=7,
                        on_progress=seen.append)  # fmt: skip
    assert (report.seen, report.written, report.skipped, report.errors, report.finished) == (24, 24, 0, 0, True)
    assert report.rate > 0 and seen and seen[-1].written == 24 and seen[-1].total_hint == 24
    assert_complete(pg_conninfo, 24)
    assert {r[0] for r in q(pg_conninfo, "SELECT case_id FROM cases")} == expected_ids(path)
    assert scalar(pg_conninfo, "SELECT count(DISTINCT study_id) FROM cases") == 12
    assert scalar(pg_conninfo, "SELECT count(*) FROM images") == 24
    # Two images of a study share the report and its text embedding (up to batch-to-batch float noise).
    assert {r[0] for r in q(pg_conninfo, "SELECT count(DISTINCT findings) FROM cases GROUP BY study_id")} == {1}
    assert scalar(pg_conninfo, "SELECT max(a.text_embedding <-> b.text_embedding) FROM cases a"
                               " JOIN cases b USING (study_id)") < 1e-4  # fmt: skip
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases WHERE 'Pleural Effusion' = ANY(labels)") == 6
    assert q(pg_conninfo, "SELECT DISTINCT source, embed_model FROM cases") == [("set", tiny_embedder.name)]
    assert q(pg_conninfo, "SELECT position, rows_written, done FROM ingest_progress") == [(24, 24, True)]
    # run_ingest itself refreshes the statistics the full-text pruning reads (CLI and Admin page alike)
    assert scalar(pg_conninfo, "SELECT count(*) FROM pg_stats WHERE tablename = 'cases' AND attname = 'fts'") == 1

    again = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder, batch_size=7)
    assert (again.written, again.skipped, again.errors) == (0, 24, 0)
    store.reset_progress()  # without recorded progress, ids already stored are still skipped
    third = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder, batch_size=7)
    assert (third.written, third.skipped) == (0, 24)
    assert_complete(pg_conninfo, 24)


def test_parquet_extra_columns_are_kept_as_metadata_in_the_database(tmp_path, store, pg_settings, pg_conninfo,
                                                                     tiny_embedder) -> None:  # fmt: skip
    rows = make_rows(3, 2)
    for i, row in enumerate(rows):
        row.update(license="CC BY-NC-SA 4.0" if i % 2 else "CC BY 4.0", label=f"label {i // 2}",
                   source_url=f"https://example.org/img/{i}.png" if i != 5 else "")  # fmt: skip
    path = write_parquet(tmp_path / "prov.parquet", rows)
    report = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder, batch_size=4)
    assert (report.written, report.errors) == (6, 0)
    got = {r[0]: r[1] for r in q(pg_conninfo, "SELECT case_id, metadata FROM cases")}
    expected = {item.case_id: {"license": row["license"], "label": row["label"]}
                | ({"source_url": row["source_url"]} if row["source_url"] else {})
                for item, row in zip(parse_source(str(path)).items(), rows, strict=True)}  # fmt: skip
    assert got == expected
    assert [c.metadata for c in store.get(sorted(got))] == [expected[k] for k in sorted(got)]


def test_an_image_listed_twice_is_counted_not_silently_collapsed(tmp_path, store, pg_settings, pg_conninfo,
                                                                 tiny_embedder, caplog) -> None:  # fmt: skip
    rows = make_rows(3, 2)
    rows.insert(2, dict(rows[1]))  # the same image of the same study again, in the same batch
    path = write_parquet(tmp_path / "dup.parquet", rows)
    with caplog.at_level(logging.WARNING, logger="etl.pipeline"):
        report = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder, batch_size=10)
    assert (report.seen, report.written, report.duplicates, report.errors) == (7, 6, 1, 0)
    assert report.progress().duplicates == 1 and "duplicate ids 1" in report.summary()
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases") == 6
    assert any("repeat a case id" in r.getMessage() for r in caplog.records)


def test_reembed_rewrites_every_case(tmp_path, store, pg_settings, pg_conninfo, tiny_embedder) -> None:
    path = write_parquet(tmp_path / "set.parquet", make_rows(3, 2))
    run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder)
    before = scalar(pg_conninfo, "SELECT max(updated_at) FROM cases")
    report = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder, reembed=True)
    assert (report.written, report.skipped) == (6, 0)
    assert scalar(pg_conninfo, "SELECT min(updated_at) FROM cases") > before
    assert_complete(pg_conninfo, 6)


def test_corrupt_images_are_counted_and_the_rest_ingests(tmp_path, store, pg_settings, pg_conninfo, tiny_embedder,
                                                         caplog) -> None:  # fmt: skip
    rows = make_rows(5, 2, corrupt=(1, 6))
    rows[4]["image"]["bytes"] = b"not an image at all, just text"
    path = write_parquet(tmp_path / "bad.parquet", rows)
    with caplog.at_level(logging.WARNING, logger="etl"):
        report = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder, batch_size=4)
    assert (report.seen, report.written, report.errors) == (10, 7, 3)
    assert sum(report.error_codes.values()) == 3 and all(c.startswith("image_") for c in report.error_codes)
    assert_complete(pg_conninfo, 7)
    logged = caplog.text
    assert "study000/" in logged  # the case is named ...
    assert not any(r["findings"][:20] in logged for r in rows)  # ... its report text never is


def test_limit_then_resume(tmp_path, store, pg_settings, pg_conninfo, tiny_embedder) -> None:
    path = write_parquet(tmp_path / "set.parquet", make_rows(10, 1))
    first = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder, limit=4, batch_size=3)
    assert (first.written, first.finished) == (4, True)
    assert q(pg_conninfo, "SELECT position, done FROM ingest_progress") == [(4, False)]
    rest = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder, batch_size=3)
    assert (rest.written, rest.skipped) == (6, 4)
    assert_complete(pg_conninfo, 10)


def test_cancel_stops_after_a_batch_and_resumes(tmp_path, store, pg_settings, pg_conninfo, tiny_embedder) -> None:
    path = write_parquet(tmp_path / "set.parquet", make_rows(12, 1))
    cancel = threading.Event()
    report = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder, batch_size=2, cancel=cancel,
                        on_progress=lambda p: cancel.set())  # fmt: skip
    assert report.cancelled and not report.finished
    assert 2 <= report.written < 12
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases") == report.written
    rest = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder, batch_size=2)
    assert rest.written == 12 - report.written
    assert_complete(pg_conninfo, 12)


def test_process_pool_gives_the_same_rows(tmp_path, store, pg_settings, pg_conninfo, tiny_embedder) -> None:
    path = write_parquet(tmp_path / "set.parquet", make_rows(4, 2, corrupt=(3,)))
    report = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder, pool="process", workers=2)
    assert (report.written, report.errors) == (7, 1)
    assert_complete(pg_conninfo, 7)


def test_openi_folder_ingest(tmp_path, store, pg_settings, pg_conninfo, tiny_embedder) -> None:
    root = make_openi_folder(tmp_path / "openi")
    report = run_ingest(str(root), pg_settings, store=store, embedder=tiny_embedder)
    # 3 images + CXR3 text-only; CXR4 has no text and no image; 5.xml is malformed.
    assert (report.seen, report.written, report.empty, report.errors) == (6, 4, 1, 1)
    assert report.error_codes == {"source_malformed_XML": 1}
    rows = dict(q(pg_conninfo, "SELECT case_id, image_embedding IS NOT NULL FROM cases"))
    assert rows == {"CXR1/CXR1_1_IM-0001-3001": True, "CXR1/CXR1_1_IM-0001-4001": True,
                    "CXR2/CXR2_IM-0652-1001": True, "CXR3": False}  # fmt: skip
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases WHERE text_embedding IS NULL") == 0
    assert q(pg_conninfo, "SELECT indication, impression FROM cases WHERE case_id = 'CXR3'") == [
        ("Cough.", "No acute cardiopulmonary abnormality.")]  # fmt: skip
    assert dict(q(pg_conninfo, "SELECT case_id, metadata->>'mesh' FROM cases WHERE metadata ? 'mesh'")) == {
        "CXR2/CXR2_IM-0652-1001": "Pleural Effusion/left/small; Cardiomegaly/mild", "CXR3": "normal"}  # fmt: skip
    # The MeSH labels sit beside the labels read from the report ("Small left pleural effusion." -> Pleural Effusion).
    assert q(pg_conninfo, "SELECT labels FROM cases WHERE case_id = 'CXR2/CXR2_IM-0652-1001'") == [
        (["MeSH: Cardiomegaly", "MeSH: Pleural Effusion", "Pleural Effusion"],)]  # fmt: skip


def test_dicom_ingest_stores_pixels_never_headers(tmp_path, store, pg_settings, pg_conninfo, tiny_embedder,
                                                  caplog) -> None:  # fmt: skip
    root = make_dicom_folder(tmp_path / "dicoms")
    with caplog.at_level(logging.DEBUG):
        report = run_ingest(f"dicom:{root}", pg_settings, store=store, embedder=tiny_embedder)
    assert (report.written, report.errors) == (3, 1)  # the CSV row whose file is missing
    assert_complete(pg_conninfo, 3)
    assert q(pg_conninfo, "SELECT DISTINCT mime FROM images") == [("image/png",)]
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases WHERE metadata <> '{}'::jsonb") == 0  # no headers
    blobs = q(pg_conninfo, "SELECT i.bytes, c.thumbnail, c.findings, c.case_id, c.study_id, coalesce(c.view, '')"
                           " FROM cases c JOIN images i ON i.sha256 = c.image_sha256")  # fmt: skip
    for row in blobs:
        assert bytes(row[0]).startswith(b"\x89PNG")
        for value in FAKE_PHI.values():
            needle = value.encode()
            assert all(needle not in (bytes(x) if isinstance(x, bytes | memoryview) else x.encode()) for x in row)
            assert value not in caplog.text


# An ingest that stops dead inside its progress hook once ``STOP_AT`` cases are committed: the barrier
# file tells the test that this point is reached, so the SIGKILL lands at a known place (after the
# third batch of 4 was committed with its progress, while later batches may be prepared but unwritten).
KILLABLE_INGEST = """
import sys, time
from pathlib import Path
from etl import run_ingest
from medrag_core.services import Services
from medrag_core.settings import Settings

path, barrier, stop_at = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
services = Services(Settings.load(secrets_path=None))

def hook(progress):
    if progress.written >= stop_at:
        barrier.write_text(str(progress.written))
        time.sleep(3600)  # killed here

run_ingest(path, services.settings, store=services.store(), embedder=services.embedder(), batch_size=4,
           on_progress=hook)
"""
STOP_AT = 12


@pytest.mark.slow
def test_killed_run_resumes_with_exactly_the_right_rows(tmp_path, store, pg_conninfo, tiny_siglip_dir) -> None:
    path = write_parquet(tmp_path / "big.parquet", make_rows(40, 2))
    barrier = tmp_path / "reached"
    env = etl_env(pg_conninfo, tiny_siglip_dir)
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE_INGEST, str(path), str(barrier), str(STOP_AT)],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        while not barrier.exists():  # a hang is pytest-timeout's to catch
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert barrier.read_text() == str(STOP_AT)
    # Exactly the three committed batches, and their progress with them.
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases") == STOP_AT
    assert q(pg_conninfo, "SELECT position, done FROM ingest_progress") == [(STOP_AT, False)]
    assert_complete(pg_conninfo, STOP_AT)
    cmd = [sys.executable, "-m", "etl", "ingest", str(path), "--batch-size", "4"]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"written {80 - STOP_AT}," in done.stdout and f"skipped {STOP_AT}," in done.stdout
    assert_complete(pg_conninfo, 80)
    assert {r[0] for r in q(pg_conninfo, "SELECT case_id FROM cases")} == expected_ids(path)


@pytest.mark.slow
def test_two_shards_in_parallel_cover_the_set_without_overlap(tmp_path, store, pg_conninfo,
                                                              tiny_siglip_dir) -> None:  # fmt: skip
    path = write_parquet(tmp_path / "set.parquet", make_rows(20, 2, corrupt=(5,)))
    env = etl_env(pg_conninfo, tiny_siglip_dir)
    procs = [
        subprocess.Popen([sys.executable, "-m", "etl", "ingest", str(path), "--shard", f"{i}/2", "--batch-size", "5"],
                         cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(2)
    ]  # fmt: skip
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    written = [int(o[0].split("written ")[1].split(",")[0]) for o in outs]
    assert sum(written) == 39 and all(w > 5 for w in written)
    assert_complete(pg_conninfo, 39)
    ids = {r[0] for r in q(pg_conninfo, "SELECT case_id FROM cases")}
    missing = expected_ids(path) - ids
    assert len(missing) == 1 and missing.pop().startswith("study002/")  # only the corrupt row 5 (study 2)
    assert q(pg_conninfo, "SELECT shard, done FROM ingest_progress ORDER BY shard") == [("0/2", True), ("1/2", True)]
