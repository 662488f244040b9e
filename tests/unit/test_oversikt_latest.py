"""Översikt at the latest period of the card's level: a kommun without a figure there shows
"..", and why; Riket a month ahead of the kommuner blanks no kommun card."""

import numpy as np
import pandas as pd
import pytest

from labourmarket.core.catalog import load_catalog
from labourmarket.core.periods import parse_period
from labourmarket.core.schema import COLUMNS
from labourmarket.core.selection import select_rows
from labourmarket.core.store import LoadedData
from labourmarket.views import oversikt
from labourmarket.views.oversikt import OversiktChoices

INTEGRATION = "scb_integration_arbetsloshet_20_64"
BAS = "scb_bas_arbetsloshet_20_64"
AF_BAS = "af_inskrivna_andel_bas"
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
    ],
    ids=["suppressed", "missing"],
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


def test_the_only_county_behind_riket_shows_its_own_latest_month(bundled_data):
    """Stockholms län is BAS's only county: without december 2024 its latest month is november,
    and the card says Riket has december (it showed ".." for december before the card's period
    was its level's)."""
    card = build_one(change_figure(bundled_data, "01", "2024M12", "dropped"), BAS, "01")
    assert (card.metrics, card.caption) == (
        (("Nivå", f"5,3{NBSP}%"), ("Mot riket", f"\u22120,2{NBSP}p.e.")),
        "Period: november 2024 (senaste perioden för länen; december 2024 finns bara för riket)"
        f" · Utveckling: ↑ +0,6{NBSP}p.e. sedan november 2023",
    )


def test_a_card_with_the_latest_figure_is_unchanged(bundled_data):
    card = build_one(bundled_data, INTEGRATION, "0181")
    assert card.metrics[0] == ("Nivå", f"16,6{NBSP}%")
    assert card.caption == f"Period: 2023 · Utveckling: ↓ \u22120,9{NBSP}p.e. sedan 2022"


# TEST DATA, not statistics: AF's monthly share for oktober 2023-oktober 2024 in two kommuner,
# their county and Riket, each month 0,1 above the one before, and Riket's riket file a month
# ahead (november 2024). Oktober 2024: Södertälje 11,2, Haninge 8,2, Stockholms län 7,2,
# Riket 8,0; november 2024: Riket 8,1.
START = {"0181": 10.0, "0136": 7.0, "01": 6.0, "00": 6.8}
MONTHS = [f"{p.year}M{p.month:02d}" for p in pd.period_range("2023-10", "2024-11", freq="M")]


def make_riket_ahead() -> pd.DataFrame:
    """The rows above: every region to oktober 2024, Riket also november 2024."""
    rows = [
        {
            "measure_id": AF_BAS,
            "region_code": region,
            "period": period,
            **dict.fromkeys(["sex", "age", "birth_region", "education"], "total"),
            "value": round(start + 0.1 * number, 1),
            "numerator": None,
            "denominator": None,
            "status": None,
            "period_start": pd.Timestamp(parse_period(period).start),
            "frequency": "M",
            "source_id": "af_statistik",
            "retrieved_at": pd.Timestamp("2024-12-15T06:00:00Z"),
        }
        for number, period in enumerate(MONTHS)
        for region, start in START.items()
        if period != "2024M11" or region == "00"
    ]
    frame = pd.DataFrame(rows).astype({"numerator": "float64", "denominator": "float64"})
    return frame[COLUMNS]


def build_riket_ahead(region: str, without: str | None = None) -> oversikt.ShownCard:
    """The card of `region` when Riket is a month ahead; `without`: a kommun lacking oktober."""
    rows = make_riket_ahead()
    if without is not None:
        rows = rows[~((rows["region_code"] == without) & (rows["period"] == "2024M10"))]
    return build_one(LoadedData(rows, load_catalog(), {"sources": []}), AF_BAS, region)


KOMMUNER_OCTOBER = "Period: oktober 2024 (senaste perioden för kommunerna; november 2024 finns"


@pytest.mark.parametrize(
    ("region", "without", "metrics", "caption"),
    [
        (
            "0181",
            None,
            (
                ("Nivå", f"11,2{NBSP}%"),
                ("Mot Stockholms län", f"+4,0{NBSP}p.e."),
                ("Mot riket", f"+3,2{NBSP}p.e."),
            ),
            f"{KOMMUNER_OCTOBER} bara för riket) · Utveckling: ↑ +1,2{NBSP}p.e. sedan oktober 2023",
        ),
        (
            "01",
            None,
            (("Nivå", f"7,2{NBSP}%"), ("Mot riket", f"\u22120,8{NBSP}p.e.")),
            "Period: oktober 2024 (senaste perioden för länen; november 2024 finns bara för"
            f" riket) · Utveckling: ↑ +1,2{NBSP}p.e. sedan oktober 2023",
        ),
        (
            "00",
            None,
            (("Nivå", f"8,1{NBSP}%"),),
            f"Period: november 2024 · Utveckling: ↑ +1,2{NBSP}p.e. sedan november 2023",
        ),
        # The kommuner have oktober: Haninge without it is "..", not september's figure.
        (
            "0136",
            "0136",
            (("Nivå", ".."), ("Mot Stockholms län", ".."), ("Mot riket", "..")),
            f"{KOMMUNER_OCTOBER} bara för riket) · Nivå: .., värde saknas för oktober 2024;"
            f" senaste värde 8,1{NBSP}% (september 2024)",
        ),
    ],
    ids=["kommun", "county", "riket", "kommun-missing-its-month"],
)
def test_riket_a_month_ahead_blanks_no_kommun_card(region, without, metrics, caption):
    """Before: every kommun and county card showed ".." for november 2024, Riket's month."""
    card = build_riket_ahead(region, without)
    assert (card.notice, card.metrics, card.caption, card.gap_note) == (
        None,
        metrics,
        caption,
        None,
    )
