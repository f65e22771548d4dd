"""End to end in a real Chromium: the app on a free port, an embedded database with a few cases and
the tiny SigLIP checkpoint; upload an image and a report, verify, browse, compare, admin.

Saves verify.png, browse.png and admin.png to test-artifacts/screenshots/ (the README's screenshots, with
real X-rays and reports, come from tests/test_e2e_dayone.py).
Needs Debian's chromium at /usr/bin/chromium (never ``playwright install``); skips without it.
"""

from __future__ import annotations

import pytest

from medrag_core.history import HistoryLog
from tests.fixtures.browser import CHROMIUM, PASSWORD, app_env, no_exception, running_app, screenshot, settled
from tests.page_helpers import BAD_REPORT, REPO, app_env_vars, ingest_archive, query_png

SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (apt-get install -y chromium)"),
]





@pytest.fixture
def app_url(tmp_path, store, pg_settings, pg_conninfo, tiny_siglip_dir, tiny_embedder):
    ingest_archive(tmp_path, pg_settings, store, tiny_embedder)
    env = app_env({
        **app_env_vars(pg_settings, tiny_siglip_dir), "MEDRAG_DATABASE_URL": pg_conninfo,
        "MEDRAG_ADMIN_PASSWORD": PASSWORD,
    })  # fmt: skip
    with running_app(env, tmp_path / "streamlit.log") as url:
        yield url


def test_verify_browse_admin_in_chromium(app_url, page, tmp_path, store):
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)  # a loaded 2-core machine: the first page run can take over 5 s
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image = tmp_path / "xray.png"
    image.write_bytes(query_png())

    # Verify: upload, paste the report, press Verify.
    page.goto(app_url)
    expect(page.get_by_text("Verify a chest X-ray report")).to_be_visible()
    # The uploader comes after the first run has loaded the model (torch's import: a minute on a loaded machine)
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]').first
    uploader.wait_for(state="attached", timeout=180_000)
    uploader.set_input_files(str(image))
    expect(page.get_by_text("Image embedding:")).to_be_visible()
    report = page.get_by_label("Paste the report")
    report.fill(BAD_REPORT)
    report.press("Control+Enter")
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_text("Verdict: inconsistent")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("Issues (")).to_be_visible()
    expect(page.get_by_text("laterality_conflict").first).to_be_visible()
    expect(page.get_by_text("Similar cases (4)")).to_be_visible()
    # The report's HTML is shown as literal text, never executed or rendered.
    expect(page.get_by_text("<script>alert(1)</script>").first).to_be_visible()
    expect(page.get_by_text("Nothing leaves this machine", exact=False).first).to_be_visible()
    no_exception(page)
    screenshot(page, SCREENSHOTS / "verify.png")

    # Rate the first flag "wrong" (issue feedback, stored in the verification history).
    page.get_by_text("Rate these flags").click()
    page.get_by_role("radiogroup").first.get_by_text("wrong", exact=True).click()
    page.get_by_placeholder("Comment (optional)").first.fill("both sides are described")
    page.get_by_role("button", name="Save ratings").click()
    expect(page.get_by_text("Saved 1 rating")).to_be_visible()
    no_exception(page)
    rated = [r for r in HistoryLog(store).issue_ratings() if r["comment"] == "both sides are described"]
    assert [(r["rating"], r["issue_index"] is not None) for r in rated] == [("wrong", True)]

    # Browse: text search, then compare the first two results.
    page.goto(f"{app_url}/browse")
    expect(page.get_by_role("heading", name="Browse similar cases")).to_be_visible()
    page.get_by_role("tab", name="By text").click()
    query = page.get_by_label("Words or a report sentence")
    query.fill("left pleural effusion")
    query.press("Enter")
    page.get_by_role("button", name="Search").first.click()
    settled(page)
    expect(page.get_by_text("Results (")).to_be_visible()
    case_ids = page.locator('[data-testid="stMarkdownContainer"] strong').all_inner_texts()
    ids = [t for t in case_ids if t.startswith("case0")][:2]
    assert len(ids) == 2, case_ids
    # The cards' A / B buttons fill the compare inputs (clicks queue behind a rerun; typing can be lost).
    page.get_by_role("button", name="A", exact=True).nth(0).click()
    settled(page)
    page.get_by_role("button", name="B", exact=True).nth(1).click()
    settled(page)
    expect(page.get_by_label("Case A")).to_have_value(ids[0])
    expect(page.get_by_label("Case B")).to_have_value(ids[1])
    differ = page.get_by_text("observation(s) differ").or_(page.get_by_text("state the same observations"))
    expect(differ).to_be_visible()
    no_exception(page)
    screenshot(page, SCREENSHOTS / "browse.png")

    # Admin: wrong password refused, right one lets in.
    page.goto(f"{app_url}/admin")
    password = page.get_by_label("Admin password")
    password.fill("wrong")
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_text("Wrong password.")).to_be_visible()
    password.fill(PASSWORD)
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_text("Sources in the archive")).to_be_visible()
    page.get_by_role("tab", name="Statistics").click()
    expect(page.get_by_text("image embeddings")).to_be_visible()
    no_exception(page)
    page.get_by_role("tab", name="Sources & ingest").click()
    screenshot(page, SCREENSHOTS / "admin.png")
