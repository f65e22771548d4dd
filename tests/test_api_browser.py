"""The API from a browser, as the original MedRAG's web client uses it: a static page on its own origin
(tests/api_client/index.html) posts multipart/form-data across origins (CORS) to uvicorn and shows
``isCorrect``, ``correctReport`` or an error's ``detail``. Cases: the happy path, a bad file, no
model. Also ``/docs`` and ``/redoc`` render with every request outside the two local servers blocked
(a hospital network without internet).

Real Chromium (Debian's, never ``playwright install``), real uvicorn, the session's embedded Postgres
with three cases, the tiny SigLIP checkpoint.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.fixtures.api_client import GOOD_REPORT, PLACEHOLDER_REPORT, query_png
from tests.fixtures.api_server import ApiServer
from tests.fixtures.browser import CHROMIUM, CHROMIUM_FLAGS

CLIENT_DIR = Path(__file__).parent / "api_client"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (apt-get install -y chromium)"),
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def client_origin() -> Iterator[str]:
    """The static client page, served from its own origin."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(CLIENT_DIR)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def work_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="medrag-api-browser-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _api(work_dir: Path, pg_conninfo: str, model: Path, origin: str) -> ApiServer:
    return ApiServer({
        "MEDRAG_DATA_DIR": str(work_dir / "data"), "MEDRAG_DATABASE_URL": pg_conninfo,
        "MEDRAG_EMBED_MODEL": str(model), "MEDRAG_LLM_BACKEND": "offline", "MEDRAG_CORS_ORIGINS": origin,
    })


@pytest.fixture()
def page(work_dir: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(work_dir / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
        )
        context.set_default_timeout(120_000)
        outside: list[str] = []

        def local_only(route) -> None:
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", local_only)
        try:
            page = context.new_page()
            page.outside_requests = outside
            yield page
        finally:
            context.close()


def _submit(page, origin: str, api: ApiServer, image: Path, report: str) -> tuple[str, str, str]:
    page.goto(f"{origin}/index.html?api={api.url}")
    page.set_input_files("#image", str(image))
    page.fill("#report", report)
    page.click("#submit")
    page.wait_for_selector("#result[data-state='done'], #result[data-state='error']")
    return (page.get_attribute("#result", "data-state"), page.inner_text("#result"),
            page.inner_text("#correct-report"))


def test_the_original_client_happy_path_and_a_bad_file(page, client_origin, work_dir, pg_conninfo, tiny_siglip_dir,
                                                       archive) -> None:
    xray = work_dir / "xray.png"
    xray.write_bytes(query_png())
    text_file = work_dir / "notes.png"
    text_file.write_bytes(b"these are my notes, not an image\n" * 10)
    with _api(work_dir, pg_conninfo, tiny_siglip_dir, client_origin) as api:
        state, message, corrected = _submit(page, client_origin, api, xray, GOOD_REPORT)
        assert (state, message, corrected) == ("done", "The report is correct.", "")

        state, message, corrected = _submit(page, client_origin, api, xray, PLACEHOLDER_REPORT)
        assert state == "done" and "Suggested report" in message
        assert "[***]" in corrected or corrected.strip(), corrected
        assert "REVIEW" not in corrected

        state, message, _ = _submit(page, client_origin, api, text_file, GOOD_REPORT)
        assert state == "error"
        assert message.startswith("Server error: 422 - ")
        assert "PNG" in message  # the reason, from detail: what kind of file to send instead
    assert page.outside_requests == []


def test_the_original_client_without_the_model_still_gets_an_answer(page, client_origin, work_dir, pg_conninfo,
                                                                    archive) -> None:
    no_model = work_dir / "no-model"
    no_model.mkdir()
    xray = work_dir / "xray.png"
    xray.write_bytes(query_png(3))
    with _api(work_dir, pg_conninfo, no_model, client_origin) as api:
        state, message, corrected = _submit(page, client_origin, api, xray, PLACEHOLDER_REPORT)
    assert state == "done", message
    assert "Suggested report" in message and corrected.strip()


def test_docs_and_redoc_render_without_internet(page, work_dir, pg_conninfo, tiny_siglip_dir) -> None:
    with _api(work_dir, pg_conninfo, tiny_siglip_dir, "http://127.0.0.1") as api:
        page.goto(f"{api.url}/docs")
        page.wait_for_selector(".swagger-ui .opblock-summary-path[data-path='/api/verify-report']")
        assert page.locator(".swagger-ui .opblock").count() >= 6
        page.goto(f"{api.url}/redoc")
        page.get_by_text("/api/check-report").first.wait_for()
        assert "MedRAG workbench API" in page.inner_text("body")
    # ReDoc's bundle asks for its "by Redocly" footer logo from its CDN; blocked, the page is unchanged.
    assert set(page.outside_requests) <= {"https://cdn.redoc.ly/redoc/logo-mini.svg"}
