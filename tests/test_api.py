"""REST API over the real embedded Postgres and the tiny SigLIP checkpoint (FastAPI TestClient)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from medrag_core.llm import make_verifier
from tests.fixtures.api_client import (
    GOOD_REPORT,
    PLACEHOLDER_REPORT,
    assert_error_shape,
    post_verify,
    query_png,
)


def test_verify_round_trip_returns_result_and_compat_fields(client, archive) -> None:
    response = post_verify(client, query_png())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verdict"] == "consistent"
    assert body["check_status"] == "checked"
    assert body["isCorrect"] is True
    assert body["correctReport"] == GOOD_REPORT  # nothing to change: the report itself
    assert body["degraded"] == []
    assert body["verifier"] == "offline" and body["verifier_fallback"] is None
    assert {m["case"]["case_id"] for m in body["matches"]} <= set(archive)
    assert body["matches"], "similar cases are returned"
    assert "image_embedding" in body["timings_ms"] and "retrieval" in body["timings_ms"]


def test_compat_fields_for_a_report_with_a_placeholder(client) -> None:
    response = post_verify(client, query_png(1), PLACEHOLDER_REPORT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["isCorrect"] is False
    assert body["correctReport"] == body["suggested_report"]
    assert any(issue["kind"] == "placeholder" for issue in body["issues"])


def test_correct_report_never_carries_review_notes(client) -> None:
    body = post_verify(client, query_png(1), PLACEHOLDER_REPORT).json()
    assert "REVIEW" not in body["correctReport"]
    assert "remove before signing" not in body["correctReport"]


@pytest.mark.parametrize("report", ["x", "Normal."])
def test_a_report_that_is_not_recognisable_is_not_correct(client, report: str) -> None:
    body = post_verify(client, query_png(2), report).json()
    assert body["check_status"] != "checked"
    assert body["isCorrect"] is False


def test_the_image_embedding_cache_is_used(api_settings, store, tiny_embedder, archive) -> None:
    from medrag_core.services import Services

    services = Services(api_settings, store=store, embedder=tiny_embedder, verifier=make_verifier(api_settings))
    image = query_png(7)
    with TestClient(create_app(api_settings, services=services)) as client:
        first = post_verify(client, image)
        second = post_verify(client, image)
    assert first.status_code == second.status_code == 200
    from medrag_core.imaging import sha256_hex

    cached = list(services.cache().directory.glob(f"image-{sha256_hex(image)}-*.npy"))
    assert len(cached) == 1  # the first POST put the vector in the app's content-hash cache
    assert first.json()["matches"] == second.json()["matches"]


def test_missing_image_is_422(client) -> None:
    response = client.post("/api/verify-report", files={"other": ("a.txt", b"x", "text/plain")},
                           data={"report_text": GOOD_REPORT})
    assert_error_shape(response, 422, "missing_image")


def test_not_a_form_is_415(client) -> None:
    response = client.post("/api/verify-report", json={"report_text": GOOD_REPORT})
    assert_error_shape(response, 415, "unsupported_media_type")


def test_missing_report_is_422(client) -> None:
    response = client.post("/api/verify-report", files={"image": ("x.png", query_png(), "image/png")})
    assert_error_shape(response, 422, "empty")


def test_more_form_fields_than_the_api_takes_is_422_with_the_limit_named(client) -> None:
    # a fuzzer's schema-valid urlencoded body of many extra fields: refused as unprocessable, not as unreadable
    data = {"report_text": GOOD_REPORT, **{f"extra{i}": "x" for i in range(20)}}
    response = client.post("/api/verify-report", data=data)
    assert_error_shape(response, 422, "bad_input")
    assert "Too many fields" in response.json()["message"]


def test_broken_multipart_body_is_400(client) -> None:
    response = client.post("/api/verify-report", content=b"--abc\r\nContent-Disposition: form-data\r\n\r\nx",
                           headers={"Content-Type": "multipart/form-data; boundary=abc"})
    assert_error_shape(response, 400)


def test_a_report_over_a_megabyte_is_a_clear_422_not_a_parser_400(client) -> None:
    response = post_verify(client, query_png(), "FINDINGS: clear lungs. " * 70_000)  # about 1.6 MB
    assert_error_shape(response, 422, "too_long")


def test_unknown_route_and_method_use_the_error_shape(client) -> None:
    assert_error_shape(client.get("/api/nothing-here"), 404, "not_found")
    assert_error_shape(client.get("/api/verify-report"), 405, "method_not_allowed")


def test_invalid_query_parameters_use_the_error_shape(client) -> None:
    body = assert_error_shape(client.get("/api/search", params={"q": "effusion", "k": 0}), 422, "invalid_request")
    assert "k" in body["message"]
    assert_error_shape(client.get("/api/search"), 422, "invalid_request")


def test_text_file_as_image_is_a_clear_422(client) -> None:
    response = client.post("/api/verify-report", files={"image": ("x.png", b"just some text\n" * 20, "image/png")},
                           data={"report_text": GOOD_REPORT})
    assert_error_shape(response, 422, "not_an_image")


def test_huge_image_is_refused_from_its_header(client) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")
    response = client.post("/api/verify-report", files={"image": ("big.png", buffer.getvalue(), "image/png")},
                           data={"report_text": GOOD_REPORT})
    assert response.status_code == 422
    assert response.json()["error"] == "too_large"


def test_empty_report_is_422(client) -> None:
    response = client.post("/api/verify-report", files={"image": ("x.png", query_png(), "image/png")},
                           data={"report_text": "   \n\t "})
    assert_error_shape(response, 422, "empty")


def test_body_over_the_upload_limit_is_413(api_settings, store, tiny_embedder) -> None:
    small = api_settings.model_copy(update={"max_upload_bytes": 2048})
    app = create_app(small, store=store, embedder=tiny_embedder, verifier=make_verifier(small))
    with TestClient(app) as client:
        response = client.post("/api/verify-report", files={"image": ("x.png", b"\0" * 600_000, "image/png")},
                               data={"report_text": GOOD_REPORT})
        refused = assert_error_shape(response, 413, "too_large")
        # the same sentence as the app's and the CLI's, naming the setting
        assert "larger than the 2 KB upload limit (MEDRAG_MAX_UPLOAD_BYTES)." in refused["message"]

        def chunks():
            boundary = b"--b0undary\r\n"
            yield boundary + b'Content-Disposition: form-data; name="image"; filename="x.png"\r\n\r\n'
            for _ in range(20):
                yield b"\0" * 64 * 1024
        chunked = client.post("/api/verify-report", content=chunks(),
                              headers={"Content-Type": "multipart/form-data; boundary=b0undary"})
        assert_error_shape(chunked, 413, "too_large")


def test_api_key_required_when_configured(api_settings, store, tiny_embedder, archive) -> None:
    from pydantic import SecretStr

    keyed = api_settings.model_copy(update={"api_key": SecretStr("s3cret-key")})
    app = create_app(keyed, store=store, embedder=tiny_embedder, verifier=make_verifier(keyed))
    with TestClient(app) as client:
        files = {"image": ("x.png", query_png(), "image/png")}
        refused = client.post("/api/verify-report", files=files, data={"report_text": GOOD_REPORT})
        assert_error_shape(refused, 401, "unauthorized")
        assert "s3cret-key" not in refused.text
        pulled: list[int] = []

        def body():
            for i in range(1000):
                pulled.append(i)
                yield b"\0" * 64 * 1024
        early = client.post("/api/verify-report", content=body(),
                            headers={"Content-Type": "multipart/form-data; boundary=x"})
        assert_error_shape(early, 401, "unauthorized")
        assert pulled == []  # refused before a byte of the 64 MB body was read
        for path in ("/api/search?q=lungs", "/api/cases/x/similar", "/api/check-report"):
            assert client.request("GET" if "check" not in path else "POST", path).status_code == 401
        wrong = client.get(f"/api/cases/{archive[0]}", headers={"X-API-Key": "nope"})
        assert wrong.status_code == 401
        accepted = client.get(f"/api/cases/{archive[0]}", headers={"X-API-Key": "s3cret-key"})
        assert accepted.status_code == 200


def test_case_and_its_image(client, archive) -> None:
    case = client.get(f"/api/cases/{archive[1]}")
    assert case.status_code == 200
    assert case.json()["case_id"] == archive[1]
    image = client.get(f"/api/cases/{archive[1]}/image")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert_error_shape(client.get("/api/cases/no-such-case"), 404, "not_found")


@pytest.mark.parametrize("case_id", ["no-such-case", "z" * 60_000, "bad\x00id", "x\ny"])
def test_unknown_ids_are_404_without_echo(client, case_id: str) -> None:
    from urllib.parse import quote

    for suffix in ("", "/image", "/similar"):
        response = client.get(f"/api/cases/{quote(case_id)}{suffix}")
        assert_error_shape(response, 404, "not_found")
        assert case_id[:20] not in response.text


def test_health_ok(client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["components"]["database"]["state"] == "ok"
    assert body["components"]["verifier"]["summary"].startswith("offline")


def test_health_shows_no_local_paths(client, api_settings) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    summaries = " ".join(c["summary"] for c in response.json()["components"].values())
    assert summaries  # no key configured: the detailed view
    assert str(api_settings.data_dir) not in response.text
    assert api_settings.embed_model not in response.text  # the local model folder


def test_health_when_database_is_down(tiny_siglip_dir, tmp_path) -> None:
    from pydantic import SecretStr

    from medrag_core.settings import Settings

    down = Settings.load(env={}, secrets_path=None, data_dir=tmp_path, embed_model=str(tiny_siglip_dir),
                         database_url=SecretStr("postgresql://medrag:hunter2pw@127.0.0.1:9/medrag?connect_timeout=2"))
    with TestClient(create_app(down)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["components"]["database"]["state"] == "error"
    assert "hunter2pw" not in response.text


def test_cors_is_not_open_by_default(client) -> None:
    response = client.options("/api/verify-report", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert response.headers.get("access-control-allow-origin") is None


def test_openapi_docs_served_without_a_cdn(client) -> None:
    import re

    for page in ("/docs", "/redoc"):
        html = client.get(page)
        assert html.status_code == 200
        assets = re.findall(r'(?:src|href)=["\']([^"\']+)["\']', html.text)
        assets += re.findall(r'url: *["\']([^"\']+)', html.text)
        assert assets, page
        for asset in assets:
            assert asset.startswith("/"), f"{page} loads {asset} from outside the server"
            assert client.get(asset).status_code == 200, asset
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/verify-report", "/api/check-report", "/api/search", "/api/cases/{case_id}/similar",
            "/health"} <= set(paths)


def _keyed_app(api_settings, store, tiny_embedder, key: str):
    from pydantic import SecretStr

    keyed = api_settings.model_copy(update={
        "api_key": SecretStr(key), "llm_backend": "openai_compat",
        "openai_base_url": "http://bob:pa55w0rd@vllm.internal:8000/v1?token=sk-q-secret",
    })
    return create_app(keyed, store=store, embedder=tiny_embedder, verifier=make_verifier(api_settings))


def test_health_without_the_key_gives_states_only(api_settings, store, tiny_embedder, archive) -> None:
    with TestClient(_keyed_app(api_settings, store, tiny_embedder, "s3cret-key")) as client:
        anonymous = client.get("/health")
        wrong = client.get("/health", headers={"X-API-Key": "nope"})
        full = client.get("/health", headers={"X-API-Key": "s3cret-key"})
    for response in (anonymous, wrong):
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert set(body["components"]) == {"database", "model", "verifier"}
        assert all(set(c) == {"state"} for c in body["components"].values())
        assert body["components"]["database"]["state"] == "ok"
        assert "vllm.internal" not in response.text and "Postgres" not in response.text
    assert full.status_code == 200
    summary = full.json()["components"]["verifier"]["summary"]
    assert "vllm.internal:8000/v1" in summary
    assert "pa55w0rd" not in full.text and "sk-q-secret" not in full.text and "bob" not in full.text
    assert "summary" in full.json()["components"]["database"]


def test_blank_api_key_is_not_a_key(api_settings, store, tiny_embedder, archive) -> None:
    # With a blank key configured, compare_digest(b"", b"") would accept a request sending none while the
    # API looked protected; a blank key means "no key" (like an unset one), and /health is detailed.
    with TestClient(_keyed_app(api_settings, store, tiny_embedder, "  ")) as client:
        case = client.get(f"/api/cases/{archive[0]}")
        health = client.get("/health")
    assert case.status_code == 200
    assert "summary" in health.json()["components"]["database"]


def test_blank_api_key_in_secrets_toml_is_unset(tmp_path) -> None:
    from medrag_core.settings import Settings

    secrets = tmp_path / "secrets.toml"
    secrets.write_text('MEDRAG_API_KEY = ""\n', encoding="utf-8")
    assert Settings.load(env={}, secrets_path=secrets).api_key is None
