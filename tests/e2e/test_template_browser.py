"""The house template in Chromium: an over-time y-axis writes its decimals with a comma."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_gap_browser import wait_for_app

pytestmark = pytest.mark.e2e
BAS = "scb_bas_arbetsloshet_20_64"


@pytest.mark.parametrize(
    "query",
    [
        f"measure={BAS}&regions=01&view=why",  # the split gap over time, in tenths of a p.e.
        f"measure={BAS}&regions=01&transform=year_on_year",
    ],
    ids=["varfor", "year-on-year"],
)
def test_the_y_axis_ticks_read_as_swedish_numbers(page: Page, app_url: str, query: str):
    page.goto(f"{app_url}/utveckling?{query}")
    wait_for_app(page)
    ticks = page.locator("[data-testid='stPlotlyChart'] .ytick text")
    expect(ticks.first).to_be_visible()
    texts = ticks.all_text_contents()  # SVG text has no innerText
    assert not [t for t in texts if "." in t], texts
    assert [t for t in texts if "," in t], texts
