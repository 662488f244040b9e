"""Time series helpers: yearly moving average, change on a year earlier, the sentence."""

import numpy as np
import pandas as pd
import pytest

from labourmarket.core.trends import (
    add_moving_average,
    add_year_on_year,
    build_trend,
    describe_trend,
    previous_year_period,
)
from labourmarket.views.utveckling import describe_subject, list_groups

NAMES = {"01": "Stockholms län", "00": "Riket", "0136": "Haninge"}


def monthly(
    values: list[float | None], region: str = "01", start: str = "2023-01-01"
) -> pd.DataFrame:
    starts = pd.date_range(start, periods=len(values), freq="MS")
    return pd.DataFrame(
        {
            "region_code": region,
            "period": [f"{d.year}M{d.month:02d}" for d in starts],
            "period_start": starts,
            "frequency": "M",
            "value": pd.array(values, dtype="Float64").astype("float64"),
            "status": [None if v is not None else "suppressed" for v in values],
        }
    )


@pytest.mark.parametrize(
    ("code", "expected"), [("2024M10", "2023M10"), ("2013K3", "2012K3"), ("2023", "2022")]
)
def test_previous_year_period(code, expected):
    assert previous_year_period(code) == expected


@pytest.mark.parametrize(
    ("values", "expected_last"),
    [
        ([1.0] * 11 + [13.0], 2.0),
        ([float(i) for i in range(1, 13)], 6.5),
        ([1.0] * 5 + [None] + [1.0] * 6, np.nan),
        ([1.0] * 11, np.nan),
    ],
    ids=["mean", "rising", "gap-in-window", "short"],
)
def test_moving_average_needs_a_full_year(values, expected_last):
    result = add_moving_average(monthly(values))["moving_average"].iloc[-1]
    assert (np.isnan(expected_last) and np.isnan(result)) or result == pytest.approx(expected_last)


def test_moving_average_counts_calendar_months_not_rows():
    """A month absent from the data (not just null) must not let the window reach further back."""
    series = monthly([1.0] * 13).drop(index=5)
    assert np.isnan(add_moving_average(series)["moving_average"].iloc[-1])


@pytest.mark.parametrize(
    ("values", "breaks", "expected"),
    [
        ([5.0] * 12 + [5.5], [], 0.5),
        ([5.0] * 12 + [4.4], [], -0.6),
        ([None] + [5.0] * 11 + [5.5], [], np.nan),
        ([5.0] * 12 + [5.5], ["2023M06"], np.nan),
    ],
    ids=["up", "down", "earlier-missing", "across-break"],
)
def test_year_on_year(values, breaks, expected):
    result = add_year_on_year(monthly(values), 1, breaks)["year_on_year"].iloc[-1]
    assert (np.isnan(expected) and np.isnan(result)) or result == expected


def test_sentence_for_the_bundled_bas_series(built_tree):
    from labourmarket.core import store

    observations = store.read_observations()
    trend = build_trend(
        observations,
        "scb_bas_arbetsloshet_20_64",
        {"birth_region": "foreign_born"},
        ["01", "00"],
        "2023M01",
        "2024M12",
        1,
    )
    sentence = describe_trend(trend, NAMES, "arbetslösheten bland utrikes födda", "01", "00", 1)
    assert sentence == (
        "I december 2024 var arbetslösheten bland utrikes födda i Stockholms län 9,6 procent, "
        "2,6 procentenheter lägre än i riket. Det är 0,7 procentenheter högre än ett år tidigare."
    )


def test_sentence_for_tabell_1(built_tree):
    from labourmarket.core import store

    observations = store.read_observations()
    trend = build_trend(
        observations,
        "af_inskrivna_andel_rams",
        {"birth_region": "foreign_born"},
        ["0181", "01"],
        "2013K3",
        "2013K3",
        1,
    )
    names = {"0181": "Södertälje", **NAMES}
    sentence = describe_trend(trend, names, "arbetslösheten bland utrikes födda", "0181", "01", 1)
    assert sentence == (
        "Kv 3 2013 var arbetslösheten bland utrikes födda i Södertälje 27,0 procent, "
        "11,3 procentenheter högre än i Stockholms län."
    )


def test_sentence_without_figures():
    empty = monthly([None, None])
    empty["moving_average"] = np.nan
    empty["year_on_year"] = np.nan
    assert describe_trend(empty, NAMES, "x", "01", "00", 1) == (
        "Det finns inga värden för Stockholms län i den valda perioden."
    )


def test_groups_and_subjects_of_tabell_1(built_tree):
    from labourmarket.core import store

    rows = store.read_observations({"measure_id": "af_inskrivna_andel_rams"})
    assert list_groups(rows) == [
        "total",
        "age:18-24",
        "birth_region:born_in_sweden",
        "birth_region:foreign_born",
        "education:pre_upper_secondary",
        "education:upper_secondary",
        "education:post_secondary",
    ]
    assert describe_subject("age:18-24", "16-64 år") == "arbetslösheten bland 18-24-åringar"
    assert describe_subject("education:pre_upper_secondary", "16-64 år") == (
        "arbetslösheten bland personer med förgymnasial utbildning"
    )
