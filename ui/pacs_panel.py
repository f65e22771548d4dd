"""The Verify page's "From PACS" panel: search studies over DICOMweb, open one, check its frontal image.

``pacs_image(settings, upload)`` draws the panel and returns the image to verify: the uploaded file when
there is one, else the opened study's image as an ``Upload`` (the DICOM as retrieved, decoded by
``medrag_core.imaging`` like any upload). When the study carries a report, a button puts its text in the
report box. The DICOM header is shown in a collapsed table on this page only: nothing here logs it or
hands it to the verifier, which gets the pixels alone.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import streamlit as st

from medrag_core.errors import MedragError
from medrag_core.render import escape_markdown

from .image_input import Upload

if TYPE_CHECKING:
    from medrag_core.pacs import OpenedStudy, PacsClient, StudySummary
    from medrag_core.settings import Settings

SEARCH_LIMIT = 50
_STUDIES, _OPENED, _QUERY_ERROR = "pacs_studies", "pacs_opened", "pacs_error"
MODALITY_CHOICES = ["CR", "DX", "DR", "RG", "OT"]


def pacs_image(settings: Settings, upload: Upload | None) -> Upload | None:
    """Draw the "From PACS" panel; return ``upload`` if a file was uploaded, else the opened study's image."""
    opened: OpenedStudy | None = st.session_state.get(_OPENED)
    with st.expander("From PACS", expanded=opened is not None or bool(st.session_state.get(_STUDIES))):
        if not settings.dicomweb_url:
            st.caption("No PACS configured: set MEDRAG_DICOMWEB_URL to its DICOMweb root to open studies "
                       "from it (see docs/pacs.md).")
            return upload
        _search_form(settings)
        _study_list(settings)
        opened = st.session_state.get(_OPENED)
        if opened is not None:
            _opened_study(settings, opened)
    if upload is not None:
        if opened is not None:
            st.caption("The uploaded file is checked; remove it (✕) to check the PACS image instead.")
        return upload
    if opened is None:
        return None
    from medrag_core.imaging import sha256_hex

    # No header value in the name: it is the one field of an Upload that code might print.
    return Upload(name="pacs-image.dcm", data=opened.data, sha256=sha256_hex(opened.data), decoded=opened.decoded,
                  error=None)


def _client(settings: Settings) -> PacsClient:
    from medrag_core.pacs import PacsClient

    return PacsClient.from_settings(settings)


def _search_form(settings: Settings) -> None:
    from medrag_core.pacs import StudyQuery

    with st.form("pacs_search", border=False):
        c1, c2 = st.columns(2)
        c1.text_input("Patient ID", key="pacs_patient")
        c2.text_input("Accession number", key="pacs_accession")
        c3, c4 = st.columns(2)
        c3.date_input("Studies from", value=None, key="pacs_from", format="YYYY-MM-DD")
        c4.date_input("to", value=None, key="pacs_to", format="YYYY-MM-DD")
        st.multiselect("Modality", MODALITY_CHOICES, default=["CR", "DX"], key="pacs_modalities",
                       accept_new_options=True)
        submitted = st.form_submit_button("Search the PACS")
    if not submitted:
        return
    st.session_state.pop(_STUDIES, None)
    st.session_state.pop(_OPENED, None)
    try:
        query = StudyQuery.build(
            patient_id=st.session_state.get("pacs_patient") or "",
            accession=st.session_state.get("pacs_accession") or "",
            date_from=_day(st.session_state.get("pacs_from")), date_to=_day(st.session_state.get("pacs_to")),
            modalities=st.session_state.get("pacs_modalities") or (),
        )
        with st.spinner("Searching the PACS…"):
            st.session_state[_STUDIES] = _client(settings).search_studies(query, limit=SEARCH_LIMIT + 1)
    except MedragError as exc:
        st.error(escape_markdown(exc.user_message))


def _day(value: object) -> datetime.date | None:
    return value if isinstance(value, datetime.date) else None


def _study_label(study: StudySummary) -> str:
    date = study.date.isoformat() if study.date else "no date"
    if study.date and study.time:
        date += f" {study.time:%H:%M}"  # the list is newest first to the minute: show what orders it
    images = f"{study.n_instances} image{'s' if study.n_instances != 1 else ''}" if study.n_instances else "? images"
    parts = [date, study.accession, study.description or "(no description)", images, "/".join(study.modalities)]
    return " · ".join(p for p in parts if p)


def _study_list(settings: Settings) -> None:
    studies: list[StudySummary] | None = st.session_state.get(_STUDIES)
    if studies is None:
        return
    if not studies:
        st.info("No study matches. Widen the dates or check the patient ID and modalities.")
        return
    if len(studies) > SEARCH_LIMIT:
        st.caption(f"More than {SEARCH_LIMIT} studies match; {SEARCH_LIMIT} of them (the PACS chooses which) are "
                   "listed, newest first. Narrow the search.")
        studies = studies[:SEARCH_LIMIT]
    st.dataframe(
        [{"date": s.date.isoformat() if s.date else "", "description": s.description, "images": s.n_instances,
          "modalities": "/".join(s.modalities), "accession": s.accession} for s in studies],
        hide_index=True, key="pacs_table",
    )
    index = st.selectbox("Study", range(len(studies)), format_func=lambda i: _study_label(studies[i]),
                         key="pacs_study")
    if st.button("Open study", key="pacs_open"):
        _open(settings, studies[index or 0].study_uid)


def _open(settings: Settings, study_uid: str, sop_uid: str | None = None) -> None:
    from medrag_core.pacs import open_study

    previous: OpenedStudy | None = st.session_state.get(_OPENED)
    try:
        with st.spinner("Retrieving the image from the PACS…"):
            opened = open_study(_client(settings), study_uid, settings, sop_uid=sop_uid, with_report=sop_uid is None)
    except MedragError as exc:
        st.error(escape_markdown(exc.user_message))
        return
    if sop_uid is not None and previous is not None and previous.study_uid == study_uid:
        from dataclasses import replace

        opened = replace(opened, report=previous.report)  # same study: its report was read already
    st.session_state[_OPENED] = opened
    if sop_uid is None:  # a newly opened study: its image picker starts on the chosen image
        st.session_state["pacs_image"] = opened.chosen.instance.sop_uid


def _use_report(text: str) -> None:
    st.session_state["report_text"] = text


def _opened_study(settings: Settings, opened: OpenedStudy) -> None:
    chosen = opened.chosen
    st.caption(f"Checking {escape_markdown(chosen.instance.label())}: {escape_markdown(chosen.reason)}.")
    if len(opened.images) > 1:
        labels = {i.sop_uid: f"{n}. {i.label()}" for n, i in enumerate(opened.images, start=1)}
        picked = st.selectbox("Image of the study", list(labels), format_func=labels.__getitem__, key="pacs_image")
        if picked and picked != chosen.instance.sop_uid:
            _open(settings, opened.study_uid, picked)
            st.rerun()
    report = opened.report
    if report is not None and report.text:
        kind = "structured report" if report.kind == "sr" else "report document"
        st.caption(f"The study carries a {kind}.")
        st.button("Use the study's report", key="pacs_use_report", on_click=_use_report, args=(report.text,))
    elif report is not None and report.kind == "refused":
        st.warning(escape_markdown(f"{report.note} Paste the report instead."))
    elif report is not None:
        st.info("The study's report is a PDF: the workbench cannot read its text. Paste the report instead.")
    from medrag_core.pacs import header_rows

    with st.expander("DICOM header (shown here only; never sent to an LLM)"):
        st.dataframe([{"tag": t, "name": n, "value": v} for t, n, v in header_rows(opened.data)],
                     hide_index=True, key="pacs_header")
