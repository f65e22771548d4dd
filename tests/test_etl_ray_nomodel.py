"""``etl ingest --engine ray`` without a model, like the local engine (tests/test_etl_embed.py): the same
one-line note, the same rows (cases, report text, images, thumbnails, full-text, progress; both
embeddings empty, no model bound), ``--reembed`` refused before any write; ``etl embed`` then fills the
vectors, equal to those a Ray ingest with the model writes. Local Ray with 2 CPUs, the tiny SigLIP,
the embedded Postgres.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from etl.__main__ import main
from etl.engines import ray_model_problem
from medrag_core.settings import Settings
from tests.fixtures.etl_data import (
    NO_MODEL,
    make_openi_folder,
    make_rows,
    q,
    scalar,
    use_no_model_env,
    write_parquet,
)

pytestmark = pytest.mark.ray
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """A local Ray with 2 CPUs for this module, stopped at its end; one another module started in this
    process is used as it is and left to its owner."""
    ray = pytest.importorskip("ray")
    if ray.is_initialized():
        yield
        return
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING",
             runtime_env={"py_modules": [str(REPO / "etl"), str(REPO / "medrag_core")]})  # fmt: skip
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pg_conninfo: str, store) -> None:
    """The CLI's settings from env: the test database by URL (Ray workers are other processes), no model."""
    use_no_model_env(monkeypatch, tmp_path, pg_conninfo)
    monkeypatch.setenv("MEDRAG_EMBED_BATCH_SIZE", "4")


def snapshot(conninfo: str) -> dict[str, list[tuple]]:
    """Everything an ingest wrote, but for timestamps (images and thumbnails by digest)."""
    return {
        "cases": q(conninfo, "SELECT case_id, study_id, source, findings, impression, indication, comparison, view,"
                             " labels, image_sha256, md5(thumbnail), image_embedding IS NULL, text_embedding IS NULL,"
                             " embed_model, fts::text, metadata::text FROM cases ORDER BY case_id"),
        "images": q(conninfo, "SELECT sha256, mime, md5(bytes) FROM images ORDER BY sha256"),
        "progress": q(conninfo, "SELECT source_key, shard, source, position, rows_written, errors, done"
                                " FROM ingest_progress ORDER BY source_key, shard"),
        "store_meta": q(conninfo, "SELECT embed_model, dimension FROM store_meta"),
    }


def ingest(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[list[str], str]:
    """``python -m etl ingest ARGS`` in this process: (its note lines, its summary line)."""
    assert main(["ingest", *args]) == 0
    out = capsys.readouterr().out
    return [line for line in out.splitlines() if line.startswith("note:")], out.strip().splitlines()[-1]


def test_the_driver_knows_whether_the_actors_can_load_the_model(pg_settings: Settings,
                                                                tiny_siglip_dir: Path) -> None:  # fmt: skip
    assert ray_model_problem(pg_settings.model_copy(update={"embed_model": str(tiny_siglip_dir)})) is None
    problem = ray_model_problem(pg_settings.model_copy(update={"embed_model": NO_MODEL}))
    assert problem and "MEDRAG_EMBED_MODEL" in problem  # the local engine's message: how to get the weights


@pytest.mark.timeout(1200)
def test_ray_ingest_without_a_model_stores_what_the_local_engine_stores_and_embed_fills_it(
    local_ray, cli_env, tmp_path: Path, pg_conninfo: str, store, tiny_siglip_dir: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    parquet = write_parquet(tmp_path / "demo.parquet", make_rows(5, 2, corrupt=(3,)))  # a poisoned record too
    openi = make_openi_folder(tmp_path / "openi", with_images=False)  # text-only cases
    sources = [str(parquet), str(openi)]

    local = [ingest(capsys, source, "--batch-size", "3") for source in sources]
    local_rows = snapshot(pg_conninfo)
    store.truncate_all()
    remote = [ingest(capsys, source, "--batch-size", "3", "--engine", "ray") for source in sources]

    for (local_notes, local_summary), (notes, summary) in zip(local, remote, strict=True):
        assert notes == local_notes and len(notes) == 1  # the same one-line note
        assert NO_MODEL in notes[0] and ".venv/bin/python -m etl embed" in notes[0]
        counts = lambda line: line.split(": ", 1)[1].split("; ")[0]  # noqa: E731 - "finished. seen .., written .."
        assert counts(summary) == counts(local_summary) and summary.endswith("stored without embeddings (no model)")
    assert "written 9," in remote[0][1] and "errors 1" in remote[0][1]  # 10 images, one corrupt
    assert "written 3," in remote[1][1]
    rows = snapshot(pg_conninfo)
    assert rows == local_rows
    assert len(rows["cases"]) == 12 and rows["store_meta"] == []  # no model bound to the store
    assert all(c[11] and c[12] and c[13] is None for c in rows["cases"])  # no vector, no model recorded
    assert sum(c[10] is not None for c in rows["cases"]) == 9  # thumbnails of the decodable images
    assert "'effus'" in " ".join(c[14] for c in rows["cases"])  # the full-text index (stemmed) is there

    # Re-embedding without the model erases nothing: refused before Ray starts.
    assert main(["ingest", str(parquet), "--engine", "ray", "--reembed"]) == 2
    assert "etl embed --reembed" in capsys.readouterr().err
    assert snapshot(pg_conninfo) == rows

    # The model arrives: `etl embed` fills every vector, as a Ray ingest with the model computes them.
    monkeypatch.setenv("MEDRAG_EMBED_MODEL", str(tiny_siglip_dir))
    assert main(["embed", "--batch-size", "5"]) == 0
    assert "still missing 0" in capsys.readouterr().out
    filled = {case_id: (store.get_embedding(case_id, "image"), store.get_embedding(case_id, "text"))
              for (case_id, *_) in rows["cases"]}  # fmt: skip
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases WHERE text_embedding IS NULL") == 0
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases WHERE image_embedding IS NULL") == 3  # the text-only
    store.truncate_all()
    notes, summary = ingest(capsys, str(parquet), "--batch-size", "3", "--engine", "ray")
    assert notes == [] and "without embeddings" not in summary and "written 9," in summary
    compared = 0
    for case_id, (image_vec, text_vec) in filled.items():
        if image_vec is None:  # the text-only Open-i cases: not ingested again
            continue
        # up to one step of the store's half precision (sql/014), < 1e-3 for these unit vectors
        np.testing.assert_allclose(image_vec, store.get_embedding(case_id, "image"), atol=1e-3)
        np.testing.assert_allclose(text_vec, store.get_embedding(case_id, "text"), atol=1e-3)
        compared += 1
    assert compared == 9
