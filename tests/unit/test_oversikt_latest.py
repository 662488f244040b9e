"""Översikt at the measure's latest period: a kommun without a figure there shows "..", and why."""

import numpy as np
import pandas as pd
import pytest

from labourmarket.core.selection import select_rows
from labourmarket.core.store import LoadedData
from labourmarket.views import oversikt
from labourmarket.views.oversikt import OversiktChoices

INTEGRATION = "scb_integration_arbetsloshet_20_64"
BAS = "scb_bas_arbetsloshet_20_64"
NBSP = "\u00a0"
NO_RESULTS = pd.DataFrame(columns=["target_id"])


def change_figure(data: LoadedData, region: str, period: str, how: str) -> LoadedData:
    """The bundled data with one region's figures for a period suppressed or left out."""
    observations = data.observations
    hit = (observations["region_code"] == region) & (observations["period"] == period)
    if how == "dropped":
        observations = observations[~hit]
    else:
        observations = observations.assign(status=observations["status"].astype("object"))
        observations.loc[hit, "value"] = np.nan
        observations.loc[hit, "status"] = "suppressed"
    return LoadedData(observations, data.catalog, data.manifest, data.version)


def build_one(data: LoadedData, measure_id: str, region: str) -> oversikt.ShownCard:
    choices = OversiktChoices(
        measure_id, select_rows(data.observations, measure_id), "total", (region,), (), NO_RESULTS
    )
    (card,) = oversikt.build(data, choices).cards
    return card


@pytest.mark.parametrize(
    ("measure_id", "region", "period", "how", "metrics", "caption"),
    [
        (
            INTEGRATION,
            "0181",
            "2023",
            "suppressed",
            (("Nivå", ".."), ("Mot Stockholms län", ".."), ("Mot riket", "..")),
            "Period: 2023 · Nivå: .., värdet för 2023 är undertryckt (för osäkert eller röjande);"
            f" senaste värde 17,5{NBSP}% (2022)",
        ),
        (
            INTEGRATION,
            "0181",
            "2023",
            "dropped",
            (("Nivå", ".."), ("Mot Stockholms län", ".."), ("Mot riket", "..")),
            f"Period: 2023 · Nivå: .., värde saknas för 2023; senaste värde 17,5{NBSP}% (2022)",
        ),
        (
            BAS,
            "01",
            "2024M12",
            "dropped",
            (("Nivå", ".."), ("Mot riket", "..")),
            "Period: december 2024 · Nivå: .., värde saknas för december 2024; senaste värde "
            f"5,3{NBSP}% (november 2024)",
        ),
    ],
    ids=["suppressed", "missing", "county-month"],
)
def test_the_latest_period_is_shown_without_a_figure(
    bundled_data, measure_id, region, period, how, metrics, caption
):
    """Before: the card showed the period before as Nivå, as if it were the latest."""
    card = build_one(change_figure(bundled_data, region, period, how), measure_id, region)
    assert (card.notice, card.metrics, card.caption, card.gap_note) == (
        None,
        metrics,
        caption,
        None,
    )


def test_a_card_with_the_latest_figure_is_unchanged(bundled_data):
    card = build_one(bundled_data, INTEGRATION, "0181")
    assert card.metrics[0] == ("Nivå", f"16,6{NBSP}%")
    assert card.caption == f"Period: 2023 · Utveckling: ↓ \u22120,9{NBSP}p.e. sedan 2022"
