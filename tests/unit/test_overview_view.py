"""Översikt cards: latest figure, gaps to county and country, and a trend that respects breaks."""

import pytest

from labourmarket.core import store
from labourmarket.core.catalog import load_catalog
from labourmarket.views.oversikt import build_card


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
    assert card.trend == "↓ -0,1\u00a0p.e. sedan 2022"


def test_no_trend_across_a_series_break(observations):
    """2021 -> 2022 changes table and register base: no arrow, say why."""
    before_2023 = observations[observations["period"] != "2023"]
    card = build_card(before_2023, load_catalog(), "scb_integration_arbetsloshet_20_64", "0136")
    assert card.period == "2022"
    assert card.trend == "seriebrott 2022: ingen jämförbar förändring"


def test_county_against_country(observations):
    card = build_card(observations, load_catalog(), "scb_bas_arbetsloshet_20_64", "01")
    assert (card.period, card.value, card.gap_county, card.gap_country) == (
        "2024M12",
        5.3,
        None,
        -0.2,
    )
    assert card.trend.endswith("sedan november 2024")
