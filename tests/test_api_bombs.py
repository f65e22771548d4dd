"""Decompression bombs (``tests/fixtures/bombs.py``, made here) through the REST API and the Verify page.

The API answers each bomb with the documented shape ``{error, message, detail}``: 422 with the
decoder's code (``too_large``, ``multi_frame``) for a small upload whose pixels would be huge, 413
``too_large`` for an upload over ``MEDRAG_MAX_UPLOAD_BYTES``. Through a real uvicorn process the peak
RSS of the server while it answers each bomb stays small (read from ``/proc``: the server is a
subprocess, its peak is reset before each request); inflating any of them costs 400 MB to several GB.
Through the TestClient over the real store: no row, no cache file, no embedding, no LLM request.
The Verify page with the same bombs: tests/test_pages_verify_bombs.py.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from medrag_core.embedding import EmbeddingCache
from medrag_core.llm import make_verifier
from medrag_core.services import Services
from medrag_core.settings import Settings
from tests.fixtures.api_client import GOOD_REPORT, assert_error_shape
from tests.fixtures.api_server import ApiServer
from tests.fixtures.bombs import BOMBS, row_counts, write_bombs
from tests.fixtures.images import make_deflated_dicom_bomb, make_dicom, make_png, phantom
from tests.fixtures.workflow_data import CountingEmbedder
from tests.shared_data import BADINPUTS

#: The server's upload limit in these tests, so that one bomb is over it (413) and the others under it.
UPLOAD_LIMIT = 24 << 20
#: Growth of the server's peak RSS while it answers one bomb. The largest upload is 16 MB (held once as
#: the uploaded bytes); refusing from the header and from bounded inflation adds a few MB. Decoding or
#: inflating any bomb costs 400 MB to several GB.
MAX_GROWTH_MB = 80
#: What a refusal's message names, by code (one of the words suffices).
MESSAGE_WORDS = {"too_large": ("decompression bomb", "megapixel limit", "MB upload limit"),
                 "multi_frame": ("frames",)}


@pytest.fixture(scope="module")
def bomb_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("api-bombs")
    paths = write_bombs(folder)
    # 32 MB of honest uncompressed pixels, over the upload limit: refused by its size, before it is read
    paths["dicom-over-upload-limit"] = folder / "dicom-over-upload-limit"
    paths["dicom-over-upload-limit"].write_bytes(make_dicom(np.zeros((4096, 4096))))
    return paths


def expected(name: str) -> tuple[int, str]:
    """(status, error code) the API documents for the bomb ``name``."""
    if name == "dicom-over-upload-limit":
        return 413, "too_large"
    return 422, BOMBS[name][1]


def _kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def _reset_peak(pid: int) -> None:
    """Linux resets VmHWM (peak RSS) to the current RSS on ``5`` written to clear_refs (since 4.0)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError as exc:
        pytest.skip(f"cannot reset a process's peak RSS here ({exc}): the memory bound needs /proc/PID/clear_refs")


def _post(url: str, image: bytes, name: str) -> httpx.Response:
    return httpx.post(f"{url}/api/verify-report", files={"image": (name, image, "application/octet-stream")},
                      data={"report_text": GOOD_REPORT}, timeout=300)


@pytest.fixture()
def data_dir() -> Iterator[Path]:
    # Not under pytest's tmp_path: as root the embedded Postgres would run as another user (tests/fixtures/pg.py).
    path = Path(tempfile.mkdtemp(prefix="medrag-api-bombs-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.timeout(900)
def test_live_api_refuses_every_bomb_with_its_code_and_bounded_memory(
    bomb_files: dict[str, Path], data_dir: Path, tiny_siglip_dir: Path, fake_openai
) -> None:
    """uvicorn in a subprocess, an external LLM configured (the fake server): each bomb's answer, and
    the growth of the server's peak RSS over its RSS after warm-up, bomb by bomb."""
    env = {"MEDRAG_DATA_DIR": str(data_dir), "MEDRAG_EMBED_MODEL": str(tiny_siglip_dir),
           "MEDRAG_LLM_BACKEND": "openai_compat", "MEDRAG_OPENAI_BASE_URL": fake_openai.url,
           "MEDRAG_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT)}
    growth: dict[str, float] = {}
    with ApiServer(env) as server:
        pid = server.process.pid
        # Warm-up: refusals that load the multipart parser, the decoders and the error handlers.
        for warm in (make_png(phantom(1, 1)), make_deflated_dicom_bomb(600, 500, pixel_bytes=1 << 22)):
            assert _post(server.url, warm, "warm").status_code == 422
        baseline_kb = _kb(pid, "VmRSS")
        for name, path in bomb_files.items():
            _reset_peak(pid)
            response = _post(server.url, path.read_bytes(), name)
            status, code = expected(name)
            body = assert_error_shape(response, status, code)
            assert any(word in body["message"] for word in MESSAGE_WORDS[code]), body
            growth[name] = round((_kb(pid, "VmHWM") - baseline_kb) / 1024, 1)
        log = server.output()
    print("peak RSS growth (MB) per bomb:", growth)
    assert set(growth) == set(bomb_files)
    assert max(growth.values()) < MAX_GROWTH_MB, growth
    assert "Traceback" not in log and "MemoryError" not in log, log
    assert fake_openai.requests == []  # nothing sent to the LLM
    assert not (data_dir / "pgdata").exists(), "the store was opened for a refused upload"
    assert not any(data_dir.rglob("*.npy")), "an embedding was cached for a refused upload"


@pytest.fixture()
def bomb_client(pg_settings: Settings, tiny_siglip_dir: Path, store, tiny_embedder, fake_openai, tmp_path: Path):
    """The app over the real store, the tiny model (counted) and an external LLM (the fake server),
    history on, a cache folder with a file in it."""
    settings = pg_settings.model_copy(update={
        "embed_model": str(tiny_siglip_dir), "llm_backend": "openai_compat", "openai_base_url": fake_openai.url,
        "llm_max_retries": 0, "history": True, "max_upload_bytes": UPLOAD_LIMIT})  # fmt: skip
    counting = CountingEmbedder(tiny_embedder)
    cache = EmbeddingCache(tmp_path / "cache")
    cache.put("0" * 64, "seed-model", [1.0, 0.0])
    services = Services(settings, store=store, embedder=counting, verifier=make_verifier(settings), cache=cache)
    with TestClient(create_app(settings, services=services)) as client:
        yield client, counting, tmp_path / "cache"


@pytest.mark.timeout(600)
def test_api_bombs_store_nothing_compute_nothing_send_nothing(
    bomb_client, bomb_files: dict[str, Path], pg_conninfo: str, fake_openai
) -> None:
    client, counting, cache_dir = bomb_client
    rows_before = row_counts(pg_conninfo)
    files_before = sorted(p.name for p in cache_dir.iterdir())
    for name, path in bomb_files.items():
        response = client.post("/api/verify-report", files={"image": (name, path.read_bytes(), "image/png")},
                               data={"report_text": GOOD_REPORT})
        assert_error_shape(response, *expected(name))
    assert row_counts(pg_conninfo) == rows_before  # no case, no history entry
    assert sorted(p.name for p in cache_dir.iterdir()) == files_before
    assert counting.calls == 0, "an embedding was computed for a refused upload"
    assert fake_openai.requests == [], "the LLM was asked about a refused upload"


def _corpus_bombs() -> list[dict]:
    """The bad-input corpus's entries refused for their size (manifest reason too_large)."""
    manifest = BADINPUTS / "manifest.jsonl"
    if not manifest.exists():
        return []
    entries = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [e for e in entries if e.get("reason") == "too_large" and e["kind"] in ("image", "dicom")]


@pytest.mark.shared
@pytest.mark.skipif(not (BADINPUTS / "manifest.jsonl").exists(), reason=f"needs {BADINPUTS} (../shared is absent)")
@pytest.mark.parametrize("entry", _corpus_bombs() or [None], ids=lambda e: e["file"] if e else "absent")
def test_api_refuses_the_corpus_bombs(bomb_client, entry: dict | None, pg_conninfo: str, fake_openai) -> None:
    """The bad-input corpus's bombs (../shared/badinputs/manifest.jsonl) through the API."""
    assert entry is not None, "the manifest lists no too_large image"
    client, counting, _ = bomb_client
    rows_before = row_counts(pg_conninfo)
    data = (BADINPUTS / entry["file"]).read_bytes()
    response = client.post("/api/verify-report", files={"image": (entry["file"], data, "image/png")},
                           data={"report_text": GOOD_REPORT})
    body = assert_error_shape(response, 422, "too_large")
    assert any(word in body["message"] for word in MESSAGE_WORDS["too_large"]), body
    assert row_counts(pg_conninfo) == rows_before
    assert counting.calls == 0 and fake_openai.requests == []
