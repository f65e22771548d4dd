"""REST API when parts are missing: validate first, then degrade (no model, no database, a failing
LLM), the report-only and search endpoints, and the image formats. Real embedded Postgres, the tiny
SigLIP checkpoint, and a local server speaking OpenAI's wire format."""

from __future__ import annotations

import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pydantic import SecretStr

from api.app import create_app
from medrag_core.llm import make_verifier
from medrag_core.services import Services
from tests.fixtures.api_client import GOOD_REPORT, PLACEHOLDER_REPORT, assert_error_shape, post_verify, query_png
from tests.fixtures.fake_servers import Reply
from tests.fixtures.images import make_animated, phantom, to_uint8

DOWN_DSN = "postgresql://medrag:hunter2pw@127.0.0.1:9/medrag"


class CountingServices(Services):
    """Services that counts how often the model and the store were asked for."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.asked: list[str] = []

    def embedder(self):
        self.asked.append("embedder")
        return super().embedder()

    def store(self):
        self.asked.append("store")
        return super().store()


@pytest.fixture()
def base_settings(pg_settings, tiny_siglip_dir):
    return pg_settings.model_copy(update={"embed_model": str(tiny_siglip_dir), "llm_backend": "offline"})


@pytest.fixture()
def no_model_settings(base_settings, tmp_path):
    empty = tmp_path / "no-model-here"
    empty.mkdir()
    return base_settings.model_copy(update={"embed_model": str(empty)})


@pytest.fixture()
def no_model(no_model_settings, store, archive):
    services = CountingServices(no_model_settings, store=store, verifier=make_verifier(no_model_settings))
    with TestClient(create_app(no_model_settings, services=services)) as client:
        yield client, services


@pytest.fixture()
def no_database(base_settings, tiny_embedder, tmp_path):
    down = base_settings.model_copy(update={"database_url": SecretStr(DOWN_DSN), "data_dir": tmp_path,
                                            "db_timeout_s": 2.0})
    services = CountingServices(down, embedder=tiny_embedder, verifier=make_verifier(down))
    with TestClient(create_app(down, services=services)) as client:
        yield client, services


@pytest.fixture()
def client(base_settings, store, tiny_embedder, archive):
    app = create_app(base_settings, store=store, embedder=tiny_embedder, verifier=make_verifier(base_settings))
    with TestClient(app) as test_client:
        yield test_client


# -- no model -------------------------------------------------------------------------------------


def test_without_the_model_verify_answers_with_text_search_and_says_so(no_model, archive) -> None:
    client, _ = no_model
    response = post_verify(client, query_png(), PLACEHOLDER_REPORT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [d["part"] for d in body["degraded"]] == ["model"]
    assert "embedding model is not available" in body["degraded"][0]["message"]
    assert body["matches"], "full-text search still finds the archive's cases"
    assert {m["case"]["case_id"] for m in body["matches"]} <= set(archive)
    assert all(m["image_score"] is None for m in body["matches"])
    assert any(issue["kind"] == "placeholder" for issue in body["issues"])  # the offline checks ran
    assert body["isCorrect"] is False


@pytest.mark.parametrize(("image", "code"), [(b"", "empty"), (b"just some text\n" * 20, "not_an_image")])
def test_a_bad_image_is_refused_before_the_model_or_store_is_asked_for(no_model, image: bytes, code: str) -> None:
    client, services = no_model
    response = post_verify(client, image)
    assert_error_shape(response, 422, code)
    assert services.asked == []


def test_a_bad_report_is_refused_before_the_model_or_store_is_asked_for(no_model) -> None:
    client, services = no_model
    assert_error_shape(post_verify(client, query_png(), "  \n "), 422, "empty")
    assert services.asked == []


def test_search_without_the_model_uses_full_text_and_says_so(no_model, archive) -> None:
    client, _ = no_model
    response = client.get("/api/search", params={"q": "lungs clear", "k": 2})
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["results"]) == 2
    assert {r["case"]["case_id"] for r in body["results"]} <= set(archive)
    assert [d["part"] for d in body["degraded"]] == ["model"]


# -- no database ----------------------------------------------------------------------------------


def test_without_the_database_verify_gives_the_offline_checks_and_says_so(no_database) -> None:
    client, _ = no_database
    response = post_verify(client, query_png(), PLACEHOLDER_REPORT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [d["part"] for d in body["degraded"]] == ["database"]
    assert "hunter2pw" not in response.text
    assert body["matches"] == []
    assert any(issue["kind"] == "placeholder" for issue in body["issues"])
    assert body["isCorrect"] is False


def test_without_the_database_lookups_are_503_in_the_error_shape(no_database) -> None:
    client, _ = no_database
    for path in ("/api/cases/some-case", "/api/search?q=effusion", "/api/cases/some-case/similar"):
        response = client.get(path)
        assert_error_shape(response, 503, "store_unavailable")
        assert "hunter2pw" not in response.text


def test_a_password_with_an_unencoded_at_sign_does_not_leak(base_settings, tmp_path) -> None:
    dsn = "postgresql://medrag:hunter@2pwtail@127.0.0.1:9/medrag"
    settings = base_settings.model_copy(update={"database_url": SecretStr(dsn), "data_dir": tmp_path})
    with TestClient(create_app(settings)) as client:
        for response in (client.get("/health"), client.get("/api/cases/x")):
            assert response.status_code == 503
            assert "2pwtail" not in response.text and "hunter" not in response.text
        assert "%40" in client.get("/api/cases/x").json()["message"]


# -- the verifier ---------------------------------------------------------------------------------


def test_a_failing_llm_falls_back_and_the_answer_says_so(base_settings, store, tiny_embedder, archive,
                                                         fake_openai) -> None:
    settings = base_settings.model_copy(update={
        "llm_backend": "openai_compat", "openai_base_url": fake_openai.url, "llm_max_retries": 0,
        "send_images_to_llm": False,
    })
    fake_openai.script([Reply.error(500)])
    app = create_app(settings, store=store, embedder=tiny_embedder)  # the verifier comes from the settings
    with TestClient(app) as client:
        body = post_verify(client, query_png()).json()
    assert len(fake_openai.requests) == 1
    assert body["verifier"] == "offline"
    assert "HTTP 500" in body["verifier_fallback"]
    assert [d["part"] for d in body["degraded"]] == ["verifier"]


def test_an_llm_that_cannot_be_set_up_falls_back(base_settings, store, tiny_embedder, archive) -> None:
    settings = base_settings.model_copy(update={"llm_backend": "gemini", "gemini_api_key": None})
    with TestClient(create_app(settings, store=store, embedder=tiny_embedder)) as client:
        response = post_verify(client, query_png())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verifier"] == "offline"
    assert "gemini" in body["verifier_fallback"].lower()
    assert [d["part"] for d in body["degraded"]] == ["verifier"]


# -- report only, search, similar -----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded", "json"])
def test_check_report_runs_the_offline_checks_without_an_image(no_database, encoding: str) -> None:
    client, services = no_database
    send = {"multipart": {"files": {"report_text": (None, PLACEHOLDER_REPORT)}},
            "urlencoded": {"data": {"report_text": PLACEHOLDER_REPORT}},
            "json": {"json": {"report_text": PLACEHOLDER_REPORT}}}[encoding]
    response = client.post("/api/check-report", **send)
    assert response.status_code == 200, response.text
    body = response.json()
    assert any(issue["kind"] == "placeholder" for issue in body["issues"])
    assert body["isCorrect"] is False and body["matches"] == [] and body["degraded"] == []
    assert services.asked == []  # no database, no model


def test_check_report_of_a_clean_report(client) -> None:
    body = client.post("/api/check-report", data={"report_text": GOOD_REPORT}).json()
    assert body["verdict"] == "consistent" and body["isCorrect"] is True
    assert body["correctReport"] == GOOD_REPORT


def test_check_report_errors(client) -> None:
    for value in ('{"findings": "clear"}', "42", "[1, 2]", "null"):
        assert_error_shape(client.post("/api/check-report", data={"report_text": value}), 422, "not_text")
    assert_error_shape(client.post("/api/check-report", data={"report_text": " "}), 422, "empty")
    assert_error_shape(client.post("/api/check-report", json={"report": "x"}), 422, "empty")
    assert_error_shape(client.post("/api/check-report", content=b"{not json",
                                   headers={"Content-Type": "application/json"}), 400, "bad_request")
    assert_error_shape(client.post("/api/check-report", content=b"report", headers={"Content-Type": "text/plain"}),
                       415, "unsupported_media_type")


def test_search_finds_cases_by_text(client, archive) -> None:
    body = client.get("/api/search", params={"q": "lungs clear", "k": 3}).json()
    assert {r["case"]["case_id"] for r in body["results"]} == set(archive)
    assert body["degraded"] == []


def test_similar_cases_leave_the_case_out(client, archive) -> None:
    body = client.get(f"/api/cases/{archive[0]}/similar").json()
    ids = [r["case"]["case_id"] for r in body["results"]]
    assert ids and archive[0] not in ids and set(ids) <= set(archive)


# -- formats --------------------------------------------------------------------------------------


def _encode(fmt: str, **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(to_uint8(phantom(256, 224))).save(buffer, format=fmt, **save)
    return buffer.getvalue()


@pytest.mark.parametrize(("fmt", "mime"), [("BMP", "image/bmp"), ("TIFF", "image/tiff"), ("WEBP", "image/webp"),
                                           ("GIF", "image/gif")])
def test_other_raster_formats_are_verified(client, fmt: str, mime: str) -> None:
    response = post_verify(client, _encode(fmt), name=f"x.{fmt.lower()}", mime=mime)
    assert response.status_code == 200, response.text[:300]
    assert response.json()["matches"]


def test_an_animated_gif_is_refused_clearly(client) -> None:
    frames = make_animated(phantom(64, 64), frames=3, format="GIF")
    assert_error_shape(post_verify(client, frames, name="x.gif", mime="image/gif"), 422, "animated")


def test_a_format_bomb_is_refused_from_its_header(client) -> None:
    from tests.fixtures.images import make_bmp_bomb

    assert_error_shape(post_verify(client, make_bmp_bomb(), name="x.bmp", mime="image/bmp"), 422, "too_large")


def test_images_come_back_with_their_type(client, store, tiny_embedder) -> None:
    from medrag_core.models import Case
    from medrag_core.store import CaseRecord

    bmp = _encode("BMP")
    case = Case(case_id="bmp-case", source="test", findings="Clear.")
    store.upsert([CaseRecord(case=case, image_bytes=bmp, image_mime="image/bmp",
                             image_embedding=np.full(64, 0.125, dtype=np.float32))],
                 embed_model=tiny_embedder.name)
    response = client.get("/api/cases/bmp-case/image")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/bmp" and response.content == bmp
