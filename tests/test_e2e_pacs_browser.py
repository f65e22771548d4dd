"""The "From PACS" panel in a real Chromium: the app on a free port pointed at the test Orthanc; search a
patient, open a study, use its report, verify. Skips without Debian's chromium or Orthanc."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import CHROMIUM, app_env, no_exception, running_app, settled
from tests.fixtures.orthanc import PacsArchive
from tests.page_helpers import app_env_vars

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (apt-get install -y chromium)"),
]


@pytest.fixture
def pacs_app_url(tmp_path, store, pg_settings, pg_conninfo, tiny_siglip_dir, orthanc: PacsArchive):
    env = app_env({
        **app_env_vars(pg_settings, tiny_siglip_dir), "MEDRAG_DATABASE_URL": pg_conninfo,
        "MEDRAG_DICOMWEB_URL": orthanc.server.dicomweb_url,
    })  # fmt: skip
    # nothing of the DICOM header (patient id, name) reaches the server log
    with running_app(env, tmp_path / "streamlit.log", never_logged=("PACS-P1", "ZZTESTFAKE")) as url:
        yield url


def test_open_a_study_from_the_pacs_and_verify(pacs_app_url, page) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)  # a loaded 2-core machine: each rerun (search, open, verify) can take seconds

    page.goto(pacs_app_url)
    expect(page.get_by_text("Verify a chest X-ray report")).to_be_visible(timeout=60_000)
    page.get_by_text("From PACS").click()
    patient = page.get_by_label("Patient ID")
    patient.fill("PACS-P1")
    page.get_by_role("button", name="Search the PACS").click()
    settled(page)
    expect(page.get_by_role("button", name="Open study")).to_be_visible()  # studies were found
    page.get_by_role("button", name="Open study").click()  # the first listed study
    settled(page)
    expect(page.get_by_text("px · dicom · 12-bit source")).to_be_visible(timeout=60_000)
    no_exception(page)
    # Open the study that carries the SR: pick it in the list by its date.
    page.get_by_label("Study", exact=True).click()  # not "Image of the study", shown for a multi-image study
    page.get_by_role("option", name="2024-01-05", exact=False).click()
    settled(page)
    page.get_by_role("button", name="Open study").click()
    settled(page)
    expect(page.get_by_text("View Position PA")).to_be_visible()
    page.get_by_role("button", name="Use the study's report").click()
    settled(page)
    expect(page.get_by_label("Paste the report")).to_have_value(
        "FINDINGS: There is a small left pleural effusion. Heart size is normal. No pneumothorax.\n"
        "IMPRESSION: Small left pleural effusion.")
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_text("Verdict:", exact=False).first).to_be_visible(timeout=120_000)
    no_exception(page)
