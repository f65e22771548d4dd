"""The API as it runs for real: uvicorn in a subprocess (directly and through the container's
entrypoint script). SIGTERM and SIGINT stop the embedded Postgres it started; the API key is checked
before a body is read (a 60 MB upload announced but never sent is refused at once).

``ApiServer`` is also used by the browser test (tests/test_api_browser.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from medrag_core.store.embedded import postmaster_alive, read_pidfile
from tests.fixtures.api_server import ApiServer


@pytest.fixture()
def data_dir() -> Iterator[Path]:
    # Not under pytest's tmp_path: as root the server runs as the pgserver user (see tests/fixtures/pg.py).
    path = Path(tempfile.mkdtemp(prefix="medrag-api-"))
    yield path
    info = read_pidfile(path / "pgdata")
    if info is not None and postmaster_alive(info[0], info[1]):  # a failed test must not leave it running
        os.kill(info[0], signal.SIGTERM)
        time.sleep(2)
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("sig", "entrypoint"), [(signal.SIGTERM, False), (signal.SIGINT, False),
                                                 (signal.SIGTERM, True)])
def test_a_signal_stops_the_embedded_postgres(data_dir: Path, tiny_siglip_dir: Path, sig: int,
                                              entrypoint: bool) -> None:
    server = ApiServer({"MEDRAG_DATA_DIR": str(data_dir), "MEDRAG_EMBED_MODEL": str(tiny_siglip_dir)},
                       entrypoint=entrypoint)
    try:
        server.wait_ready()
        health = httpx.get(f"{server.url}/health", timeout=120)
        assert health.status_code == 200, health.text  # the store is built: the embedded server runs
        info = read_pidfile(data_dir / "pgdata")
        assert info is not None and postmaster_alive(info[0], info[1])
    finally:
        code = server.stop(sig)
    assert code in (0, -sig), server.output()  # uvicorn re-raises the signal once it has shut down cleanly
    assert "Application shutdown complete" in server.output()
    assert read_pidfile(data_dir / "pgdata") is None, "a clean Postgres shutdown removes postmaster.pid"
    assert not postmaster_alive(info[0], info[1])


@pytest.mark.timeout(300)
def test_the_api_key_is_checked_before_the_body_is_read(data_dir: Path, tiny_siglip_dir: Path) -> None:
    env = {"MEDRAG_DATA_DIR": str(data_dir), "MEDRAG_EMBED_MODEL": str(tiny_siglip_dir), "MEDRAG_API_KEY": "k3y"}
    with ApiServer(env) as server, socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            b"POST /api/verify-report HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 62914560\r\n\r\n--b\r\n"
        )  # 60 MB announced, a few bytes sent: an answer now means the body was not waited for
        answer = b""
        while b"}" not in answer:  # headers and the JSON body may come in separate packets
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        answer = answer.decode("latin-1")
    status_line, _, rest = answer.partition("\r\n")
    assert " 401 " in status_line, answer
    assert '"error":"unauthorized"' in rest.replace(" ", "") and '"detail"' in rest
