"""Översikt cards: latest figure, gaps to county and country, and a trend that respects breaks."""

import pytest

from labourmarket.core import store
from labourmarket.core.catalog import load_catalog
from labourmarket.core.selection import Group, select_rows
from labourmarket.output.formatting import format_gap
from labourmarket.views.oversikt import build_card

BAS = "scb_bas_arbetsloshet_20_64"


@pytest.fixture
def observations(built_tree):
    return store.read_observations()


def test_card_on_tabell_1(observations):
    card = build_card(observations, load_catalog(), "af_inskrivna_andel_rams", "0136")
    assert (card.period, card.value, card.gap_county, card.gap_country) == (
        "2013K3",
        7.7,
        0.6,
        -0.8,
    )
    assert card.county_name == "Stockholms län" and card.trend is None


def test_trend_compares_the_last_two_periods(observations):
    """Haninge 2022 12,2 -> 2023 12,1 (both IntGr1KomUtbBAS): down 0,1."""
    card = build_card(observations, load_catalog(), "scb_integration_arbetsloshet_20_64", "0136")
    assert (card.period, card.value, card.gap_county) == ("2023", 12.1, None)
    assert card.trend == "↓ \u22120,1\u00a0p.e. sedan 2022"


def test_no_trend_across_a_series_break(observations):
    """2021 -> 2022 changes table and register base: no arrow, say why."""
    before_2023 = observations[observations["period"] != "2023"]
    card = build_card(before_2023, load_catalog(), "scb_integration_arbetsloshet_20_64", "0136")
    assert card.period == "2022"
    assert card.trend == "seriebrott 2022: ingen jämförbar förändring"


def read_bas(observations, region: str, period: str) -> float:
    """A published BAS figure (20-64 år, everyone) straight from the Parquet."""
    rows = select_rows(observations, BAS, [region], period, Group())
    return float(rows["value"].item())


def test_county_against_country(observations):
    card = build_card(observations, load_catalog(), BAS, "01")
    assert (card.period, card.value, card.gap_county, card.gap_country) == (
        "2024M12",
        5.3,
        None,
        -0.2,
    )
    # A county has no county above it: no comparison, and nothing missing to explain.
    assert (card.county_name, card.county_missing, card.country_missing) == (None, None, None)


@pytest.mark.parametrize(
    ("region", "latest", "year_before"),
    [("01", "2024M12", "2023M12"), ("00", "2024M12", "2023M12")],
)
def test_a_monthly_series_is_compared_with_the_same_month_a_year_earlier(
    observations, region, latest, year_before
):
    """BAS is not seasonally adjusted: December against December, not against November.

    Stockholms län 4,7 (2023M12) -> 5,3 (2024M12); month on month it would be ±0,0.
    """
    change = read_bas(observations, region, latest) - read_bas(observations, region, year_before)
    card = build_card(observations, load_catalog(), BAS, region)
    arrow = "↑" if round(change, 1) > 0 else "↓" if round(change, 1) < 0 else "→"
    assert card.trend == f"{arrow} {format_gap(change)} sedan december 2023"
    assert read_bas(observations, "01", "2024M11") == 5.3  # why month on month misleads


def test_a_missing_year_earlier_is_said(observations):
    without = observations[observations["period"] != "2023M12"]
    card = build_card(without, load_catalog(), BAS, "01")
    assert card.trend == "inget värde för december 2023 att jämföra med"
