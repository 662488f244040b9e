"""Översikt as a user sees it when a kommun's latest figure is suppressed: "..", not an older;
and when Riket is a month ahead of the kommuner: the kommuner's latest month, saying so."""

import numpy as np
import pandas as pd

from labourmarket.core import store
from labourmarket.core.catalog import load_catalog
from labourmarket.core.schema import validate
from tests.app.conftest import OVERVIEW, open_page
from tests.unit.test_oversikt_latest import AF_BAS, make_riket_ahead

INTEGRATION = "scb_integration_arbetsloshet_20_64"
NBSP = "\u00a0"


def suppress(region: str, period: str) -> None:
    """Rewrite the build with the region's figures for the period suppressed, checked as a build."""
    observations = store.read_observations()
    observations = observations.assign(status=observations["status"].astype("string"))
    hit = (observations["region_code"] == region) & (observations["period"] == period)
    observations.loc[hit, "value"] = np.nan
    observations.loc[hit, "status"] = "suppressed"
    validate(observations, load_catalog())
    store.write_clean(observations, (store.read_manifest() or {"sources": []})["sources"])


def test_a_suppressed_latest_figure_shows_dots_for_its_period(built_tree):
    suppress("0181", "2023")
    at = open_page(OVERVIEW, measure=INTEGRATION, regions="0181,0136")
    assert not at.exception
    levels = [m.value for m in at.metric if m.label == "Nivå"]
    assert levels == ["..", f"12,1{NBSP}%"]
    captions = [c.value for c in at.caption if c.value.startswith("Period:")]
    assert captions == [
        "Period: 2023 · Nivå: .., värdet för 2023 är undertryckt (för osäkert eller röjande);"
        f" senaste värde 17,5{NBSP}% (2022)",
        f"Period: 2023 · Utveckling: ↓ \u22120,1{NBSP}p.e. sedan 2022",
    ]


def add_riket_ahead() -> None:
    """Add the made-up AF rows with Riket a month ahead to the build, checked as a build."""
    observations = store.read_observations()
    text = {c: "string" for c in observations.columns if observations[c].dtype == "category"}
    added = make_riket_ahead().astype(
        {**text, "retrieved_at": observations["retrieved_at"].dtype, "status": "string"}
    )
    combined = pd.concat([observations.astype(text), added], ignore_index=True)
    validate(combined, load_catalog())
    store.write_clean(combined, (store.read_manifest() or {"sources": []})["sources"])


def test_riket_a_month_ahead_leaves_the_kommun_cards_their_month(built_tree):
    add_riket_ahead()
    at = open_page(OVERVIEW, measure=AF_BAS, regions="0181,0136")
    assert not at.exception
    levels = [m.value for m in at.metric if m.label == "Nivå"]
    assert levels == [f"11,2{NBSP}%", f"8,2{NBSP}%"]
    captions = [c.value for c in at.caption if c.value.startswith("Period:")]
    assert (
        captions
        == [
            "Period: oktober 2024 (senaste perioden för kommunerna; november 2024 finns bara för"
            f" riket) · Utveckling: ↑ +1,2{NBSP}p.e. sedan oktober 2023"
        ]
        * 2
    )
