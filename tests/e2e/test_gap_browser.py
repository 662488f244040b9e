"""The gap page in a real browser: load, change the breakdown, read the numbers on screen."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
NBSP = "\u00a0"


def wait_for_app(page: Page) -> None:
    app = page.locator("[data-testid='stApp']")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED")
    expect(app).to_have_attribute("data-test-script-state", "notRunning")


def choose_radio(page: Page, group: str, option: str) -> None:
    radios = page.locator("[data-testid='stRadio']").filter(has_text=group)
    radios.locator("label").filter(has_text=re.compile(f"^{option}$")).click()


def read_table_row(page: Page, group: str, kommun: str) -> list[str]:
    row = (
        page.locator("[data-testid='stTable'] tbody tr")
        .filter(has_text=group)
        .filter(has_text=kommun)
    )
    expect(row).to_have_count(1)
    return [cell.strip() for cell in row.locator("td, th").all_inner_texts()]


def test_gap_page_shows_tabell_1_and_follows_the_breakdown(page: Page, app_url: str):
    page.goto(f"{app_url}/gapanalys")
    wait_for_app(page)
    heading = page.locator("h4").filter(has_text="Störst skillnad")
    expect(heading).to_contain_text("har Södertälje: 7,4 procentenheter högre både för alla 16-64")
    # Said once, above the charts: not again under them.
    expect(page.get_by_text(re.compile("^Störst skillnad"))).to_have_count(1)
    expect(page.locator("[data-testid='stPlotlyChart'] .main-svg").first).to_be_visible()
    expect(page.get_by_text(re.compile("^Källa: Arbetsförmedlingen")).first).to_be_visible()

    choose_radio(page, "Uppdelning", "Födelseland")
    expect(heading).to_contain_text("utrikes födda i Södertälje har 27,0")
    expect(heading).to_contain_text("11,3 procentenheter högre")
    choose_radio(page, "Visa", "Tabell")
    expect(page.locator("[data-testid='stTable']")).to_be_visible()
    wait_for_app(page)
    assert read_table_row(page, "Utrikes födda", "Södertälje") == [
        "Utrikes födda",
        "Södertälje",
        "27,0",
        "15,7",
        f"+11,3{NBSP}p.e.",
        "1,72",
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "gapanalys-fodelseland-tabell.png")

    choose_radio(page, "Uppdelning", "Utbildning")
    expect(page.locator("[data-testid='stTable']")).to_contain_text("Förgymnasial")
    wait_for_app(page)
    assert read_table_row(page, "Förgymnasial", "Södertälje")[2:5] == [
        "29,3",
        "17,2",
        f"+12,1{NBSP}p.e.",
    ]
    assert "breakdown=education" in page.url


def test_shared_link_opens_table_against_riket(page: Page, app_url: str):
    page.goto(f"{app_url}/gapanalys?breakdown=birth_region&benchmark=00&view=table&regions=0136")
    wait_for_app(page)
    assert read_table_row(page, "Utrikes födda", "Haninge")[2:5] == [
        "14,9",
        "20,7",
        f"\u22125,8{NBSP}p.e.",
    ]


def test_kallor_page_opens_from_the_sidebar_and_by_deep_link(page: Page, app_url: str):
    page.goto(app_url)
    wait_for_app(page)
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Källor och data").click()
    expect(page.locator("h1").filter(has_text="Källor och data")).to_be_visible()
    expect(page.get_by_text("jämförs aldrig i samma serie")).to_be_visible()
    page.goto(f"{app_url}/kallor")
    wait_for_app(page)
    expect(page.locator("[data-testid='stSidebarNav']")).to_contain_text("Gapanalys")
    expect(
        page.locator("h3").filter(has_text="Arbetslöshet enligt BAS, 20-64 år (%)")
    ).to_be_visible()
    tables = page.locator("[data-testid='stTable']")
    expect(tables.nth(1)).to_contain_text("januari 2020 – december 2024")
    expect(tables.last).to_contain_text("raw/seed/sodertalje_2014_tabell1.txt")
    page.screenshot(path=ARTIFACTS / "kallor.png")


def test_overview_and_targets_read_without_colour(page: Page, app_url: str):
    # Tabell 1 by link: the landing page opens on the newest measure (integration, 2023).
    page.goto(f"{app_url}/?measure=af_inskrivna_andel_rams")
    wait_for_app(page)
    expect(page.locator("h1").filter(has_text="Översikt")).to_be_visible()
    expect(page.get_by_text("Kan inte bedömas").first).to_be_visible()
    metrics = page.locator("[data-testid='stMetricValue']")
    expect(metrics.first).to_have_text("14,5\u00a0%")
    expect(metrics.nth(1)).to_have_text("+7,4\u00a0p.e.")
    expect(page.locator("[data-testid='stMultiSelect']")).to_contain_text("Huddinge")
    page.screenshot(path=ARTIFACTS / "oversikt.png")
    page.goto(f"{app_url}/mal?region=0136")
    wait_for_app(page)
    table = page.locator("[data-testid='stTable']").first
    # kv 3 2013 is before Haninge's 2020 strategy: shown, not judged, not drawn.
    expect(table).to_contain_text("? Kan inte bedömas: kv 3 2013 ligger före strategiperioden")
    expect(table).to_contain_text("+0,6\u00a0p.e.")
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "mal.png")


def test_a_trend_link_restores_the_view_and_widgets_write_the_url(page: Page, app_url: str):
    page.goto(
        f"{app_url}/utveckling?measure=scb_integration_arbetsloshet_20_64&regions=0136"
        "&from=2020&to=2023&view=table"
    )
    wait_for_app(page)
    expect(page.locator("[data-testid='stMultiSelect']")).to_contain_text("Haninge")
    table = page.locator("[data-testid='stTable']")
    expect(table).to_contain_text("12,1")
    rows = [r.strip() for r in table.locator("tbody tr").all_inner_texts()]
    assert rows[0].split() == ["2020", "14,7"] and rows[-1].split() == ["2023", "12,1"]
    expect(
        page.get_by_text("År 2023 var arbetslösheten (20-64 år) i Haninge 12,1 procent")
    ).to_be_visible()
    choose_radio(page, "Visa", "Diagram")
    expect(page.locator("[data-testid='stPlotlyChart'] .main-svg").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"view=chart"))
    page.screenshot(path=ARTIFACTS / "utveckling.png")


def test_jamfor_ranks_the_county_from_a_link(page: Page, app_url: str):
    page.goto(
        f"{app_url}/jamfor?measure=scb_integration_arbetsloshet_20_64&period=2023"
        "&population=lan_01&regions=0136,0181"
    )
    wait_for_app(page)
    expect(
        page.get_by_text("2023 hade Södertälje den högsta andelen av 26 kommuner: 16,6 procent.")
    ).to_be_visible()
    expect(page.locator("[data-testid='stPlotlyChart'] .main-svg").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "jamfor.png")
