"""Day one without the weights: ``etl ingest`` with no model stores everything but the vectors, and
``etl embed`` fills them later (batched, resumable after kill -9, ``--reembed`` after a model change),
on the real embedded Postgres with the tiny SigLIP."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from etl import run_ingest
from etl.__main__ import main
from etl.embed import run_embed
from medrag_core.errors import ConfigError, ModelMismatch
from tests.fixtures.etl_data import (
    NO_MODEL,
    assert_complete,
    etl_env,
    make_openi_folder,
    make_rows,
    q,
    scalar,
    use_no_model_env,
    write_parquet,
)
from tests.fixtures.tiny_siglip import build_tiny_siglip


@pytest.fixture
def no_model_env(monkeypatch: pytest.MonkeyPatch, tmp_path, pg_conninfo, store) -> None:
    use_no_model_env(monkeypatch, tmp_path, pg_conninfo)


def no_vectors(conninfo: str) -> bool:
    return scalar(conninfo, "SELECT count(*) FROM cases WHERE image_embedding IS NOT NULL"
                            " OR text_embedding IS NOT NULL OR embed_model IS NOT NULL") == 0


def test_ingest_without_a_model_stores_cases_text_images_and_full_text(no_model_env, tmp_path, pg_conninfo,
                                                                       store, capsys) -> None:  # fmt: skip
    path = write_parquet(tmp_path / "demo.parquet", make_rows(5, 2))
    openi = make_openi_folder(tmp_path / "openi", with_images=False)
    assert main(["ingest", str(path)]) == 0
    out, err = capsys.readouterr()
    notes = [line for line in out.splitlines() if "not available" in line]
    assert len(notes) == 1 and notes[0].startswith("note: embedding model") and NO_MODEL in notes[0]
    assert ".venv/bin/python -m etl embed" in notes[0] and "error:" not in err.lower()
    assert "written 10," in out and "stored without embeddings" in out
    assert main(["ingest", str(openi)]) == 0
    assert "written 3," in capsys.readouterr().out  # CXR1..3 as text-only cases (CXR4 is empty, 5.xml malformed)
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases") == 13
    assert no_vectors(pg_conninfo)
    assert scalar(pg_conninfo, "SELECT count(*) FROM store_meta") == 0  # the store is bound to no model
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases c JOIN images i ON i.sha256 = c.image_sha256"
                               " WHERE c.thumbnail IS NOT NULL") == 10  # fmt: skip
    hits = store.text_search("pleural effusion", 5)
    assert hits and all("effusion" in (h.case.findings + h.case.impression).lower() for h in hits)

    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "without image embedding: 10 | without text embedding: 13" in out
    assert "python -m etl embed" in out


def test_reembed_without_a_model_is_refused_before_any_write(store, pg_settings, tmp_path, pg_conninfo) -> None:
    path = write_parquet(tmp_path / "demo.parquet", make_rows(2, 1))
    with pytest.raises(ConfigError, match="etl embed --reembed"):
        run_ingest(str(path), pg_settings, store=store, embedder=None, reembed=True)
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases") == 0


def test_embed_fills_every_missing_vector_then_image_search_works(store, pg_settings, tmp_path, pg_conninfo,
                                                                  tiny_embedder) -> None:  # fmt: skip
    path = write_parquet(tmp_path / "demo.parquet", make_rows(6, 2))
    run_ingest(str(path), pg_settings, store=store, embedder=None, batch_size=5)
    assert store.stats().missing_image_embedding == 12 and store.stats().missing_text_embedding == 12
    seen = []
    report = run_embed(pg_settings, store=store, embedder=tiny_embedder, batch_size=5, on_progress=seen.append)
    assert [p.done for p in seen] == [5, 10, 12] and all(p.total == 12 for p in seen)
    # 6 reports, one text embedding each per batch: study 2's images fall in batches 1 and 2 (7 in all).
    assert (report.done, report.images, report.texts, report.errors, report.remaining) == (12, 12, 7, 0, 0)
    assert_complete(pg_conninfo, 12)
    stats = store.stats()
    missing = (stats.missing_image_embedding, stats.missing_text_embedding)
    assert missing == (0, 0) and stats.embed_model == tiny_embedder.name
    # The vectors are the ones an ingest with the model computes (same decode, resize and text).
    case_id = q(pg_conninfo, "SELECT case_id FROM cases ORDER BY case_id LIMIT 1")[0][0]
    filled = store.get_embedding(case_id, "image")
    store.truncate_all()
    run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder)
    # up to one step of the store's half precision (sql/014), < 1e-3 for these unit vectors
    np.testing.assert_allclose(filled, store.get_embedding(case_id, "image"), atol=1e-3)
    hits = store.knn("image", filled, 1, embed_model=tiny_embedder.name)
    assert hits[0].case.case_id == case_id and hits[0].score == pytest.approx(1.0, abs=1e-4)
    again = run_embed(pg_settings, store=store, embedder=tiny_embedder)
    assert (again.total, again.done, again.images, again.texts) == (0, 0, 0, 0)


KILLER = textwrap.dedent("""
    import os, signal, sys
    from etl.embed import run_embed
    from medrag_core.services import Services
    from medrag_core.settings import Settings

    kill_after = int(sys.argv[1])
    settings = Settings.load()
    services = Services(settings)

    def on_progress(p):
        print(p.done, flush=True)
        if p.done >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)  # a hard kill right after a committed batch

    run_embed(settings, store=services.store(), embedder=services.embedder(), batch_size=4, on_progress=on_progress)
""")


def test_embed_killed_at_a_known_point_resumes_with_none_missing_and_none_twice(
    store, pg_settings, tmp_path, pg_conninfo, tiny_siglip_dir
) -> None:
    path = write_parquet(tmp_path / "demo.parquet", make_rows(10, 2))
    run_ingest(str(path), pg_settings, store=store, embedder=None)
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    env = etl_env(pg_conninfo, tiny_siglip_dir)
    killed = subprocess.run([sys.executable, str(script), "8"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert killed.stdout.split() == ["4", "8"]
    done_before = dict(q(pg_conninfo, "SELECT case_id, updated_at FROM cases WHERE image_embedding IS NOT NULL"))
    assert len(done_before) == 8 and store.count_missing_embeddings() == 12
    rerun = subprocess.run([sys.executable, "-m", "etl", "embed", "--batch-size", "4"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "12 of 12 cases, 12 image and 6 text embeddings computed" in rerun.stdout  # none of the first 8 again
    assert "still missing 0" in rerun.stdout and "embed " in rerun.stderr  # the progress bar (tqdm on stderr)
    assert_complete(pg_conninfo, 20)
    after = dict(q(pg_conninfo, "SELECT case_id, updated_at FROM cases"))
    assert all(after[cid] == stamp for cid, stamp in done_before.items())  # committed rows were not rewritten


def test_a_second_model_never_mixes_and_reembed_replaces(store, pg_settings, tmp_path, pg_conninfo,
                                                         tiny_embedder) -> None:  # fmt: skip
    from medrag_core.embedding import MedSigLIPEmbedder

    path = write_parquet(tmp_path / "demo.parquet", make_rows(3, 2))
    run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder)
    other_dir = build_tiny_siglip(tmp_path / "other")
    other = MedSigLIPEmbedder(other_dir, device="cpu", dtype="float32", resize_mode="tf_bilinear", batch_size=4)
    assert other.name != tiny_embedder.name
    openi = make_openi_folder(tmp_path / "openi", with_images=False)
    run_ingest(str(openi), pg_settings, store=store, embedder=None)  # 3 text-only cases, no vectors
    with pytest.raises(ModelMismatch, match="--reembed"):
        run_embed(pg_settings, store=store, embedder=other)
    assert scalar(pg_conninfo, "SELECT count(DISTINCT embed_model) FROM cases WHERE embed_model IS NOT NULL") == 1
    report = run_embed(pg_settings, store=store, embedder=other, reembed=True)
    assert report.cleared == 6 and (report.total, report.remaining) == (9, 0)
    models = q(pg_conninfo, "SELECT DISTINCT embed_model FROM cases")
    assert models == [(other.name,)] and store.stats().embed_model == other.name
    # A rerun of the re-embed (as after a kill) continues instead of starting over.
    assert run_embed(pg_settings, store=store, embedder=other, reembed=True).cleared == 0


def test_embed_without_a_model_says_how_to_get_one(no_model_env, capsys) -> None:
    assert main(["embed"]) == 2
    assert "error: " in capsys.readouterr().err

