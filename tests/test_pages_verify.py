"""The Verify page through AppTest: upload, verify with the offline verifier, and refusals."""

from __future__ import annotations

import pytest

from tests.fixtures.images import make_dicom, phantom
from tests.page_helpers import (
    BAD_REPORT,
    GOOD_REPORT,
    all_text,
    app_env,  # noqa: F401 - fixture
    app_test,
    errors_of,
    ingest_archive,
    query_png,
)


def _upload_and_verify(at, image: bytes, report: str, name: str = "xray.png", mime: str = "image/png"):
    at.run()
    at.file_uploader(key="image").set_value((name, image, mime)).run()
    at.text_area(key="report_text").set_value(report).run()
    at.button(key="verify").click().run()
    return at


def test_first_run_empty_archive_says_how_to_load_data(app_env):  # noqa: F811
    at = app_test("pages/verify.py").run()
    assert not at.exception
    text = all_text(at)
    assert "python -m etl ingest" in text and "Dataset Admin" in text
    assert "medsiglip-448" in text  # how to get the weights
    assert "nothing leaves this machine" in text.lower()


def test_upload_and_verify_offline(app_env, tmp_path, pg_settings, tiny_embedder):  # noqa: F811
    ingest_archive(tmp_path, pg_settings, app_env, tiny_embedder)
    at = _upload_and_verify(app_test("pages/verify.py"), query_png(), BAD_REPORT)
    assert not at.exception, at.exception
    # Verdict banner (the only error on the page): a laterality conflict makes the report inconsistent.
    assert [e for e in errors_of(at) if "Verdict" not in e] == []
    assert any("Verdict: inconsistent" in e for e in errors_of(at)), all_text(at)
    text = all_text(at)
    assert "Issues (" in text
    # The issues table lists the laterality conflict.
    tables = [df.value for df in at.dataframe]
    issue_table = at.table[0].value
    assert "laterality\\_conflict" in set(issue_table["kind"])  # escaped: st.table renders Markdown
    # Evidence highlighted in the escaped report; the script tag stays inert text.
    highlighted = [m.value for m in at.markdown if "-background[" in m.value]
    assert highlighted and "\\<script\\>" in highlighted[0]
    # Similar cases side by side with scores, and the suggested report as a diff.
    assert "Similar cases (4)" in text
    assert "fused" in text
    # a side conflict has no determinable edit: the report is left as it is, the conflict is a review note
    assert "Review notes" in text and "No changes suggested." in text
    assert not any(c.language == "diff" for c in at.code)
    # The offline verifier is announced once (the page's note at the top), not again with the result.
    assert text.lower().count("offline verifier") == 1, [i.value for i in at.info]
    # Stage timings.
    assert any("stage" in t.columns for t in tables)


def test_embedding_is_cached_by_content_hash(app_env, tmp_path, pg_settings, tiny_embedder):  # noqa: F811
    from ui.resources import get_background_jobs

    ingest_archive(tmp_path, pg_settings, app_env, tiny_embedder, n=2)
    image = query_png(1)
    at = app_test("pages/verify.py")
    at.run()
    at.file_uploader(key="image").set_value(("a.png", image, "image/png")).run()
    jobs = get_background_jobs()
    futures = [f for f in jobs._futures.values()]
    assert len(futures) == 1
    futures[0].result(timeout=60)
    at.text_area(key="report_text").set_value(GOOD_REPORT).run()
    at.button(key="verify").click().run()
    assert not at.exception
    assert len(jobs._futures) == 1  # nothing embedded twice
    timings = next(df.value for df in at.dataframe if "stage" in df.value.columns)
    assert "image_embedding" in set(timings["stage"])
    assert any("image embedding: given" in m.value for m in at.markdown), [m.value for m in at.markdown]


@pytest.mark.parametrize(
    "data,name,fragment",
    [
        (b"", "empty.png", ""),
        (b"this is not an image at all", "notes.png", "PNG, JPEG or DICOM"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "broken.png", ""),
    ],
    ids=["empty", "text_renamed", "truncated"],
)
def test_wrong_file_shows_error_not_exception(app_env, data, name, fragment):  # noqa: F811
    at = _upload_and_verify(app_test("pages/verify.py"), data, GOOD_REPORT, name=name)
    assert not at.exception
    errors = errors_of(at)
    assert errors and all(fragment in e for e in errors[:1]) if fragment else errors
    assert "verify_result" not in at.session_state


def test_empty_report_is_refused(app_env):  # noqa: F811
    at = _upload_and_verify(app_test("pages/verify.py"), query_png(), "   \n\t ")
    assert not at.exception
    assert any("empty" in e.lower() for e in errors_of(at)), errors_of(at)
    assert "verify_result" not in at.session_state


def test_report_from_txt_upload(app_env):  # noqa: F811
    at = app_test("pages/verify.py").run()
    at.file_uploader(key="image").set_value(("a.png", query_png(), "image/png")).run()
    at.file_uploader(key="report_file").set_value(("r.txt", GOOD_REPORT.encode("latin-1"), "text/plain")).run()
    at.button(key="verify").click().run()
    assert not at.exception
    assert not errors_of(at)
    assert at.session_state["verify_result"].report.startswith("FINDINGS:")


def test_dicom_preview_has_window_level(app_env):  # noqa: F811
    at = app_test("pages/verify.py").run()
    at.file_uploader(key="image").set_value(("x.dcm", make_dicom(phantom(300, 280)), "application/dicom")).run()
    assert not at.exception
    assert not errors_of(at)
    centre = at.slider(key="verify_preview_centre")
    centre.set_value(0.4).run()
    assert not at.exception


def test_stopped_database_gives_clear_message(monkeypatch, tmp_path, tiny_siglip_dir):
    """A DSN nobody listens on: the page says so, and the offline checks still run."""
    import streamlit as st

    monkeypatch.setenv("MEDRAG_DATABASE_URL", "postgresql://medrag:secret@127.0.0.1:9/medrag")
    monkeypatch.setenv("MEDRAG_EMBED_MODEL", str(tiny_siglip_dir))
    monkeypatch.setenv("MEDRAG_LLM_BACKEND", "offline")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
    st.cache_resource.clear()
    try:
        at = _upload_and_verify(app_test("pages/verify.py"), query_png(), BAD_REPORT)
        assert not at.exception
        errors = errors_of(at)
        assert any("not available" in e and "secret" not in e for e in errors), errors
        result = at.session_state["verify_result"]
        assert result.matches == []
        assert any(i.kind == "laterality_conflict" for i in result.issues)
    finally:
        st.cache_resource.clear()


def test_missing_weights_explained_and_checks_still_run(app_env, monkeypatch, tmp_path):  # noqa: F811
    import streamlit as st

    monkeypatch.setenv("MEDRAG_EMBED_MODEL", str(tmp_path / "no-such-model"))
    st.cache_resource.clear()
    at = _upload_and_verify(app_test("pages/verify.py"), query_png(), BAD_REPORT)
    assert not at.exception
    assert "huggingface.co/google/medsiglip-448" in all_text(at)
    assert any(i.kind == "laterality_conflict" for i in at.session_state["verify_result"].issues)


# ---- Markdown injection (H1): report, archive and LLM text render as literal text

IMAGE_LINK = "![x](http://127.0.0.1:1/leak)"
JS_LINK = "[a](javascript:x)"
HOSTILE = f"Left effusion {IMAGE_LINK} and {JS_LINK} <img src=x> :red[big] $x$"


def _render_hostile_result() -> None:
    from medrag_core.models import Issue, VerificationResult
    from ui.result_view import render_result

    hostile = "Left effusion ![x](http://127.0.0.1:1/leak) and [a](javascript:x) <img src=x> :red[big] $x$"
    issue = Issue(kind="llm_![k](http://127.0.0.1:1/k)", severity="warning", message=hostile, evidence=hostile,
                  suggestion=hostile, origin="llm", case_ids=["[c](javascript:y)"])
    result = VerificationResult(
        verdict="needs_review", issues=[issue], report="FINDINGS: " + hostile + "\nIMPRESSION: ok.",
        suggested_report="FINDINGS: " + hostile, verifier="gemini ![v](http://127.0.0.1:1/v)",
        notices=["notice ![n](http://127.0.0.1:1/n)"],
    )
    render_result(result, None)


def _assert_inert(values: list[str]) -> None:
    import re

    for value in values:
        # No unescaped image or link syntax: every '!', '[', ']' and '(' of the payload is backslash-escaped.
        assert not re.search(r"(?<!\\)!(?<!\\)\[", value), value
        assert not re.search(r"(?<!\\)\]\((?:http|javascript)", value), value
        assert not re.search(r"(?<!\\)<img", value), value


def test_issue_table_and_report_text_are_escaped():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_render_hostile_result, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    table = at.table[0].value
    cells = [str(v) for column in table.columns for v in table[column]]
    _assert_inert(cells)
    assert any("\\!\\[x\\]\\(http\\:\\/\\/127\\.0\\.0\\.1\\:1\\/leak\\)" in c for c in cells), cells
    assert any("\\[a\\]\\(javascript\\:x\\)" in c for c in cells)
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    texts += [w.value for w in at.warning]
    _assert_inert(texts)
    shown = "\n".join(texts)
    assert "\\!\\[x\\]" in shown  # the highlighted report shows the payload as text


def test_hostile_report_on_the_verify_page_stays_text(app_env):  # noqa: F811
    at = _upload_and_verify(app_test("pages/verify.py"), query_png(), "FINDINGS: " + HOSTILE + "\nIMPRESSION: ok.")
    assert not at.exception
    assert "verify_result" in at.session_state
    kinds = ("markdown", "caption", "info", "warning", "success", "error")
    values = [el.value for kind in kinds for el in getattr(at, kind)]
    for table in at.table:
        values += [str(v) for column in table.value.columns for v in table.value[column]]
    _assert_inert(values)


# ---- Report given twice (M4)


def test_text_and_different_file_is_an_error_not_a_silent_choice(app_env):  # noqa: F811
    at = app_test("pages/verify.py").run()
    at.file_uploader(key="image").set_value(("a.png", query_png(), "image/png")).run()
    at.text_area(key="report_text").set_value("FINDINGS: The lungs are clear.\nIMPRESSION: Normal.").run()
    at.file_uploader(key="report_file").set_value(("r.txt", GOOD_REPORT.encode(), "text/plain")).run()
    at.button(key="verify").click().run()
    assert not at.exception
    errors = errors_of(at)
    assert any("Two different reports" in e and "clear the text box" in e for e in errors), errors
    assert "verify_result" not in at.session_state


def test_text_and_same_file_is_fine(app_env):  # noqa: F811
    at = app_test("pages/verify.py").run()
    at.file_uploader(key="image").set_value(("a.png", query_png(), "image/png")).run()
    at.text_area(key="report_text").set_value(GOOD_REPORT.replace("\n", "\r\n") + "\n").run()
    at.file_uploader(key="report_file").set_value(("r.txt", GOOD_REPORT.encode(), "text/plain")).run()
    at.button(key="verify").click().run()
    assert not at.exception
    assert not errors_of(at)
    assert at.session_state["verify_result"].report.startswith("FINDINGS:")


def test_external_llm_shows_the_scrubbed_report_before_sending(app_env, monkeypatch):  # noqa: F811
    """With an external LLM chosen, an expander shows the report exactly as it will be sent: the
    names, the bare record number, the date and the DICOM header's own values are gone."""
    from tests.fixtures.images import FAKE_PHI

    monkeypatch.setenv("MEDRAG_LLM_BACKEND", "openai_compat")
    monkeypatch.setenv("MEDRAG_OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens: nothing is sent
    report = (
        "Patient: John Smith\nFINDINGS: in patient John Smith (12345678), seen 03/14/2021. Quentin Zztestfake "
        "has Kerley B lines.\nIMPRESSION: Mild edema."
    )
    at = app_test("pages/verify.py")
    at.run()
    at.file_uploader(key="image").set_value(("x.dcm", make_dicom(phantom(256, 256)), "application/dicom")).run()
    at.text_area(key="report_text").set_value(report).run()
    assert not at.exception, at.exception
    expander = next(e for e in at.expander if "What will be sent" in e.label)
    sent = expander.code[0].value
    assert "[NAME]" in sent and "Kerley B lines" in sent and "Mild edema." in sent
    for leaked in ("John", "Smith", "12345678", "03/14/2021", "Quentin", "Zztestfake"):
        assert leaked not in sent
    page = all_text(at).lower()
    for value in FAKE_PHI.values():
        assert value.lower() not in page  # header values are used, never shown


def test_offline_verifier_shows_no_outgoing_preview(app_env):  # noqa: F811
    at = app_test("pages/verify.py")
    at.run()
    at.text_area(key="report_text").set_value("IMPRESSION: Patient John Smith, normal.").run()
    assert not at.exception
    assert not [e for e in at.expander if "What will be sent" in e.label]
