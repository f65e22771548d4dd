"""Day one in a real Chromium (issue 15): a fresh data dir and no model. The README's ingest commands load
both samples (326 image cases + 3,927 IU reports), then the Verify page with a sample X-ray and a report
shows the checks and full-text similar cases; Browse compares two real cases; Admin counts the cases
still lacking embeddings.

Writes verify.png, browse.png and admin.png (real X-rays and reports) to test-artifacts/screenshots/, or
to docs/screenshots/ with MEDRAG_UPDATE_SCREENSHOTS=1 (the README embeds those). Skips without Debian's
chromium or without ../shared (set MEDRAG_SHARED_DIR when the checkout is elsewhere).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.fixtures.browser import CHROMIUM, PASSWORD, app_env, no_exception, running_app, screenshot, settled
from tests.page_helpers import REPO
from tests.shared_data import DATA, require_shared

UPDATE_DOCS = os.environ.get("MEDRAG_UPDATE_SCREENSHOTS") == "1"
SCREENSHOTS = REPO / ("docs" if UPDATE_DOCS else "test-artifacts") / "screenshots"
SAMPLE = DATA / "cxr_sample" / "cases.parquet"
IU_REPORTS = DATA / "iu_reports" / "NLMCXR_reports.tgz"
REPORT = (
    "FINDINGS: The heart is within normal limits in size. The aorta is calcified and tortuous. There is a small "
    "left pleural effusion. No pneumothorax.\nIMPRESSION: Small right pleural effusion."
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (apt-get install -y chromium)"),
]


@pytest.fixture
def day_one(tmp_path: Path):
    """A fresh data dir and no model; both samples ingested with the README's commands; the app running."""
    require_shared(SAMPLE)
    require_shared(IU_REPORTS)
    data_dir = Path(tempfile.mkdtemp(prefix="medrag-dayone-"))  # not under tmp_path: see tests/fixtures/pg.py
    env = app_env({
        "MEDRAG_DATA_DIR": str(data_dir), "MEDRAG_EMBED_MODEL": str(tmp_path / "weights-not-downloaded"),
        "MEDRAG_LLM_BACKEND": "offline", "MEDRAG_ADMIN_PASSWORD": PASSWORD, "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(REPO),
    }, drop=("GEMINI_API_KEY", "HF_TOKEN"))  # fmt: skip
    outs = []
    for source in (SAMPLE, IU_REPORTS):  # README "First run", step 2
        done = subprocess.run([sys.executable, "-m", "etl", "ingest", str(source)], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=1200)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        assert "Traceback" not in done.stderr and "RuntimeDirWarning" not in done.stderr
        outs.append(done.stdout)
    assert "written 326," in outs[0] and "written 3927," in outs[1], outs
    assert all(o.count("note: embedding model") == 1 for o in outs)
    log = tmp_path / "streamlit.log"
    try:
        with running_app(env, log) as url:
            yield url, log
    finally:
        subprocess.run([sys.executable, "-c", "from medrag_core.store.embedded import embedded_server;"
                        f"embedded_server({str(data_dir / 'pgdata')!r}).stop()"], cwd=REPO, env=env,
                       capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(data_dir, ignore_errors=True)


def _sample_xray(path: Path) -> Path:
    import pyarrow.parquet as pq

    rows = pq.read_table(SAMPLE, columns=["image", "case_id", "view"]).to_pylist()
    row = next(r for r in rows if r["case_id"] == "CXR1900" and r["view"] == "PA")  # an IU X-ray with its report
    path.write_bytes(row["image"]["bytes"])
    return path


def test_day_one_without_the_model_in_chromium(day_one, page, tmp_path):
    from playwright.sync_api import expect

    url, log = day_one
    expect.set_options(timeout=120_000)  # a loaded 2-core machine: the first run opens the archive
    page.set_default_timeout(120_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(url)
    expect(page.get_by_text("Verify a chest X-ray report")).to_be_visible()
    xray = _sample_xray(tmp_path / "x.png")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(xray))
    expect(page.get_by_alt_text("X-ray preview")).to_be_visible()
    report = page.get_by_label("Paste the report")
    report.fill(REPORT)
    report.press("Control+Enter")
    settled(page)
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_text("Verdict: inconsistent")).to_be_visible(timeout=180_000)
    expect(page.get_by_text("laterality_conflict").first).to_be_visible()
    expect(page.get_by_text("similar cases were found by text search only", exact=False).first).to_be_visible()
    expect(page.get_by_text("Similar cases (5)")).to_be_visible()
    expect(page.get_by_alt_text("X-ray preview")).to_be_visible()  # the preview is still there
    no_exception(page)
    screenshot(page, SCREENSHOTS / "verify.png", max_height=2600)
    assert "verification: verdict=inconsistent" in log.read_text(errors="replace")

    page.goto(f"{url}/browse")
    page.get_by_role("tab", name="By text").click()
    query = page.get_by_label("Words or a report sentence")
    query.fill("pleural effusion cardiomegaly")
    query.press("Enter")
    page.get_by_role("button", name="Search").first.click()
    settled(page)
    expect(page.get_by_text("Results (")).to_be_visible()
    page.get_by_role("button", name="A", exact=True).nth(0).click()
    settled(page)
    page.get_by_role("button", name="B", exact=True).nth(1).click()
    settled(page)
    differ = page.get_by_text("observation(s) differ").or_(page.get_by_text("state the same observations"))
    expect(differ).to_be_visible()
    no_exception(page)
    screenshot(page, SCREENSHOTS / "browse.png", max_height=2600)

    page.goto(f"{url}/admin")
    page.get_by_label("Admin password").fill(PASSWORD)
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_text("Missing embeddings", exact=True)).to_be_visible()
    expect(page.get_by_text("326 case(s) lack an image embedding", exact=False)).to_be_visible()
    no_exception(page)
    screenshot(page, SCREENSHOTS / "admin.png", max_height=2600)
