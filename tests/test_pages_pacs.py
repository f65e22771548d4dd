"""The Verify page's "From PACS" panel through AppTest, on a real Orthanc: search, open, switch image, use the
study's report, verify; a PACS that is down or refuses the credentials; no PACS configured."""

from __future__ import annotations

import pytest

from tests.fixtures.orthanc import REPORT_SR_TEXT, PacsArchive, free_port, make_pacs_instance, start_orthanc, stow
from tests.page_helpers import (
    all_text,
    app_env,  # noqa: F401 - fixture
    app_test,
    errors_of,
    query_png,
)


def _search(at, **fields: str):
    at.run()
    at.expander[0]  # the panel exists (collapsed until used)
    for key, value in fields.items():
        at.text_input(key=key).input(value)
    at.button(key="FormSubmitter:pacs_search-Search the PACS").click().run()
    return at


def _pick_study(at, date: str) -> None:
    box = at.selectbox(key="pacs_study")
    index = next(i for i in box.options if date in i)
    box.select(index).run()
    at.button(key="pacs_open").click().run()


def test_no_pacs_configured_says_how(app_env) -> None:  # noqa: F811
    at = app_test("pages/verify.py").run()
    assert not at.exception
    assert "MEDRAG_DICOMWEB_URL" in all_text(at)
    with pytest.raises(KeyError):
        at.button(key="pacs_open")


def test_search_open_use_report_and_verify(app_env, orthanc: PacsArchive, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("MEDRAG_DICOMWEB_URL", orthanc.server.dicomweb_url)
    at = _search(app_test("pages/verify.py", timeout=120), pacs_patient="PACS-P1")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["date"]) == ["2025-01-20", "2024-06-10", "2024-01-05"]  # newest first, whatever the PACS's order
    # each option starts with the date (and time, when the PACS lists one) then the accession number
    assert [(o[:10], o.split(" · ")[1]) for o in at.selectbox(key="pacs_study").options] == [
        ("2025-01-20", "ACC-1003"), ("2024-06-10", "ACC-1002"), ("2024-01-05", "ACC-1001")]
    assert set(table["accession"]) == {"ACC-1001", "ACC-1002", "ACC-1003"}
    _pick_study(at, "2024-01-05")
    assert not at.exception, at.exception
    text = all_text(at)
    assert "View Position PA" in text and "structured report" in text
    assert "px · dicom · 12-bit source" in text  # the preview of the retrieved image
    header = next(df.value for df in at.dataframe if "tag" in df.value.columns)
    assert "PACS-P1" in set(header["value"])  # shown locally, in the collapsed header table
    at.button(key="pacs_use_report").click().run()
    assert at.text_area(key="report_text").value == REPORT_SR_TEXT
    at.button(key="verify").click().run()
    assert not at.exception, at.exception
    assert any("Verdict" in e for e in errors_of(at)) or "Verdict" in all_text(at), all_text(at)[:2000]
    assert [e for e in errors_of(at) if "Verdict" not in e] == []


def test_switch_to_another_image_of_the_study(app_env, orthanc: PacsArchive, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("MEDRAG_DICOMWEB_URL", orthanc.server.dicomweb_url)
    at = _search(app_test("pages/verify.py"), pacs_accession="ACC-2001")
    _pick_study(at, "2023-11-11")
    assert "View Position AP" in all_text(at)
    images = at.selectbox(key="pacs_image")
    lateral = next(uid for uid in images.options if uid not in (images.value,))
    images.select(lateral).run()
    assert not at.exception, at.exception
    assert "chosen by you" in all_text(at) and "LL" in all_text(at)


def test_pacs_down_is_a_plain_message_and_upload_still_works(app_env, monkeypatch) -> None:  # noqa: F811
    port = free_port()
    monkeypatch.setenv("MEDRAG_DICOMWEB_URL", f"http://127.0.0.1:{port}/dicom-web")
    at = _search(app_test("pages/verify.py"), pacs_patient="PACS-P1")
    assert not at.exception
    errors = errors_of(at)
    assert any("not reachable" in e and f"127.0.0.1:{port}" in e for e in errors), errors
    assert all("Traceback" not in e and "PACS-P1" not in e for e in errors)
    at.file_uploader(key="image").set_value(("x.png", query_png(), "image/png")).run()
    assert not at.exception
    assert "px · png · 8-bit source" in all_text(at)


def test_refused_credentials_say_so(app_env, monkeypatch) -> None:  # noqa: F811
    with start_orthanc(users={"reader": "right-pw"}) as server:
        data, _ = make_pacs_instance(patient_id="AUTH-2", accession="ACC-A2", study_date="20240202",
                                     study_uid="1.2.826.0.1.3680043.8.498.11",
                                     series_uid="1.2.826.0.1.3680043.8.498.12")
        stow(server, [data])
        for name, value in {"MEDRAG_DICOMWEB_URL": server.dicomweb_url, "MEDRAG_DICOMWEB_AUTH": "basic",
                            "MEDRAG_DICOMWEB_USERNAME": "reader", "MEDRAG_DICOMWEB_PASSWORD": "wrong-pw"}.items():
            monkeypatch.setenv(name, value)
        at = _search(app_test("pages/verify.py"))
        assert any("refused the credentials" in e for e in errors_of(at)), errors_of(at)
        assert "wrong-pw" not in all_text(at)
        import streamlit as st

        monkeypatch.setenv("MEDRAG_DICOMWEB_PASSWORD", "right-pw")
        st.cache_resource.clear()
        at = _search(app_test("pages/verify.py"))
        assert not errors_of(at) and len(at.dataframe[0].value) == 1
