"""What a newcomer and a busy department stumbled on (issue 15), through AppTest and the ui helpers:
a report checked without an image and without a model, the model's long message once, the preview
kept inline, the embedding status with its queue place, the chart without invented zeros, Browse
neighbours numbered from #1 and the opened case under the row that opened it."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from medrag_core.models import Case, Match
from tests.page_helpers import (
    GOOD_REPORT,
    all_text,
    app_env,  # noqa: F401 - fixture
    app_test,
    errors_of,
    ingest_archive,
    query_png,
)


@pytest.fixture
def no_model(app_env, monkeypatch, tmp_path):  # noqa: F811
    import streamlit as st

    monkeypatch.setenv("MEDRAG_EMBED_MODEL", str(tmp_path / "no-weights-yet"))
    st.cache_resource.clear()
    return app_env


def test_report_alone_without_a_model_gets_checks_and_full_text_cases(no_model, tmp_path, pg_settings, caplog):
    ingest_archive(tmp_path, pg_settings, no_model, None)  # day one: archived without embeddings
    at = app_test("pages/verify.py", timeout=120).run()
    assert "Optional: without an image, the report is checked on its own" in all_text(at)
    at.text_area(key="report_text").set_value(GOOD_REPORT).run()
    with caplog.at_level(logging.INFO, logger="medrag.app"):
        at.button(key="verify").click().run()
    assert not at.exception, at.exception
    result = at.session_state["verify_result"]
    assert result.matches and all(m.fts_score is not None for m in result.matches)
    assert all(m.image_score is None for m in result.matches)
    text = all_text(at)
    assert "No image: the report was checked on its own" in text and "Issues (" in text
    # The long how-to-get-the-weights message: once on the page, however many parts mention the model.
    assert text.count("accept the licence at") == 1, text
    # No chart of invented zeros: unmeasured scores are missing, and the page says why.
    assert not at.get("plotly_chart")
    assert "not in the chart: their image or text similarity was not measured" in text
    # One server log line per verification, with no report text.
    lines = [r.getMessage() for r in caplog.records if r.name == "medrag.app"]
    assert len(lines) == 1 and lines[0].startswith("verification: verdict=") and "image=False" in lines[0]
    assert "effusion" not in lines[0].lower()


def test_bad_image_error_is_shown_once_and_the_preview_is_inline(app_env, tmp_path, pg_settings,  # noqa: F811
                                                                tiny_embedder):  # fmt: skip
    at = app_test("pages/verify.py", timeout=120).run()
    at.file_uploader(key="image").set_value(("notes.png", b"this is not an image at all", "image/png")).run()
    at.text_area(key="report_text").set_value(GOOD_REPORT).run()
    at.button(key="verify").click().run()
    errors = errors_of(at)
    assert len([e for e in errors if "PNG, JPEG or DICOM" in e]) == 1, errors
    assert any("remove it" in e for e in errors)
    at.file_uploader(key="image").set_value(("x.png", query_png(), "image/png")).run()
    previews = [el.proto.body for el in at.get("html") if "data:image/png;base64," in el.proto.body]
    assert len(previews) == 1 and previews[0].startswith('<img src="data:image/png;base64,')
    assert not [m.value for m in at.markdown if "<img" in m.value]  # never as Markdown


def test_embedding_status_says_queue_place_and_wait() -> None:
    from ui.background import BackgroundJobs
    from ui.verify_support import embedding_status_text

    jobs = BackgroundJobs(workers=1)
    gate = threading.Event()
    jobs.submit("warm-up", lambda: None).result(10)  # one finished job gives the expected duration
    first = jobs.submit("a", gate.wait)
    second = jobs.submit("b", lambda: "b")
    third = jobs.submit("c", lambda: "c")
    while not jobs.status("a").running:
        time.sleep(0.01)
    a, c = jobs.status("a"), jobs.status("c")
    assert (a.running, a.ahead) == (True, 0) and (c.running, c.ahead) == (False, 2)
    assert c.expected_wait_s is not None and c.expected_wait_s >= 0
    assert "queued behind 2 other upload(s)" in embedding_status_text(c)
    assert "computing in the background" in embedding_status_text(a)
    gate.set()
    assert (first.result(10), second.result(10), third.result(10)) == (True, "b", "c")
    assert embedding_status_text(jobs.status("c")) == "Image embedding: ready."
    assert jobs.status("unknown") is None


def test_chart_leaves_unmeasured_scores_out() -> None:
    from ui.charts import similarity_figure

    def match(n: int, image: float | None, text: float | None) -> Match:
        return Match(case=Case(case_id=f"c{n}", source="t"), fused_rank=n, fused_score=1.0 / n,
                     image_score=image, text_score=text)

    figure, left_out = similarity_figure([match(1, 0.9, 0.8), match(2, None, 0.5), match(3, 0.4, None)])
    assert left_out == 2
    assert list(figure.data[0].x) == [0.9] and list(figure.data[0].y) == [0.8]
    assert similarity_figure([match(1, None, None)]) == (None, 1)


def test_browse_results_are_rows_and_the_opened_case_follows_its_row(app_env, tmp_path, pg_settings,  # noqa: F811
                                                                      tiny_embedder):  # fmt: skip
    ingest_archive(tmp_path, pg_settings, app_env, tiny_embedder)
    at = app_test("pages/browse.py", timeout=120).run()
    at.text_input(key="browse_query").set_value("left pleural effusion").run()
    at.button(key="browse_search_text").click().run()
    results = at.session_state["browse_results"]
    assert len(results) >= 3
    at.button(key="open_1").click().run()
    assert not at.exception, at.exception
    order = [m.value for m in at.markdown]
    opened_at = order.index("**Nearest neighbours**")
    row_of = {r.case.case_id: next(i for i, v in enumerate(order) if f"**{r.case.case_id}**" in v.replace("\\", ""))
              for r in results[:3]}  # fmt: skip
    ids = [r.case.case_id for r in results]
    assert row_of[ids[1]] < opened_at < row_of[ids[2]]  # right under the row that was clicked
    neighbour_ranks = [v.split(" · ")[0] for v in order[opened_at:] if v.startswith("#")]
    assert neighbour_ranks[:2] == ["#1", "#2"], order[opened_at:]
    # Compare through the rows' A / B buttons: the comparison appears under the B row, once.
    at.button(key="cmp_a_0").click().run()
    at.button(key="cmp_b_2").click().run()
    assert not at.exception
    order = [m.value for m in at.markdown]
    comparison = next(i for i, v in enumerate(order) if v.startswith("**Comparison:"))
    assert comparison > next(i for i, v in enumerate(order) if f"**{ids[2]}**" in v.replace("\\", ""))
    assert "The comparison is shown above" in all_text(at)
    assert len([df for df in at.dataframe if "observation" in df.value.columns]) == 1


def test_compare_reads_a_normal_report_as_absent_not_unmentioned() -> None:
    from medrag_core.reports import compare_cases

    normal = Case(case_id="a", source="t", impression="No active disease.")
    effusion = Case(case_id="b", source="t", findings="Small left pleural effusion. Pacemaker in place.",
                    impression="Left effusion.")
    rows = {r.name: r for r in compare_cases(normal, effusion).rows}
    assert rows["Pleural Effusion"].a.state == "absent" and rows["Pleural Effusion"].differs
    assert rows["Pacemaker"].a.state == "not mentioned"  # a normal report says nothing about devices


def test_markdown_export_reads_as_plain_text_and_stays_inert() -> None:
    import re

    from medrag_core.models import Issue, VerificationResult
    from medrag_core.render import result_to_markdown

    issue = Issue(kind="impression_omits_finding", severity="warning",
                  message="The impression omits the effusion. See ![x](http://127.0.0.1:1/leak) <b>now</b>.",
                  evidence="No acute cardiopulmonary process.", origin="checks")  # fmt: skip
    md = result_to_markdown(VerificationResult(verdict="needs_review", issues=[issue], report="IMPRESSION: ok.",
                                               suggested_report="IMPRESSION: ok."))  # fmt: skip
    assert "| impression_omits_finding |" in md and "No acute cardiopulmonary process. |" in md
    assert "The impression omits the effusion." in md
    assert not re.search(r"(?<!\\)!(?<!\\)\[", md) and "\\<b\\>" in md  # no image, no HTML


def test_a_failed_media_request_leaves_a_log_line(caplog) -> None:
    from streamlit.runtime.media_file_storage import MediaFileKind
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    from ui.resources import _log_media_misses

    storage = MemoryMediaFileStorage("/media")
    file_id = storage.load_and_get_id(b"\x89PNG\r\n\x1a\n", "image/png", MediaFileKind.MEDIA, None)
    _log_media_misses(logging.getLogger("medrag.app"), storage)
    _log_media_misses(logging.getLogger("medrag.app"), storage)  # wrapped once, not twice
    with caplog.at_level(logging.INFO, logger="medrag.app"):
        assert storage.get_file(f"{file_id}.png").content.startswith(b"\x89PNG")
        with pytest.raises(Exception, match="No media file"):
            storage.get_file("0123abc.png")
    lines = [r.getMessage() for r in caplog.records if r.name == "medrag.app"]
    assert lines == ["media request failed: no file 0123abc.png (expired image URL)"]

