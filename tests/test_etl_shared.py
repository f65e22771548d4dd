"""Ingest of the real data in ../shared: the 326-image sample and the 3,955 IU reports (text only)."""

from __future__ import annotations

from collections import Counter

import pyarrow.parquet as pq

from etl import run_ingest
from tests.fixtures.etl_data import q, scalar
from tests.shared_data import DATA, require_shared


def test_cxr_sample_all_326_images(store, pg_settings, pg_conninfo, tiny_embedder) -> None:
    path = require_shared(DATA / "cxr_sample" / "cases.parquet")
    report = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder)
    assert (report.seen, report.written, report.errors, report.empty) == (326, 326, 0, 0)
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases WHERE image_embedding IS NOT NULL"
                               " AND text_embedding IS NOT NULL") == 326  # fmt: skip
    assert scalar(pg_conninfo, "SELECT count(*) FROM images") == 326
    assert scalar(pg_conninfo, "SELECT count(DISTINCT study_id) FROM cases") == 262
    assert dict(q(pg_conninfo, "SELECT source, count(*) FROM cases GROUP BY source")) == {
        "iu_xray_openi": 5, "covid-chestxray-dataset": 321}  # fmt: skip
    assert dict(q(pg_conninfo, "SELECT coalesce(view, '-'), count(*) FROM cases GROUP BY 1")) == {
        "PA": 151, "AP": 95, "LATERAL": 44, "unknown": 36}  # fmt: skip
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases WHERE study_id = 'CXR1900'") == 2
    # Provenance: every row's licence (and the other extra columns) is kept verbatim in metadata.
    provenance = ("license", "source_url", "label", "source_image", "image_processing")
    table = pq.read_table(path, columns=list(provenance)).to_pylist()
    for col in provenance:
        assert dict(q(pg_conninfo, f"SELECT metadata->>'{col}', count(*) FROM cases GROUP BY 1")) == Counter(
            r[col] for r in table), col  # fmt: skip
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases WHERE coalesce(metadata->>'license', '') = ''") == 0
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases WHERE metadata ?| array['image', 'findings',"
                               " 'impression', 'case_id', 'view', 'source_dataset']") == 0  # fmt: skip
    assert q(pg_conninfo, "SELECT metadata->>'label' FROM cases WHERE case_id LIKE 'CXR1900/%' LIMIT 1") == [
        ("Calcinosis/aorta; Aorta/tortuous; Calcified Granuloma/lung/bilateral/scattered/multiple;"
         " Thoracic Vertebrae/degenerative/mild",)]  # fmt: skip
    again = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder)
    assert (again.written, again.skipped) == (0, 326)


def test_iu_reports_text_only(store, pg_settings, pg_conninfo, tiny_embedder) -> None:
    path = require_shared(DATA / "iu_reports" / "NLMCXR_reports.tgz")
    report = run_ingest(str(path), pg_settings, store=store, embedder=tiny_embedder, batch_size=500)
    # 3,955 reports; 28 have neither FINDINGS nor IMPRESSION (nothing to search on): counted as empty.
    assert (report.seen, report.written, report.empty, report.errors) == (3955, 3927, 28, 0)
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases WHERE text_embedding IS NOT NULL") == 3927
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases WHERE image_sha256 IS NOT NULL"
                               " OR image_embedding IS NOT NULL") == 0  # fmt: skip
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases WHERE findings <> ''") == 3425
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases WHERE impression <> ''") == 3921
    row = q(pg_conninfo, "SELECT study_id, indication <> '' FROM cases WHERE case_id = 'CXR1900'")
    assert row == [("CXR1900", True)]
