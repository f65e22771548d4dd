"""The Ray engine (etl.engines) on a local Ray with 2 CPUs, the tiny SigLIP and the embedded Postgres:
the same cases and vectors as the local engine, a killed embed actor, a killed driver.

Few tests on purpose (Ray takes seconds to start): one Ray per session, shut down at its end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psutil
import pytest
from pydantic import SecretStr

from etl import SourceItem, parse_source, run_ingest
from etl.engines import plan_stages, run_ingest_ray
from medrag_core.settings import Settings
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
from tests.shared_data import DATA, require_shared

pytestmark = pytest.mark.ray
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    """A local Ray with 2 CPUs for the whole session (its GCS address, for drivers that join it)."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING",
             runtime_env={"py_modules": [str(REPO / "etl"), str(REPO / "medrag_core")]})  # fmt: skip
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


@pytest.fixture
def ray_settings(pg_settings: Settings, pg_conninfo: str, tiny_siglip_dir: Path) -> Settings:
    """The tiny SigLIP as the tiny_embedder fixture builds it, and the test database by URL (workers
    are other processes)."""
    return pg_settings.model_copy(update={
        "database_url": SecretStr(pg_conninfo), "embed_model": str(tiny_siglip_dir), "device": "cpu",
        "dtype": "float32", "embed_batch_size": 4})  # fmt: skip


def stored(store, ids: set[str]) -> dict[str, tuple]:
    """case id -> (image vector, text vector, labels, study, image sha256) as the database holds them."""
    cases = {c.case_id: c for c in store.get(sorted(ids))}
    return {i: (store.get_embedding(i, "image"), store.get_embedding(i, "text"), tuple(c.labels), c.study_id,
                c.image_sha256) for i, c in cases.items()}  # fmt: skip


def assert_same_cases(local: dict[str, tuple], remote: dict[str, tuple]) -> None:
    assert remote.keys() == local.keys()
    for case_id, (ivec, tvec, *rest) in local.items():
        rivec, rtvec, *rrest = remote[case_id]
        assert rrest == rest, case_id
        for a, b in ((ivec, rivec), (tvec, rtvec)):
            assert (a is None) == (b is None), case_id
            if a is not None:  # the same model on the same inputs: equal up to float summation order
                assert float(np.abs(a - b).max()) < 1e-5, case_id


def compare_engines(path: Path | str, settings: Settings, store, embedder, batch_size: int) -> None:
    local = run_ingest(str(path), settings, store=store, embedder=embedder, batch_size=batch_size)
    ids = {r.case_id for r in parse_source(str(path)).items() if isinstance(r, SourceItem)}
    local_rows = stored(store, ids)
    local_progress = store.list_progress()
    assert local.written > 0
    store.truncate_all()
    remote = run_ingest_ray(str(path), settings, store=store, batch_size=batch_size)
    counts = ("seen", "written", "skipped", "empty", "errors", "duplicates", "finished")
    assert [getattr(remote, c) for c in counts] == [getattr(local, c) for c in counts]
    assert remote.error_codes == local.error_codes
    assert_same_cases(local_rows, stored(store, ids))
    got = [(p.source_key, p.shard, p.position, p.rows_written, p.errors, p.done) for p in store.list_progress()]
    assert got == [(p.source_key, p.shard, p.position, p.rows_written, p.errors, p.done) for p in local_progress]


def test_plan_uses_one_gpu_per_actor_or_pins_cpu_threads() -> None:
    gpu = plan_stages({"CPU": 32, "GPU": 4}, writers=3)
    assert (gpu.embed_actors, gpu.embed_gpus, gpu.device, gpu.writers) == (4, 1, "cuda", 3)
    cpu = plan_stages({"CPU": 2})
    assert (cpu.embed_actors, cpu.embed_cpus, cpu.torch_threads, cpu.device) == (1, 1, 2, "cpu")
    big = plan_stages({"CPU": 64})
    assert (big.embed_actors, big.embed_cpus, big.torch_threads) == (8, 7, 8)


@pytest.mark.slow
def test_ray_engine_writes_the_same_cases_and_vectors_as_the_local_engine(
        ray_address, tmp_path, store, ray_settings, pg_conninfo, tiny_embedder) -> None:  # fmt: skip
    rows = make_rows(7, 2, corrupt=(3,))  # a poisoned record: counted and skipped by both
    rows.insert(5, dict(rows[4]))  # an image listed twice within one block: counted as a duplicate
    path = write_parquet(tmp_path / "set.parquet", rows)
    compare_engines(path, ray_settings, store, tiny_embedder, batch_size=3)
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases") == 13
    assert q(pg_conninfo, "SELECT position, rows_written, errors, done FROM ingest_progress") == [(15, 13, 1, True)]
    again = run_ingest_ray(str(path), ray_settings, store=store, batch_size=3)  # resumes past the end
    assert (again.written, again.skipped, again.seen) == (0, 15, 15)


def test_ray_engine_matches_the_local_engine_on_openi_and_dicom_sources(
        ray_address, tmp_path, store, ray_settings, tiny_embedder) -> None:  # fmt: skip
    compare_engines(make_openi_folder(tmp_path / "openi"), ray_settings, store, tiny_embedder, batch_size=2)
    store.truncate_all()
    compare_engines(f"dicom:{make_dicom_folder(tmp_path / 'dicom')}", ray_settings, store, tiny_embedder, batch_size=2)


@pytest.mark.shared
@pytest.mark.timeout(1800)  # 326 real images through both engines: a hang guard for a loaded machine
def test_ray_engine_matches_the_local_engine_on_the_shared_sample(
        ray_address, store, ray_settings, tiny_embedder) -> None:  # fmt: skip
    path = require_shared(DATA / "cxr_sample" / "cases.parquet")
    compare_engines(path, ray_settings, store, tiny_embedder, batch_size=64)


def embed_actor_pids() -> list[int]:
    """Embed actors of this session's Ray only: its raylet and workers descend from this process
    (another test run on the machine has its own)."""
    pids = []
    for p in psutil.Process().children(recursive=True):
        try:
            if any("MapBatches(_EmbedStage)" in part for part in p.cmdline()):
                pids.append(p.pid)
        except psutil.Error:  # gone meanwhile
            continue
    return pids


@pytest.mark.slow
def test_a_killed_embed_actor_loses_and_duplicates_nothing(ray_address, tmp_path, store, ray_settings,
                                                           pg_conninfo) -> None:  # fmt: skip
    path = write_parquet(tmp_path / "set.parquet", make_rows(15, 2))
    killed: list[int] = []

    def kill_once_rows_land() -> None:
        while not killed:
            pids = embed_actor_pids()
            if pids and scalar(pg_conninfo, "SELECT count(*) FROM cases") >= 4:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
                killed.append(scalar(pg_conninfo, "SELECT count(*) FROM cases"))
            time.sleep(0.02)

    killer = threading.Thread(target=kill_once_rows_land, daemon=True)
    killer.start()
    report = run_ingest_ray(str(path), ray_settings, store=store, batch_size=2)
    killer.join(5)
    assert killed and killed[1] < 30, "the actor was not killed mid-run"
    assert not psutil.pid_exists(killed[0]) or psutil.Process(killed[0]).status() == psutil.STATUS_ZOMBIE
    assert (report.seen, report.written, report.errors, report.skipped, report.finished) == (30, 30, 0, 0, True)
    assert_complete(pg_conninfo, 30)
    assert {r[0] for r in q(pg_conninfo, "SELECT case_id FROM cases")} == expected_ids(path)
    assert q(pg_conninfo, "SELECT position, rows_written, errors, done FROM ingest_progress") == [(30, 30, 0, True)]


@pytest.mark.slow
def test_a_killed_driver_resumes_with_exact_counts(ray_address, tmp_path, store, ray_settings, pg_conninfo,
                                                   tiny_siglip_dir) -> None:  # fmt: skip
    path = write_parquet(tmp_path / "set.parquet", make_rows(60, 2))
    cmd = [sys.executable, "-m", "etl", "ingest", str(path), "--engine", "ray", "--address", ray_address,
           "--batch-size", "2"]  # fmt: skip
    env = etl_env(pg_conninfo, tiny_siglip_dir)
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while scalar(pg_conninfo, "SELECT count(*) FROM cases") < 6:  # a hang is pytest-timeout's to catch
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    position = scalar(pg_conninfo, "SELECT coalesce(max(position), 0) FROM ingest_progress")
    written = scalar(pg_conninfo, "SELECT count(*) FROM cases")
    assert position <= written < 120, "progress ran ahead of the rows, or the kill came too late"
    assert_complete(pg_conninfo, written)  # whole cases only
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = done.stdout.strip().splitlines()[-1]
    seen, rerun_written, skipped = (int(summary.split(f"{k} ")[1].split(",")[0]) for k in ("seen", "written",
                                                                                          "skipped"))  # fmt: skip
    assert seen == 120 - position and rerun_written + skipped == seen and "errors 0" in summary
    assert_complete(pg_conninfo, 120)
    assert {r[0] for r in q(pg_conninfo, "SELECT case_id FROM cases")} == expected_ids(path)
    assert q(pg_conninfo, "SELECT position, done FROM ingest_progress") == [(120, True)]
