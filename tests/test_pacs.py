"""medrag_core.pacs against a real Orthanc (DICOMweb plugin): QIDO filters, frontal choice, retrieval and
decoding, the study's report, basic auth on and off, a PACS that is down, and the settings' secrets."""

from __future__ import annotations

import datetime
import io
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from medrag_core.errors import ConfigError, ImageDecodeError, InputError, PacsAuthError, PacsError, PacsUnavailable
from medrag_core.imaging import decode_image
from medrag_core.pacs import (
    InstanceSummary,
    PacsClient,
    PacsConfig,
    StudyQuery,
    choose_frontal,
    header_rows,
    open_study,
    parse_tm,
    report_from_dicom,
)
from medrag_core.settings import Settings
from tests.fixtures.orthanc import (
    REPORT_SR_TEXT,
    PacsArchive,
    free_port,
    make_pacs_instance,
    start_orthanc,
    stow,
)


def _client(archive: PacsArchive, **settings: object) -> PacsClient:
    return PacsClient.from_settings(Settings(dicomweb_url=archive.server.dicomweb_url, **settings))


def _uids(studies: list) -> set[str]:
    return {s.study_uid for s in studies}


# --- QIDO-RS: each filter ---------------------------------------------------------------------------


def test_search_by_patient_id(orthanc: PacsArchive) -> None:
    found = _client(orthanc).search_studies(StudyQuery.build(patient_id="PACS-P1"))
    assert _uids(found) == {orthanc.studies[n] for n in ("p1_dx_two_views", "p1_cr_mono1", "p1_lateral_only")}
    assert {s.patient_id for s in found} == {"PACS-P1"}
    assert [s.accession for s in found] == ["ACC-1003", "ACC-1002", "ACC-1001"]  # 2025-01-20, 2024-06-10, 2024-01-05


def test_search_by_accession_number(orthanc: PacsArchive) -> None:
    found = _client(orthanc).search_studies(StudyQuery.build(accession="ACC-1002"))
    assert _uids(found) == {orthanc.studies["p1_cr_mono1"]}
    study = found[0]
    assert study.date == datetime.date(2024, 6, 10)
    assert study.description == "CHEST CR test study"
    assert study.n_instances == 1 and study.modalities == ("CR",)


def test_search_by_date_range_both_ends_and_open_ends(orthanc: PacsArchive) -> None:
    client = _client(orthanc)
    in_2024 = client.search_studies(StudyQuery.build(date_from=datetime.date(2024, 1, 1),
                                                     date_to=datetime.date(2024, 12, 31)))
    assert _uids(in_2024) == {orthanc.studies["p1_dx_two_views"], orthanc.studies["p1_cr_mono1"]}
    since_2025 = client.search_studies(StudyQuery.build(date_from=datetime.date(2025, 1, 1)))
    assert _uids(since_2025) == {orthanc.studies["p1_lateral_only"], orthanc.studies["p2_hint"]}
    until_2023 = client.search_studies(StudyQuery.build(date_to=datetime.date(2023, 12, 31)))
    assert _uids(until_2023) == {orthanc.studies["p2_cr"]}


def test_search_by_modality_defaults_to_cr_and_dx(orthanc: PacsArchive) -> None:
    client = _client(orthanc)
    assert StudyQuery().modalities == ("CR", "DX")
    assert len(client.search_studies(StudyQuery())) == 5
    only_cr = client.search_studies(StudyQuery.build(modalities="cr"))
    assert _uids(only_cr) == {orthanc.studies["p1_cr_mono1"], orthanc.studies["p2_cr"]}
    with_sr = client.search_studies(StudyQuery.build(modalities=["SR"]))
    assert _uids(with_sr) == {orthanc.studies["p1_dx_two_views"]}
    assert client.search_studies(StudyQuery.build(modalities="CT")) == []


def test_filters_combine(orthanc: PacsArchive) -> None:
    found = _client(orthanc).search_studies(
        StudyQuery.build(patient_id="PACS-P2", modalities="DX", date_from=datetime.date(2025, 1, 1)))
    assert _uids(found) == {orthanc.studies["p2_hint"]}


def test_iter_studies_pages_through_every_match(orthanc: PacsArchive) -> None:
    studies = list(_client(orthanc).iter_studies(StudyQuery(), page_size=2))
    assert len(studies) == 5 and _uids(studies) == set(orthanc.studies.values())


class _ReversingProxy(BaseHTTPRequestHandler):
    """A gateway in front of Orthanc that hands back each QIDO study list reversed: the same studies as
    Orthanc's answer, in another order (QIDO-RS leaves the order to the server)."""

    target = ""

    def do_GET(self) -> None:
        import json

        request = urllib.request.Request(self.target + self.path, headers={"Accept": self.headers.get("Accept", "*/*")})
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = answer.read()
            content_type = answer.headers.get("Content-Type", "application/octet-stream")
        if self.path.split("?")[0].endswith("/studies"):
            body = json.dumps(list(reversed(json.loads(body)))).encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_studies_are_listed_newest_first_whatever_order_the_pacs_answers_in() -> None:
    root = "1.2.826.0.1.3680043.8.498.77"
    # (accession, StudyDate, StudyTime, Study Instance UID), stored in neither the expected order nor its reverse.
    # The UIDs compare as text: "...77.10" before "...77.9".
    specs = [("ACC-T2", "20240301", "080000", f"{root}.20"), ("ACC-NODATE", "", "", f"{root}.30"),
             ("ACC-NEW", "20250101", "093000", f"{root}.40"), ("ACC-T1-9", "20240301", "143000", f"{root}.9"),
             ("ACC-OLD", "20220101", "235959", f"{root}.50"), ("ACC-T1-10", "20240301", "143000", f"{root}.10"),
             ("ACC-NOTIME", "20240301", "", f"{root}.60")]
    expected = ["ACC-NEW", "ACC-T1-10", "ACC-T1-9", "ACC-T2", "ACC-NOTIME", "ACC-OLD", "ACC-NODATE"]
    with start_orthanc() as server:
        stow(server, [make_pacs_instance(patient_id="ORDER-1", accession=accession, study_date=date, study_time=time,
                                         study_uid=uid, series_uid=f"{uid}.1")[0]
                      for accession, date, time, uid in specs])
        handler = type("Reversing", (_ReversingProxy,), {"target": server.url})
        proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=proxy.serve_forever, daemon=True)
        thread.start()
        try:
            reversed_url = f"http://127.0.0.1:{proxy.server_address[1]}/dicom-web"
            # Orthanc's order and its reverse cannot both be the expected one: each list is sorted by the client.
            for url in (server.dicomweb_url, reversed_url):
                found = PacsClient.from_settings(Settings(dicomweb_url=url)).search_studies(
                    StudyQuery.build(patient_id="ORDER-1"))
                assert [s.accession for s in found] == expected, url
            assert found[1].time == datetime.time(14, 30) and found[4].time is None and found[6].date is None
        finally:
            proxy.shutdown()
            proxy.server_close()


@pytest.mark.parametrize("value, expected", [
    ("143000", datetime.time(14, 30)), ("1430", datetime.time(14, 30)), ("14", datetime.time(14)),
    ("143000.25", datetime.time(14, 30, 0, 250000)), ("14:30:00", datetime.time(14, 30)),
    ("235960", datetime.time(23, 59, 59)), ("", None), (None, None), ("25", None), ("14a0", None), ("143", None),
])  # fmt: skip
def test_parse_tm(value: str | None, expected: datetime.time | None) -> None:
    assert parse_tm(value) == expected


@pytest.mark.parametrize("kwargs, message", [
    ({"patient_id": "A\\B"}, "backslash"),
    ({"patient_id": "x" * 65}, "longer than 64"),
    ({"date_from": datetime.date(2025, 1, 2), "date_to": datetime.date(2025, 1, 1)}, "ends before it starts"),
    ({"modalities": "CR,chest x-ray"}, "not a DICOM modality"),
])
def test_bad_queries_are_refused_before_anything_is_sent(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        StudyQuery.build(**kwargs)


# --- the frontal view -------------------------------------------------------------------------------


@pytest.mark.parametrize("study, view, reason", [
    ("p1_dx_two_views", "PA", "View Position PA"),
    ("p2_cr", "AP", "View Position AP"),
    ("p2_hint", "", "series description"),
    ("p1_lateral_only", "LL", "every image is marked lateral"),
])
def test_frontal_choice_on_the_pacs(orthanc: PacsArchive, study: str, view: str, reason: str) -> None:
    instances = _client(orthanc).study_instances(orthanc.studies[study])
    choice = choose_frontal(instances)
    assert choice is not None and reason in choice.reason
    assert choice.instance.view_position == view
    if study == "p2_hint":
        assert choice.instance.series_description == "CHEST PA ERECT"
    # The lateral was stored first: the choice is not simply the first image.
    if study in ("p1_dx_two_views", "p2_cr", "p2_hint"):
        first = min((i for i in instances if i.is_image), key=lambda i: i.order)
        assert choice.instance.sop_uid != first.sop_uid


def _inst(n: int, **kw: object) -> InstanceSummary:
    kw.setdefault("modality", "DX")
    return InstanceSummary(study_uid="1.2", series_uid=f"1.2.{n}", sop_uid=f"1.2.{n}.1", series_number=n,
                           instance_number=1, **kw)


def test_frontal_choice_rules() -> None:
    pa_left = _inst(1, view_position="PA", laterality="L")
    pa_both = _inst(2, view_position="PA", laterality="B")
    ap = _inst(3, view_position="AP")
    assert choose_frontal([ap, pa_left, pa_both]).instance is pa_both  # PA before AP; B before L/R
    assert choose_frontal([ap, _inst(4, view_position="LL")]).instance is ap
    unknown = [_inst(5, series_description="Lateral"), _inst(6)]
    choice = choose_frontal(unknown)
    assert choice.instance.sop_uid == "1.2.6.1" and "not marked lateral" in choice.reason
    report = _inst(7, modality="SR", sop_class_uid="1.2.840.10008.5.1.4.1.1.88.11")
    ct = _inst(8, modality="CT", view_position="PA")
    assert choose_frontal([report, ct]) is None


# --- retrieval through the upload's decode path -----------------------------------------------------


def test_open_study_decodes_like_an_upload_including_monochrome1(orthanc: PacsArchive) -> None:
    settings = Settings(dicomweb_url=orthanc.server.dicomweb_url)
    opened = open_study(_client(orthanc), orthanc.studies["p1_cr_mono1"], settings)
    original = orthanc.files[opened.chosen.instance.sop_uid]
    assert opened.decoded.photometric == "MONOCHROME1"
    expected = decode_image(original, max_pixels=settings.max_image_pixels).pixels
    np.testing.assert_array_equal(opened.decoded.pixels, expected)
    # MONOCHROME1 inverted: what is stored low (dense) is shown bright, on the phantom and on a real X-ray.
    import pydicom

    stored = pydicom.dcmread(io.BytesIO(original)).pixel_array.astype(np.float64)
    px = opened.decoded.pixels.astype(np.float64)
    assert px.shape == stored.shape
    assert np.corrcoef(px.ravel(), stored.ravel())[0, 1] < -0.95
    assert opened.report is None


def test_open_study_picks_the_frontal_and_reads_the_sr_report(orthanc: PacsArchive) -> None:
    settings = Settings(dicomweb_url=orthanc.server.dicomweb_url)
    client = _client(orthanc)
    opened = open_study(client, orthanc.studies["p1_dx_two_views"], settings)
    assert opened.chosen.instance.view_position == "PA"
    assert {i.view_position for i in opened.images} == {"PA", "LL"}  # the SR is not an image
    assert opened.report is not None and opened.report.kind == "sr"
    assert opened.report.text == REPORT_SR_TEXT
    lateral = next(i for i in opened.images if i.view_position == "LL")
    switched = open_study(client, orthanc.studies["p1_dx_two_views"], settings, sop_uid=lateral.sop_uid)
    assert switched.chosen.reason == "chosen by you" and switched.data != opened.data
    with pytest.raises(PacsError, match="not a radiograph of this study"):
        open_study(client, orthanc.studies["p1_dx_two_views"], settings, sop_uid=orthanc.sr_sop_uid)


def test_open_study_applies_the_upload_size_limit_before_retrieving(orthanc: PacsArchive) -> None:
    settings = Settings(dicomweb_url=orthanc.server.dicomweb_url, max_image_pixels=10_000)
    with pytest.raises(ImageDecodeError) as err:
        open_study(_client(orthanc), orthanc.studies["p2_cr"], settings)
    assert err.value.code == "too_large"


def test_unknown_study_is_a_clear_error(orthanc: PacsArchive) -> None:
    settings = Settings(dicomweb_url=orthanc.server.dicomweb_url)
    with pytest.raises(PacsError) as err:
        open_study(_client(orthanc), "1.2.3.4.5.6.7.8.9", settings)
    assert err.value.code in ("pacs_not_found", "pacs")


def test_open_study_reads_an_encapsulated_cda_and_names_a_pdf(orthanc: PacsArchive) -> None:
    settings = Settings(dicomweb_url=orthanc.server.dicomweb_url)
    client = _client(orthanc)
    cda = open_study(client, orthanc.studies["p2_hint"], settings).report
    assert cda is not None and cda.kind == "document"
    assert cda.text == "Impression IMPRESSION: No acute cardiopulmonary process."
    pdf = open_study(client, orthanc.studies["p1_lateral_only"], settings).report
    assert pdf is not None and (pdf.kind, pdf.text) == ("pdf", "")


def test_header_rows_are_local_only_and_skip_pixels(orthanc: PacsArchive) -> None:
    rows = header_rows(next(iter(orthanc.files.values())))
    names = {name for _tag, name, _value in rows}
    assert "Patient ID" in names and "Pixel Data" not in names


# --- report objects ---------------------------------------------------------------------------------


def _encapsulated(mime: str, payload: bytes) -> bytes:
    from tests.fixtures.orthanc import make_encapsulated

    return make_encapsulated(mime, payload)


def test_report_from_encapsulated_text_and_cda_but_not_pdf() -> None:
    text = b"FINDINGS: Lungs are clear.\nIMPRESSION: Normal."
    assert report_from_dicom(_encapsulated("text/plain", text)) == text.decode()
    cda = b"<ClinicalDocument><section><text>IMPRESSION: No acute disease.</text></section></ClinicalDocument>"
    assert report_from_dicom(_encapsulated("text/xml", cda)) == "IMPRESSION: No acute disease."
    assert report_from_dicom(_encapsulated("application/pdf", b"%PDF-1.4 FINDINGS")) is None
    assert report_from_dicom(b"not dicom at all") is None


# --- authentication ---------------------------------------------------------------------------------


def test_basic_auth_on() -> None:
    password = "pacs-S3cret-pw"
    with start_orthanc(users={"radiologist": password}) as server:
        data, inst = make_pacs_instance(patient_id="AUTH-1", accession="ACC-A1", study_date="20240101",
                                        study_uid="1.2.826.0.1.3680043.8.498.1",
                                        series_uid="1.2.826.0.1.3680043.8.498.2")
        stow(server, [data])
        url = server.dicomweb_url
        good = PacsClient.from_settings(Settings(dicomweb_url=url, dicomweb_auth="basic",
                                                 dicomweb_username="radiologist", dicomweb_password=password))
        assert _uids(good.search_studies(StudyQuery())) == {inst.study_uid}
        for settings in (Settings(dicomweb_url=url),
                         Settings(dicomweb_url=url, dicomweb_auth="basic", dicomweb_username="radiologist",
                                  dicomweb_password="wrong-password")):
            with pytest.raises(PacsAuthError) as err:
                PacsClient.from_settings(settings).search_studies(StudyQuery())
            assert "refused the credentials" in err.value.user_message and "401" in err.value.user_message
            assert password not in err.value.user_message and "wrong-password" not in err.value.user_message


class _BearerProxy(BaseHTTPRequestHandler):
    """A gateway in front of Orthanc that wants ``Authorization: Bearer <token>`` (as a cloud DICOM store does)."""

    target = ""
    token = ""

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        request = urllib.request.Request(self.target + self.path, headers={"Accept": self.headers.get("Accept", "*/*")})
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = answer.read()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.headers.get("Content-Type", "application/octet-stream"))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_bearer_token(orthanc: PacsArchive) -> None:
    handler = type("Proxy", (_BearerProxy,), {"target": orthanc.server.url, "token": "tok-123"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/dicom-web"
        good = PacsClient.from_settings(Settings(dicomweb_url=url, dicomweb_auth="bearer", dicomweb_token="tok-123"))
        found = good.search_studies(StudyQuery.build(accession="ACC-1001"))
        assert _uids(found) == {orthanc.studies["p1_dx_two_views"]}
        opened = open_study(good, orthanc.studies["p1_dx_two_views"], Settings(dicomweb_url=url))
        assert opened.chosen.instance.view_position == "PA"
        wrong = PacsClient.from_settings(Settings(dicomweb_url=url, dicomweb_auth="bearer", dicomweb_token="nope"))
        with pytest.raises(PacsAuthError) as err:
            wrong.search_studies(StudyQuery())
        assert "nope" not in err.value.user_message
    finally:
        server.shutdown()
        server.server_close()


def test_basic_auth_off_needs_no_credentials(orthanc: PacsArchive) -> None:
    client = _client(orthanc)
    assert client.config.auth == "none"
    client.ping()


# --- the PACS down or misconfigured -----------------------------------------------------------------


def test_searches_leave_no_patient_id_in_debug_logs(orthanc: PacsArchive, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    with caplog.at_level(logging.DEBUG):
        assert _client(orthanc).search_studies(StudyQuery.build(patient_id="PACS-P2"))
    assert "PACS-P2" not in caplog.text


def test_pacs_down_is_a_plain_message() -> None:
    port = free_port()  # nothing listens there
    client = PacsClient.from_settings(Settings(dicomweb_url=f"http://user:pw@127.0.0.1:{port}/dicom-web"))
    with pytest.raises(PacsUnavailable) as err:
        client.search_studies(StudyQuery.build(patient_id="PACS-P1"))
    message = err.value.user_message
    assert f"127.0.0.1:{port}" in message and "not reachable" in message
    assert "pw" not in message.replace("upload", "") and "PACS-P1" not in message


def test_stopped_orthanc_is_unavailable_then_nothing_else_breaks(orthanc: PacsArchive) -> None:
    with start_orthanc() as server:
        client = PacsClient.from_settings(Settings(dicomweb_url=server.dicomweb_url))
        client.ping()
        server.stop()
        with pytest.raises(PacsUnavailable):
            client.search_studies(StudyQuery())
    assert _client(orthanc).search_studies(StudyQuery.build(accession="ACC-2001"))  # the other PACS still answers


def test_url_of_the_web_ui_instead_of_dicomweb_says_so(orthanc: PacsArchive) -> None:
    client = PacsClient.from_settings(Settings(dicomweb_url=orthanc.server.url + "/app"))
    with pytest.raises(PacsError) as err:
        client.search_studies(StudyQuery())
    assert "DICOMweb root" in err.value.user_message


def test_not_configured_and_incomplete_auth() -> None:
    with pytest.raises(PacsUnavailable) as err:
        PacsConfig.from_settings(Settings())
    assert err.value.code == "pacs_not_configured" and "MEDRAG_DICOMWEB_URL" in err.value.user_message
    with pytest.raises(ConfigError, match="MEDRAG_DICOMWEB_PASSWORD"):
        PacsConfig.from_settings(Settings(dicomweb_url="http://pacs/dicom-web", dicomweb_auth="basic",
                                          dicomweb_username="u"))
    with pytest.raises(ConfigError, match="MEDRAG_DICOMWEB_TOKEN"):
        PacsConfig.from_settings(Settings(dicomweb_url="http://pacs/dicom-web", dicomweb_auth="bearer"))


def test_secrets_are_masked() -> None:
    settings = Settings.load(env={
        "MEDRAG_DICOMWEB_URL": "https://svc:url-secret@pacs.example/dicom-web", "MEDRAG_DICOMWEB_AUTH": "bearer",
        "MEDRAG_DICOMWEB_TOKEN": "tok-secret", "MEDRAG_DICOMWEB_PASSWORD": "pw-secret",
    }, secrets_path=None)
    shown = repr(settings) + str(settings) + repr(PacsConfig.from_settings(settings))
    assert "url-secret" not in shown and "tok-secret" not in shown and "pw-secret" not in shown
    assert PacsConfig.from_settings(settings).where == "https://pacs.example"
