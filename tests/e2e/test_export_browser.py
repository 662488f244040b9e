"""Downloads in a real browser: a chart's PNG and the Export page's pack arrive as files."""

import io
import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_gap_browser import wait_for_app

pytestmark = pytest.mark.e2e


def test_a_chart_downloads_as_png_with_a_code_only_name(page: Page, app_url: str):
    page.goto(f"{app_url}/gapanalys?breakdown=birth_region")
    wait_for_app(page)
    page.get_by_role("button", name="Ladda ner").first.click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Diagram som PNG").first.click()
    name = download.value.suggested_filename
    assert name == (
        "gapanalys_af_inskrivna_andel_rams_2013K3_0181-0127-0136-0126_01_birth_region_niva.png"
    )
    assert download.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_export_page_builds_the_pack(page: Page, app_url: str):
    """Botkyrka: no targets and one chart, so the click returns quickly."""
    page.goto(f"{app_url}/export?region=0127&period=2013K3")
    wait_for_app(page)
    expect(page.locator("h1").filter(has_text="Export")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Skapa och ladda ner paketet").click()
    assert download.value.suggested_filename == "mal_och_budget_0127_2013K3.zip"
    names = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes())).namelist()
    stem = "mal_och_budget_0127_2013K3"
    assert {f"{stem}/{stem}.xlsx", f"{stem}/{stem}.docx"} <= set(names)
    assert any(n.endswith(".svg") for n in names) and any(n.endswith(".png") for n in names)
