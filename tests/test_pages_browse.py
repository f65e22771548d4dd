"""The Browse Similar Cases page through AppTest: search by id, text and image; neighbours; compare."""

from __future__ import annotations

import pytest

from tests.page_helpers import (
    all_text,
    app_env,  # noqa: F401 - fixture
    app_test,
    errors_of,
    ingest_archive,
    query_png,
)


@pytest.fixture
def archive(app_env, tmp_path, pg_settings, tiny_embedder):  # noqa: F811
    """The six archive cases by study id (case00..case05); case ids are ``<study>/<image hash>``."""
    ingest_archive(tmp_path, pg_settings, app_env, tiny_embedder)
    found = app_env.text_search("lungs OR effusion OR heart OR opacity", 50)
    cases = {sc.case.study_id: sc.case for sc in found}
    assert len(cases) == 6
    return cases


def test_text_search_lists_cases_and_opens_neighbours(archive):
    at = app_test("pages/browse.py").run()
    assert not at.exception
    at.text_input(key="browse_query").set_value("left pleural effusion").run()
    at.button(key="browse_search_text").click().run()
    assert not at.exception
    results = at.session_state["browse_results"]
    assert results, "full-text + embedding search found nothing"
    assert "effusion" in results[0].case.report_text.lower()
    assert "Results (" in all_text(at)
    at.button(key="open_0").click().run()
    assert not at.exception
    text = all_text(at)
    assert "Nearest neighbours" in text
    assert "fused" in text  # neighbour cards carry their scores


def test_open_by_id_and_unknown_id(archive):
    case = next(iter(archive.values()))
    at = app_test("pages/browse.py").run()
    at.text_input(key="browse_case_id").set_value(case.case_id).run()
    at.button(key="browse_open_id").click().run()
    assert not at.exception
    assert at.session_state["browse_open"] == case.case_id
    assert "license: CC BY 4.0 (test fixture)" in all_text(at)  # provenance shown with the case
    at.text_input(key="browse_case_id").set_value("no-such-case").run()
    at.button(key="browse_open_id").click().run()
    assert any("no-such-case" in e for e in errors_of(at))


def test_search_by_image(archive):
    at = app_test("pages/browse.py").run()
    at.file_uploader(key="browse_image").set_value(("q.png", query_png(), "image/png")).run()
    at.button(key="browse_search_image").click().run()
    assert not at.exception
    results = at.session_state["browse_results"]
    assert results and all(m.image_score is not None for m in results)


def test_search_by_wrong_file_is_an_error(archive):
    at = app_test("pages/browse.py").run()
    at.file_uploader(key="browse_image").set_value(("q.png", b"not an image", "image/png")).run()
    assert not at.exception
    assert errors_of(at)


def test_filter_by_source_view_and_observation(archive):
    at = app_test("pages/browse.py").run()
    at.multiselect(key="filter_labels").set_value(["Pleural Effusion"]).run()
    at.text_input(key="browse_query").set_value("effusion lungs heart").run()
    at.button(key="browse_search_text").click().run()
    assert not at.exception
    results = at.session_state["browse_results"]
    assert results and all("Pleural Effusion" in m.case.labels for m in results)


def test_compare_highlights_differing_observations(archive):
    clear, effusion = archive["case00"], archive["case01"]
    at = app_test("pages/browse.py").run()
    at.text_input(key="compare_a").set_value(clear.case_id).run()
    at.text_input(key="compare_b").set_value(effusion.case_id).run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "Pleural Effusion" in warning and "differ" in warning
    table = next(df.value for df in at.dataframe if "observation" in df.value.columns)
    row = table[table["observation"] == "Pleural Effusion"].iloc[0]
    assert row["differs"]


def test_stopped_database_is_a_clear_message(monkeypatch, tmp_path):
    import streamlit as st

    monkeypatch.setenv("MEDRAG_DATABASE_URL", "postgresql://medrag:pw@127.0.0.1:9/medrag")
    monkeypatch.chdir(tmp_path)
    st.cache_resource.clear()
    try:
        at = app_test("pages/browse.py").run()
        assert not at.exception
        assert any("not available" in e and "pw@" not in e for e in errors_of(at))
    finally:
        st.cache_resource.clear()


class _DroppingStore:
    """The real store, except that ``get`` fails as when the database goes away mid-session."""

    def __init__(self, inner) -> None:
        self._inner = inner

    def get(self, ids):
        from medrag_core.errors import StoreUnavailable

        raise StoreUnavailable("The case database stopped answering; check it and reload the page.")

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


@pytest.fixture
def dropping_store(archive, app_env, monkeypatch):  # noqa: F811
    import ui.resources

    monkeypatch.setattr(ui.resources, "get_store", lambda: _DroppingStore(app_env))
    return archive


def test_store_failure_on_open_by_id_is_an_error_not_an_exception(dropping_store):
    at = app_test("pages/browse.py").run()
    at.text_input(key="browse_case_id").set_value("case00").run()
    at.button(key="browse_open_id").click().run()
    assert not at.exception, at.exception
    assert any("stopped answering" in e for e in errors_of(at))


def test_store_failure_on_an_open_case_is_an_error(dropping_store):
    at = app_test("pages/browse.py")
    at.session_state["browse_open"] = "case00"
    at.run()
    assert not at.exception, at.exception
    assert any("stopped answering" in e for e in errors_of(at))


def test_store_failure_on_compare_is_an_error(dropping_store):
    at = app_test("pages/browse.py").run()
    at.text_input(key="compare_a").set_value("a").run()
    at.text_input(key="compare_b").set_value("b").run()
    assert not at.exception, at.exception
    assert any("stopped answering" in e for e in errors_of(at))


def test_case_ids_in_errors_are_escaped(archive):
    hostile = "![x](http://127.0.0.1:1/leak) [a](javascript:x)"

    def check(at, expected: int) -> None:
        assert not at.exception
        raw = [e.value for e in at.error if "javascript" in e.value]
        assert len(raw) == expected, raw
        for value in raw:
            assert "![" not in value and "](" not in value, value
            assert "\\!\\[x\\]\\(http" in value
        assert any(hostile in e for e in errors_of(at))  # the reader sees the id as typed

    at = app_test("pages/browse.py").run()
    at.text_input(key="browse_case_id").set_value(hostile).run()
    at.button(key="browse_open_id").click().run()
    check(at, 1)
    at.text_input(key="compare_a").set_value(hostile).run()
    at.text_input(key="compare_b").set_value("[b](javascript:y)").run()
    check(at, 1)


def test_stats_are_read_once_across_reruns_and_fresh_after_an_admin_ingest(
    app_env, tmp_path, pg_settings, tiny_embedder, monkeypatch  # noqa: F811
):
    from ui.resources import get_ingest_runner

    store_class = type(app_env)
    real_stats = store_class.stats
    calls: list[int] = []

    def counted_stats(self):
        calls.append(1)
        return real_stats(self)

    monkeypatch.setattr(store_class, "stats", counted_stats)
    at = app_test("pages/browse.py").run()
    assert not at.exception
    assert "The archive is empty" in all_text(at) and at.multiselect(key="filter_sources").options == []
    at.run()
    at.text_input(key="browse_query").set_value("effusion").run()  # reruns, as every click makes
    assert not at.exception and len(calls) == 1
    # An ingest started from the Dataset Admin page (its runner): the next run reads the stats afresh.
    runner = get_ingest_runner()
    assert runner.start("Ingest: test", lambda on_progress, cancel: ingest_archive(
        tmp_path, pg_settings, app_env, tiny_embedder))  # fmt: skip
    assert runner.wait() and runner.snapshot().error is None
    at.run()
    assert not at.exception and len(calls) == 2
    assert "The archive is empty" not in all_text(at)
    assert at.multiselect(key="filter_sources").options  # the archive's source, from the fresh stats
