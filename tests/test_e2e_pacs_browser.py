"""The "From PACS" panel in a real Chromium: the app on a free port pointed at the test Orthanc; search a
patient, open a study, use its report, verify. Skips without Debian's chromium or Orthanc."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.browser import CHROMIUM, app_env, no_exception, running_app
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


def _idle(page) -> None:
    """The app's script has finished its run. Call it only once an element that the expected run draws is
    visible: that proves the run started, so this waits for its end rather than guessing it."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")


def _open_study(page, accession: str) -> None:
    """Pick the study by its accession number in the Study list (not by position) and open it."""
    from playwright.sync_api import expect

    study = page.get_by_label("Study", exact=True)  # not "Image of the study", shown for a multi-image study
    study.click()
    page.get_by_role("option", name=accession).click()
    expect(study).to_have_value(re.compile(f" · {accession} · "))  # chosen in the widget before the button sends it
    page.get_by_role("button", name="Open study").click()


def test_open_a_study_from_the_pacs_and_verify(pacs_app_url, page) -> None:
    from playwright.sync_api import expect

    # No fixed sleeps: each step waits for the element its run draws. The limit is generous because a loaded
    # 2-core machine can take tens of seconds for a rerun (search, open, verify).
    expect.set_options(timeout=90_000)

    page.goto(pacs_app_url)
    expect(page.get_by_text("Verify a chest X-ray report")).to_be_visible()
    _idle(page)  # (a click while the first run is still drawing can be lost with the elements it redraws)
    page.get_by_text("From PACS").click()
    patient = page.get_by_label("Patient ID")
    patient.fill("PACS-P1")
    expect(patient).to_have_value("PACS-P1")
    _idle(page)
    page.get_by_role("button", name="Search the PACS").click()
    # The patient's three studies, newest first (the library's order, whatever Orthanc's). The list is opened once
    # the search's run has drawn it, its newest study chosen: opened before, it can stay the empty one it replaced.
    study = page.get_by_label("Study", exact=True)
    expect(study).to_have_value(re.compile(r" · ACC-1003 · "))
    _idle(page)
    study.click()
    options = page.get_by_role("option")
    expect(options).to_have_count(3)
    expect(options).to_contain_text([re.compile(r"^2025-01-20\b.* · ACC-1003 · "),
                                     re.compile(r"^2024-06-10\b.* · ACC-1002 · "),
                                     re.compile(r"^2024-01-05\b.* · ACC-1001 · ")])
    page.keyboard.press("Escape")
    expect(options).to_have_count(0)
    _idle(page)

    # A single-image study without a report: the CR AP (MONOCHROME1).
    _open_study(page, "ACC-1002")
    expect(page.get_by_text("View Position AP")).to_be_visible()
    expect(page.get_by_text("px · dicom · 12-bit source")).to_be_visible()
    _idle(page)
    expect(page.get_by_role("button", name="Use the study's report")).to_have_count(0)
    no_exception(page)

    # Then the DX study with a lateral, a PA and the SR: its PA is checked, not the lateral stored first.
    _open_study(page, "ACC-1001")
    expect(page.get_by_text("View Position PA")).to_be_visible()
    expect(page.get_by_text("View Position AP")).to_have_count(0)  # the previous study is gone
    expect(page.get_by_label("Image of the study", exact=True)).to_be_visible()
    expect(page.get_by_text("The study carries a structured report.")).to_be_visible()
    _idle(page)
    page.get_by_role("button", name="Use the study's report").click()
    expect(page.get_by_label("Paste the report")).to_have_value(
        "FINDINGS: There is a small left pleural effusion. Heart size is normal. No pneumothorax.\n"
        "IMPRESSION: Small left pleural effusion.")
    _idle(page)
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_text("Verdict:", exact=False).first).to_be_visible(timeout=120_000)
    no_exception(page)
