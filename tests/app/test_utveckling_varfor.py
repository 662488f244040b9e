"""Utveckling's "Varför?" view: a region's gap to its benchmark split in two terms over time."""

import math

import pandas as pd
import plotly.io as pio
import pytest

from labourmarket.output.decomposition_trend_chart import plot_decomposition_trend
from labourmarket.views.utveckling import describe_unsplit
from tests.app.conftest import decode_array, open_page

TREND = "app_pages/utveckling.py"
BAS = "scb_bas_arbetsloshet_20_64"


def read_series(at) -> dict[str, list[float]]:
    chart = pio.from_json(at.get("plotly_chart")[0].proto.spec)
    return {trace.name: decode_array(trace.y) for trace in chart.data}


@pytest.mark.parametrize(
    ("shown_range", "points", "june_2024"),
    [({}, 60, 53), ({"from": "2024M01", "to": "2024M12"}, 12, 5)],
    ids=["all-months", "2024"],
)
def test_stockholms_lan_against_riket_by_birth_region_month_by_month(
    built_tree, shown_range, points, june_2024
):
    # SCB BAS, juni 2024 (tests/unit/test_decomposition.py): the county's larger foreign-born
    # share adds 0,55 p.e., lower rates within the groups take off 0,71: 0,16 below Riket.
    at = open_page(TREND, measure=BAS, regions="01", view="why", **shown_range)
    assert not at.exception
    assert at.radio(key="benchmark").value == "00"
    assert at.radio(key="breakdown").value == "birth_region"
    series = read_series(at)
    assert list(series) == ["Skillnad", "Sammansättning", "Inom grupperna"]
    assert [len(values) for values in series.values()] == [points] * 3
    assert [round(values[june_2024], 2) for values in series.values()] == [-0.16, 0.55, -0.71]
    chart = pio.from_json(at.get("plotly_chart")[0].proto.spec)
    assert chart.layout.title.text == (
        "Stockholms län: skillnad mot riket, uppdelad efter födelseland (p.e.)"
    )
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Sammansättning: hur mycket av skillnaden") for c in captions)
    assert any("SCB" in c and "Data avser" in c for c in captions)
    assert not any("Kan inte delas upp" in c for c in captions)


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        (
            {"measure": "af_inskrivna_andel_rams"},
            "Skillnaden kan inte delas upp: källan ger bara andelar, inte antal arbetslösa och "
            "arbetskraft per grupp.",
        ),
        (
            {"measure": "scb_integration_arbetsloshet_20_64", "regions": "0136"},
            "Skillnaden kan inte delas upp: källan ger bara andelar, inte antal arbetslösa och "
            "arbetskraft per grupp.",
        ),
    ],
    ids=["tabell-1", "integration"],
)
def test_a_gap_that_cannot_be_split_says_why(built_tree, query, notice):
    at = open_page(TREND, view="why", **query)
    assert not at.exception
    assert [w.value for w in at.warning] == [notice]
    assert not at.get("plotly_chart")


PROBLEM = "antalet för utrikes födda i kommunen är skyddat (färre än fem personer)."


@pytest.mark.parametrize(
    ("periods", "chosen", "note"),
    [
        ([], ["01"], None),
        (
            ["2024M01", "2024M02"],
            ["01"],
            f"Kan inte delas upp för januari 2024, februari 2024 (avbrott i linjerna): {PROBLEM}",
        ),
        (
            ["2024M01", "2024M02", "2024M03", "2024M04", "2024M05"],
            ["01", "03"],
            "Uppdelningen visas för Stockholms län, det första valet. Kan inte delas upp för "
            "januari 2024, februari 2024, mars 2024 och 2 till (avbrott i linjerna): "
            f"{PROBLEM}",
        ),
    ],
    ids=["none", "two", "many"],
)
def test_unsplit_periods_are_breaks_with_their_reason_once(bundled_data, periods, chosen, note):
    problems = pd.DataFrame(
        {"period": periods, "problem": [PROBLEM] * len(periods)}, columns=["period", "problem"]
    )
    assert describe_unsplit(problems, chosen, bundled_data.catalog) == note


def test_an_unsplit_period_stays_a_break_in_every_line():
    split = pd.DataFrame(
        {
            "period": ["2024M01", "2024M02", "2024M03"],
            "period_start": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
            "gap": [-0.2, float("nan"), -0.1],
            "composition": [0.5, float("nan"), 0.6],
            "within": [-0.7, float("nan"), -0.7],
        }
    )
    figure = plot_decomposition_trend(split, "Titel", "Källa: SCB.", "Procentenheter")
    for trace in figure.data:
        assert math.isnan(list(trace.y)[1]) and trace.connectgaps is False
    assert [a.text for a in figure.layout.annotations] == ["Källa: SCB."]
