"""Översikt's cards as a user sees them: only comparisons that exist, why one is "..", a year on."""

from labourmarket.core import store
from labourmarket.output.formatting import format_gap
from tests.app.conftest import OVERVIEW, open_page

BAS = "scb_bas_arbetsloshet_20_64"
INTEGRATION = "scb_integration_arbetsloshet_20_64"


def read_bas_county(period: str) -> float:
    """Stockholms län's published BAS figure (20-64 år, everyone) from the built Parquet."""
    rows = store.read_observations()
    match = rows[
        (rows["measure_id"] == BAS)
        & (rows["region_code"] == "01")
        & (rows["period"] == period)
        & (rows[["sex", "age", "birth_region", "education"]] == "total").all(axis=1)
    ]
    return float(match["value"].item())


def test_a_county_card_has_no_county_to_compare_with(built_tree):
    """BAS is published by län: Stockholms län's card compares with the country only."""
    at = open_page(OVERVIEW, measure=BAS)
    assert not at.exception
    assert [h.value for h in at.subheader] == ["Stockholms län"]
    assert [metric.label for metric in at.metric] == ["Nivå", "Mot riket"]
    assert ".." not in [metric.value for metric in at.metric]


def test_a_monthly_card_compares_with_the_same_month_a_year_earlier(built_tree):
    """BAS is not seasonally adjusted: December 2024 against December 2023 (4,7 -> 5,3)."""
    change = read_bas_county("2024M12") - read_bas_county("2023M12")
    at = open_page(OVERVIEW, measure=BAS)
    caption = f"Period: december 2024 · Utveckling: ↑ {format_gap(change)} sedan december 2023"
    assert caption in [c.value for c in at.caption]
    assert round(change, 1) == 0.6  # month on month (5,3 in november) it would be ±0,0


def test_a_missing_comparison_says_why(built_tree):
    """The integration extract has kommuner only: ".." under both gaps, and the reason."""
    at = open_page(OVERVIEW, measure=INTEGRATION, regions="0136")
    metrics = {metric.label: metric.value for metric in at.metric}
    assert (metrics["Mot Stockholms län"], metrics["Mot riket"]) == ("..", "..")
    assert (
        "Mot Stockholms län: måttet har inga värden för länet. "
        "Mot riket: måttet har inga värden för riket."
    ) in [c.value for c in at.caption]
