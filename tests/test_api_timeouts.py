"""Time limits of the API: a frozen database (the embedded Postgres stopped with SIGSTOP), an LLM server
that trickles its answer a byte at a time, and one that answers 429 with ``Retry-After: 3600``.

No wall-clock assertions: each test checks what the answer says (the limit that was hit, how many
calls the LLM server saw); pytest-timeout is only the guard against a hang.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator

import psutil
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from medrag_core.services import Services
from medrag_core.settings import Settings
from tests.fixtures.api_client import GOOD_REPORT, post_verify, query_png
from tests.fixtures.fake_servers import Reply


def _freeze(pid: int) -> list[psutil.Process]:
    postmaster = psutil.Process(pid)
    processes = [postmaster, *postmaster.children(recursive=True)]
    for process in processes:
        process.send_signal(signal.SIGSTOP)
    return processes


@pytest.fixture()
def frozen_db_client(fresh_pg, tiny_siglip_dir, tiny_embedder) -> Iterator[tuple[TestClient, list]]:
    settings = Settings(data_dir=fresh_pg.data_dir.parent, embed_model=str(tiny_siglip_dir), db_timeout_s=1.5)
    services = Services(settings, embedder=tiny_embedder)
    frozen: list[psutil.Process] = []
    with TestClient(create_app(settings, services=services)) as client:
        assert client.get("/health").status_code == 200  # the store is built and connected
        try:
            frozen += _freeze(fresh_pg.pid)
            yield client, frozen
        finally:
            for process in frozen:
                process.send_signal(signal.SIGCONT)


@pytest.mark.timeout(180)
def test_frozen_database_health_is_503_within_the_limit(frozen_db_client) -> None:
    client, _ = frozen_db_client
    response = client.get("/health")
    assert response.status_code == 503
    assert "did not answer within 1.5 s" in response.json()["components"]["database"]["summary"]


@pytest.mark.timeout(180)
def test_frozen_database_verify_gives_the_offline_result_with_a_notice(frozen_db_client) -> None:
    client, _ = frozen_db_client
    response = post_verify(client, query_png())
    assert response.status_code == 200, response.text
    body = response.json()
    assert [d["part"] for d in body["degraded"]] == ["database"]
    assert "did not answer within 1.5 s" in body["degraded"][0]["message"]
    assert body["matches"] == []
    # Later requests find the connection gone: reconnecting to the frozen server hits the connect limit.
    again = client.get("/api/cases/any-case")
    assert again.status_code == 503
    assert "timeout" in again.json()["message"]


def _llm_settings(pg_settings: Settings, tiny_siglip_dir: object, url: str, **extra: object) -> Settings:
    return pg_settings.model_copy(update={
        "embed_model": str(tiny_siglip_dir), "llm_backend": "openai_compat", "openai_base_url": url,
        "send_images_to_llm": False, **extra,
    })


@pytest.mark.timeout(120)
def test_a_trickling_llm_server_is_cut_off_at_the_budget(pg_settings, tiny_siglip_dir, store, tiny_embedder,
                                                        fake_openai) -> None:
    # A byte every 0.5 s never trips an idle timeout; the whole-verify budget of 2 s does.
    fake_openai.script([Reply.trickle(0.5)])
    settings = _llm_settings(pg_settings, tiny_siglip_dir, fake_openai.url, llm_timeout_s=2.0, llm_max_retries=3)
    with TestClient(create_app(settings, store=store, embedder=tiny_embedder)) as client:
        body = post_verify(client, query_png(), GOOD_REPORT).json()
    assert body["verifier"] == "offline"
    assert "did not answer within 2 s" in body["verifier_fallback"]
    assert len(fake_openai.requests) == 1  # a timeout is not retried
    assert [d["part"] for d in body["degraded"]] == ["verifier"]


@pytest.mark.timeout(120)
def test_retry_after_beyond_the_budget_is_not_waited_for(pg_settings, tiny_siglip_dir, store, tiny_embedder,
                                                         fake_openai) -> None:
    fake_openai.script([Reply.error(429, retry_after_s=3600)] * 4)
    settings = _llm_settings(pg_settings, tiny_siglip_dir, fake_openai.url, llm_timeout_s=30.0, llm_max_retries=3)
    with TestClient(create_app(settings, store=store, embedder=tiny_embedder)) as client:
        body = post_verify(client, query_png(), GOOD_REPORT).json()
    assert body["verifier"] == "offline"
    assert "asked to wait 3600 s" in body["verifier_fallback"]
    assert len(fake_openai.requests) == 1  # given up at once: no retry before the server's time, none after


@pytest.mark.timeout(120)
def test_backoff_stops_when_the_budget_is_spent(pg_settings, tiny_siglip_dir, store, tiny_embedder,
                                                fake_openai) -> None:
    # 5xx without Retry-After: backoffs of 1, 2 and 4 s (+ up to 10 % jitter) would take 7 s; the budget is 6 s,
    # so after the first two backoffs (3 s) the 4 s one cannot fit however fast the calls are.
    fake_openai.script([Reply.error(503)] * 4)
    settings = _llm_settings(pg_settings, tiny_siglip_dir, fake_openai.url, llm_timeout_s=6.0, llm_max_retries=3)
    with TestClient(create_app(settings, store=store, embedder=tiny_embedder)) as client:
        body = post_verify(client, query_png(), GOOD_REPORT).json()
    assert "no time left for a retry" in body["verifier_fallback"]
    assert len(fake_openai.requests) == 3
