"""``POST /api/verify-study`` on a real Orthanc: the study's frontal image and own report, a given report,
another image, the API key, PACS errors as 502/503 JSON, no model (a 200 that says so, as verify-report
answers), and no DICOM header value sent to an LLM."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from medrag_core.llm import make_verifier
from medrag_core.services import Services
from medrag_core.settings import Settings
from tests.fixtures.api_client import PLACEHOLDER_REPORT
from tests.fixtures.orthanc import PacsArchive, free_port

HEADER_VALUES = ("ZZTESTFAKE", "PACS-P1", "ACC-1001", "19000101", "CHEST DX test study")


def _client(settings: Settings, store, embedder) -> TestClient:
    return TestClient(create_app(settings, store=store, embedder=embedder, verifier=make_verifier(settings)))


@pytest.fixture()
def pacs_settings(pg_settings: Settings, tiny_siglip_dir, orthanc: PacsArchive) -> Settings:
    return pg_settings.model_copy(update={"embed_model": str(tiny_siglip_dir), "llm_backend": "offline",
                                          "dicomweb_url": orthanc.server.dicomweb_url})


def test_verify_study_uses_the_frontal_view_and_the_study_report(pacs_settings, store, tiny_embedder,
                                                                 orthanc: PacsArchive) -> None:
    with _client(pacs_settings, store, tiny_embedder) as client:
        response = client.post("/api/verify-study", json={"study_instance_uid": orthanc.studies["p1_dx_two_views"]})
    assert response.status_code == 200, response.text
    body = response.json()
    pa = next(i for i in orthanc.study("p1_dx_two_views") if i.view == "PA")
    assert body["sop_instance_uid"] == pa.sop_uid and body["view_choice"] == "View Position PA"
    assert body["report_source"] == "study"
    assert body["verdict"] in {"consistent", "needs_review", "inconsistent", "not_checked"}
    assert not any(v in response.text for v in HEADER_VALUES)


def test_verify_study_with_a_given_report_and_image(pacs_settings, store, tiny_embedder,
                                                    orthanc: PacsArchive) -> None:
    lateral = next(i for i in orthanc.study("p2_cr") if i.view == "LATERAL")
    with _client(pacs_settings, store, tiny_embedder) as client:
        response = client.post("/api/verify-study", json={
            "study_instance_uid": lateral.study_uid, "sop_instance_uid": lateral.sop_uid,
            "report_text": "FINDINGS: Left effusion.\nIMPRESSION: Right effusion."})
        assert response.status_code == 200, response.text
        assert response.json()["report_source"] == "request"
        assert response.json()["view_choice"] == "chosen by you"
        no_report = client.post("/api/verify-study", json={"study_instance_uid": orthanc.studies["p2_cr"]})
        assert no_report.status_code == 422 and "carries no readable report" in no_report.json()["message"]
        bad_uid = client.post("/api/verify-study", json={"study_instance_uid": "1.2.x; DROP"})
        assert bad_uid.status_code == 422


def test_api_key_guards_the_route(pacs_settings, store, tiny_embedder, orthanc: PacsArchive) -> None:
    settings = pacs_settings.model_copy(update={"api_key": SecretStr("k-123")})
    with _client(settings, store, tiny_embedder) as client:
        body = {"study_instance_uid": orthanc.studies["p1_dx_two_views"]}
        assert client.post("/api/verify-study", json=body).status_code == 401
        assert client.post("/api/verify-study", json=body, headers={"X-API-Key": "k-123"}).status_code == 200


def test_pacs_down_or_missing_is_503_json(pg_settings: Settings, store, tiny_embedder) -> None:
    for url, code in ((f"http://127.0.0.1:{free_port()}/dicom-web", "pacs_unavailable"),
                      (None, "pacs_not_configured")):
        settings = pg_settings.model_copy(update={"dicomweb_url": url, "llm_backend": "offline"})
        with _client(settings, store, tiny_embedder) as client:
            response = client.post("/api/verify-study", json={"study_instance_uid": "1.2.3"})
            assert response.status_code == 503 and response.json()["error"] == code, response.text
            assert client.get("/health").status_code == 200  # nothing else breaks


def test_without_the_model_verify_study_degrades_as_verify_report_does(pacs_settings, store, archive, tmp_path,
                                                                       orthanc: PacsArchive) -> None:
    """No model: a 200 with the offline checks and full-text cases, ``degraded`` naming the model, and the
    same answer /api/verify-report gives for the same image and report (one code path); the PACS errors
    keep their 503/502."""
    empty = tmp_path / "no-model-here"
    empty.mkdir()
    settings = pacs_settings.model_copy(update={"embed_model": str(empty)})
    services = Services(settings, store=store, verifier=make_verifier(settings))
    pa = next(i for i in orthanc.study("p1_dx_two_views") if i.view == "PA")
    with TestClient(create_app(settings, services=services)) as client:
        response = client.post("/api/verify-study", json={"study_instance_uid": pa.study_uid,
                                                          "report_text": PLACEHOLDER_REPORT})
        upload = client.post("/api/verify-report", data={"report_text": PLACEHOLDER_REPORT},
                             files={"image": ("pa.dcm", orthanc.files[pa.sop_uid], "application/dicom")})
        own_report = client.post("/api/verify-study", json={"study_instance_uid": pa.study_uid})
        down = client.app.state.resources.settings.model_copy(
            update={"dicomweb_url": f"http://127.0.0.1:{free_port()}/dicom-web"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [d["part"] for d in body["degraded"]] == ["model"]
    assert "embedding model is not available" in body["degraded"][0]["message"]
    assert "no-model-here" not in response.text and "no-model-here" not in upload.text  # local paths removed
    assert body["matches"] and {m["case"]["case_id"] for m in body["matches"]} <= set(archive)  # full-text
    assert all(m["image_score"] is None for m in body["matches"])
    assert any(issue["kind"] == "placeholder" for issue in body["issues"])  # the offline checks ran
    assert body["isCorrect"] is False and body["report_source"] == "request"
    assert body["sop_instance_uid"] == pa.sop_uid

    assert upload.status_code == 200, upload.text
    same = upload.json()
    assert body["degraded"] == same["degraded"]
    assert [m["case"]["case_id"] for m in body["matches"]] == [m["case"]["case_id"] for m in same["matches"]]
    assert [(i["kind"], i["severity"]) for i in body["issues"]] == [(i["kind"], i["severity"]) for i in same["issues"]]
    assert (body["verdict"], body["isCorrect"], body["correctReport"]) == (
        same["verdict"], same["isCorrect"], same["correctReport"])

    assert own_report.status_code == 200, own_report.text
    assert own_report.json()["report_source"] == "study"
    assert [d["part"] for d in own_report.json()["degraded"]] == ["model"]

    with TestClient(create_app(down, services=Services(down, store=store, verifier=make_verifier(down)))) as client:
        unreachable = client.post("/api/verify-study", json={"study_instance_uid": pa.study_uid})
    assert unreachable.status_code == 503 and unreachable.json()["error"] == "pacs_unavailable", unreachable.text


def test_no_header_value_reaches_the_llm(pacs_settings, store, tiny_embedder, orthanc: PacsArchive,
                                         fake_openai) -> None:
    from tests.fixtures.fake_servers import GOOD_ANSWER

    fake_openai.script([GOOD_ANSWER])
    settings = pacs_settings.model_copy(update={"llm_backend": "openai_compat", "openai_base_url": fake_openai.url,
                                                "openai_api_key": SecretStr("sk-test"), "llm_max_retries": 0})
    with _client(settings, store, tiny_embedder) as client:
        response = client.post("/api/verify-study", json={"study_instance_uid": orthanc.studies["p1_dx_two_views"]})
    assert response.status_code == 200, response.text
    assert len(fake_openai.requests) == 1
    sent = json.dumps(fake_openai.requests[0])
    assert "pleural effusion" in sent  # the study's report was checked ...
    assert not any(v in sent for v in HEADER_VALUES)  # ... and no header value went with it
    assert "DICM" not in sent
