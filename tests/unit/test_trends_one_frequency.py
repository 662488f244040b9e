"""A measure holding 2013K3 and 2013M07 (both start 2013-07-01): each series keeps one frequency.

The build refuses such a measure; a data tree built before that check still holds one (AF's
monthly shares were once filed under Tabell 1's quarterly measure), so the rows here are made up
in that shape: Tabell 1's quarter plus monthly figures of the same measure.
"""

import pandas as pd
import pytest

from labourmarket.core.catalog import load_catalog
from labourmarket.core.frequency import (
    describe_kept_frequency,
    keep_one_frequency,
    list_frequencies,
    pick_frequency,
)
from labourmarket.core.periods import parse_period
from labourmarket.core.schema import COLUMNS
from labourmarket.core.targets import Target, evaluate, select_target_series
from labourmarket.core.trends import add_moving_average, build_trend
from labourmarket.views.oversikt import build_card

RAMS = "af_inskrivna_andel_rams"
TOTAL = dict.fromkeys(["sex", "age", "birth_region", "education"], "total")
# Tabell 1, kv 3 2013: Södertälje 14,5, Stockholms län 7,1, Riket 8,5.
QUARTER = {"0181": 14.5, "01": 7.1, "00": 8.5}


def make_rows(periods: list[str], values: dict[str, float], step: float = 0.0) -> pd.DataFrame:
    """One row per region and period of the Tabell 1 measure; each period adds `step`."""
    rows = [
        {
            "measure_id": RAMS,
            "region_code": region,
            "period": period,
            **TOTAL,
            "value": round(value + step * number, 1),
            "numerator": None,
            "denominator": None,
            "status": None,
            "period_start": pd.Timestamp(parse_period(period).start),
            "frequency": parse_period(period).frequency,
            "source_id": "af_arbetsmarknadsutsikter_2013_stockholm",
            "retrieved_at": pd.Timestamp("2026-01-01T00:00:00Z"),
        }
        for number, period in enumerate(periods)
        for region, value in values.items()
    ]
    return pd.DataFrame(rows)[COLUMNS]


def list_months(first: str, last: str) -> list[str]:
    return [f"{p.year}M{p.month:02d}" for p in pd.period_range(first, last, freq="M")]


# Monthly figures from juli 2013 (the quarter's first month) to juli 2014.
FROM_JULY = make_rows(["2013K3"], QUARTER).pipe(
    lambda q: pd.concat([q, make_rows(list_months("2013-07", "2014-07"), QUARTER, 0.1)])
)
# Monthly figures from januari 2013: the series starts with a month.
FROM_JANUARY = make_rows(["2013K3"], QUARTER).pipe(
    lambda q: pd.concat([q, make_rows(list_months("2013-01", "2014-07"), QUARTER, 0.1)])
)


@pytest.mark.parametrize(
    ("rows", "preferred", "kept"),
    [
        (FROM_JULY, None, "Q"),  # a tie on 2013-07-01: the quarter covers the month
        (FROM_JANUARY, None, "M"),  # the series starts in januari 2013
        (FROM_JANUARY, "Q", "Q"),  # a target's or pack's own frequency wins
        (FROM_JULY, "A", "Q"),  # a frequency the rows lack is no choice
    ],
)
def test_the_series_keeps_the_frequency_it_starts_with(rows, preferred, kept):
    assert pick_frequency(rows, preferred) == kept
    assert set(keep_one_frequency(rows, preferred)["frequency"]) == {kept}


@pytest.mark.parametrize(
    ("rows", "periods"),
    [
        (FROM_JULY, ["2013K3"]),
        (FROM_JANUARY, list_months("2013-01", "2014-07")),
    ],
)
def test_a_trend_over_both_frequencies_has_one(rows, periods):
    """Before: "cannot reindex on an axis with duplicate labels" in add_moving_average."""
    trend = build_trend(rows, RAMS, {}, ["0181", "01", "00"], "2012M01", "2014M12", 1)
    own = trend[trend["region_code"] == "0181"]
    assert own["period"].tolist() == periods
    assert trend["frequency"].nunique() == 1


def test_a_moving_average_never_spans_two_frequencies():
    """Handed both, each frequency is averaged on its own calendar: kv 3 alone has no year."""
    rows = FROM_JULY[FROM_JULY["region_code"] == "0181"].sort_values("period_start")
    averaged = add_moving_average(rows).set_index("period")["moving_average"]
    assert pd.isna(averaged["2013K3"])
    # juli 2013 - juni 2014: 14,5 + 0,1 * (0 ... 11) averages 15,05.
    assert averaged["2014M06"] == pytest.approx(15.05)


def test_the_tabell_1_target_keeps_its_quarter():
    """A target with baseline kv 3 2013 judges quarters only: no month lands on its series."""
    catalog = load_catalog()
    target = Target(
        id="t",
        region="0181",
        document="d",
        section="s",
        quote="q",
        goal_sv="Arbetslösheten ska minska från kv 3 2013",
        measures=(RAMS,),
        rule="below_baseline",
        tolerance=0.0,
        group=dict(TOTAL),
        baseline_period="2013K3",
    )
    own = select_target_series(FROM_JANUARY, target, "0181", RAMS)
    assert own.index.tolist() == ["2013K3"]
    (result,) = evaluate(FROM_JANUARY, [target], catalog).to_dict("records")
    assert (result["status"], result["reason"]) == ("cannot_assess", "period_not_found")


@pytest.mark.parametrize(
    ("rows", "period", "value", "trend"),
    [
        (FROM_JULY, "2013K3", 14.5, None),
        # juli 2014 against juli 2013, never against kv 3 2013.
        (FROM_JANUARY, "2014M07", 16.3, "↑ +1,2\u00a0p.e. sedan juli 2013"),
    ],
)
def test_an_overview_card_compares_within_one_frequency(rows, period, value, trend):
    card = build_card(rows, load_catalog(), RAMS, "0181")
    assert (card.period, card.value, card.trend) == (period, value, trend)
    assert card.frequency_note is not None and "visas inte" in card.frequency_note


@pytest.mark.parametrize(
    ("frequencies", "kept", "text"),
    [
        (
            ["Q", "M"],
            "Q",
            "Måttet har både kvartalsvärden och månadsvärden. En serie har en "
            "frekvens: här visas kvartalsvärden; månadsvärden visas inte.",
        ),
        (
            ["M", "Q"],
            "M",
            "Måttet har både månadsvärden och kvartalsvärden. En serie har en "
            "frekvens: här visas månadsvärden; kvartalsvärden visas inte.",
        ),
        (["M"], "M", None),
        ([], None, None),
    ],
)
def test_the_kept_frequency_is_said(frequencies, kept, text):
    assert describe_kept_frequency(frequencies, kept) == text


@pytest.mark.parametrize(
    ("frequencies", "listed"),
    [
        (pd.Categorical(["M", "M"], categories=["A", "M", "Q"]), ["M"]),
        (pd.Categorical(["Q", "M", "Q"], categories=["A", "M", "Q"]), ["Q", "M"]),
        (pd.Categorical([], categories=["A", "M", "Q"]), []),
        (["Q", "M"], ["Q", "M"]),
    ],
)
def test_the_frequencies_are_listed_from_the_codes(frequencies, listed):
    assert list_frequencies(pd.DataFrame({"frequency": frequencies})) == listed
