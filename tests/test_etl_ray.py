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
            # The same model on the same inputs: equal up to float summation order, which can move a value
            # across a rounding boundary of the store's half precision (sql/014): one step is < 1e-3 here.
            if a is not None:
                assert float(np.abs(a - b).max()) < 1e-3, case_id


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


# A Ray driver killed at a known point. Its source is the real parquet source behind a gate (pickled into
# Ray's read task) that stops reading after record RAY_STOP_AT, so this run writes exactly those cases
# and nothing after them; the test waits until they are all committed (the barrier) and the driver has
# recorded some progress, then kills it. Where the driver's position stands then is not fixed (Ray
# hands the driver each written block a little later), so the rerun's counts do not depend on it.
# Ray Data merges a task's small output blocks up to ``target_max_block_size`` (128 MiB) before passing
# them on, so a read that never ends would pass on nothing: here every block leaves the read as it is made.
KILLABLE_RAY_DRIVER = """
import sys, time
from etl import parse_source
from etl.engines import run_ingest_ray
from medrag_core.services import Services
from medrag_core.settings import Settings
from ray.data import DataContext

DataContext.get_current().target_max_block_size = 1
path, address, stop_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
services = Services(Settings.load(secrets_path=None))

class GatedSource:
    def __init__(self, inner, stop_at):
        self.inner, self.stop_at = inner, stop_at
        self.name, self.key = inner.name, inner.key  # the same progress row as the plain source

    def size_hint(self):
        return self.inner.size_hint()

    def items(self):
        for n, record in enumerate(self.inner.items(), 1):
            yield record
            if n == self.stop_at:
                time.sleep(3600)  # the read stops here (killed with the driver)

run_ingest_ray(GatedSource(parse_source(path), stop_at), services.settings, store=services.store(), batch_size=2,
               address=address)
"""
RAY_STOP_AT = 10  # a multiple of the batch size: the read yields the block that ends at it before stopping


@pytest.mark.slow
def test_a_killed_driver_resumes_with_exact_counts(ray_address, tmp_path, store, ray_settings, pg_conninfo,
                                                   tiny_siglip_dir) -> None:  # fmt: skip
    path = write_parquet(tmp_path / "set.parquet", make_rows(60, 2))
    env = etl_env(pg_conninfo, tiny_siglip_dir)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_RAY_DRIVER, str(path), ray_address, str(RAY_STOP_AT)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    progress = "SELECT coalesce(max(position), 0) FROM ingest_progress"
    try:  # a hang is pytest-timeout's to catch
        while scalar(pg_conninfo, "SELECT count(*) FROM cases") < RAY_STOP_AT or scalar(pg_conninfo, progress) == 0:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    position = scalar(pg_conninfo, progress)
    # Exactly the gated cases, whole; progress behind or at them, not done (the driver died in the run).
    assert_complete(pg_conninfo, RAY_STOP_AT)
    assert q(pg_conninfo, "SELECT position, done FROM ingest_progress") == [(position, False)]
    assert 0 < position <= RAY_STOP_AT
    cmd = [sys.executable, "-m", "etl", "ingest", str(path), "--engine", "ray", "--address", ray_address,
           "--batch-size", "2"]  # fmt: skip
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    # Every record counted once: those up to the position and the stored ones after it skipped, the rest
    # written ("seen" counts both).
    assert f"seen 120, written {120 - RAY_STOP_AT}, skipped {RAY_STOP_AT}, empty 0, errors 0" in done.stdout, (
        done.stdout[-2000:]
    )  # fmt: skip
    assert_complete(pg_conninfo, 120)
    assert {r[0] for r in q(pg_conninfo, "SELECT case_id FROM cases")} == expected_ids(path)
    assert q(pg_conninfo, "SELECT position, done FROM ingest_progress") == [(120, True)]
