"""Gap computation on Tabell 1: values, benchmark values, gaps in points, ratios, ordering."""

import math

import pandas as pd
import pytest

from etl.pipeline import normalise
from etl.sources import seed
from labourmarket.core.gaps import compute_gaps, label_gaps, order_groups, select_breakdown
from labourmarket.output.sentences import describe_largest_gap
from tests.unit.test_seed import PROVENANCE, RAW

FOUR = ["0181", "0127", "0136", "0126"]
NAMES = {
    "0181": "Södertälje",
    "0127": "Botkyrka",
    "0136": "Haninge",
    "0126": "Huddinge",
    "01": "Stockholms län",
    "00": "Riket",
}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return normalise(seed.parse_table(RAW, PROVENANCE), PROVENANCE)


@pytest.mark.parametrize(
    ("region", "benchmark", "breakdown", "group", "value", "benchmark_value", "gap"),
    [
        ("0181", "01", "birth_region", "foreign_born", 27.0, 15.7, 11.3),
        ("0181", "01", "education", "pre_upper_secondary", 29.3, 17.2, 12.1),
        ("0136", "01", "age", "total", 7.7, 7.1, 0.6),
        ("0136", "00", "age", "18-24", 13.6, 17.3, -3.7),
        ("0126", "00", "education", "post_secondary", 5.5, 5.5, 0.0),
        ("0127", "00", "birth_region", "born_in_sweden", 7.0, 6.1, 0.9),
    ],
)
def test_compute_gaps_subtracts_benchmark_from_region(
    table, region, benchmark, breakdown, group, value, benchmark_value, gap
):
    gaps = compute_gaps(table, FOUR, benchmark, breakdown)
    row = gaps[(gaps["region_code"] == region) & (gaps["group"] == group)].iloc[0]
    assert (row["value"], row["benchmark_value"], row["gap_pp"]) == (value, benchmark_value, gap)
    assert row["ratio"] == pytest.approx(value / benchmark_value)


@pytest.mark.parametrize(
    ("breakdown", "groups"),
    [
        ("age", ["total", "18-24"]),
        ("birth_region", ["total", "born_in_sweden", "foreign_born"]),
        ("education", ["total", "pre_upper_secondary", "upper_secondary", "post_secondary"]),
    ],
)
@pytest.mark.parametrize("text_dtype", ["string", "category"])  # as built / as read from Parquet
def test_compute_gaps_orders_groups_then_regions_as_chosen(breakdown, groups, text_dtype):
    table = normalise(seed.parse_table(RAW, PROVENANCE), PROVENANCE, text_dtype=text_dtype)
    gaps = compute_gaps(table, ["0136", "0181"], "01", breakdown)
    assert gaps["group"].drop_duplicates().tolist() == groups
    assert gaps["region_code"].tolist() == ["0136", "0181"] * len(groups)


def test_compute_gaps_leaves_gap_empty_when_benchmark_lacks_group(table):
    without_county_youth = table[~((table["region_code"] == "01") & (table["age"] == "18-24"))]
    gaps = compute_gaps(without_county_youth, ["0181"], "01", "age")
    youth = gaps[gaps["group"] == "18-24"].iloc[0]
    assert youth["value"] == 18.7
    assert math.isnan(youth["benchmark_value"]) and math.isnan(youth["gap_pp"])


def test_compute_gaps_refuses_two_measures(table):
    other = table.assign(measure_id="other_measure")
    with pytest.raises(ValueError, match="one measure and one period"):
        compute_gaps(pd.concat([table, other]), FOUR, "01", "age")


def test_select_breakdown_rejects_unknown_breakdown(table):
    with pytest.raises(ValueError, match="unknown breakdown 'sex_and_age'"):
        select_breakdown(table, "sex_and_age")


@pytest.mark.parametrize(
    ("dimension", "codes", "expected"),
    [
        ("age", ["25-64", "total", "18-24"], ["total", "18-24", "25-64"]),
        (
            "education",
            ["post_secondary", "pre_upper_secondary", "total"],
            ["total", "pre_upper_secondary", "post_secondary"],
        ),
    ],
)
def test_order_groups_puts_total_first(dimension, codes, expected):
    assert order_groups(dimension, codes) == expected


@pytest.mark.parametrize(
    ("benchmark", "breakdown", "sentence"),
    [
        (
            "01",
            "birth_region",
            "Störst skillnad mot Stockholms län: utrikes födda i Södertälje har 27,0\u00a0% mot "
            "15,7\u00a0% i Stockholms län, 11,3 procentenheter högre.",
        ),
        (
            "00",
            "education",
            "Störst skillnad mot riket: personer med förgymnasial utbildning i Södertälje har "
            "29,3\u00a0% mot 19,2\u00a0% i riket, 10,1 procentenheter högre.",
        ),
    ],
)
def test_describe_largest_gap_names_region_group_and_size(table, benchmark, breakdown, sentence):
    gaps = label_gaps(compute_gaps(table, FOUR, benchmark, breakdown), NAMES, breakdown, "16-64 år")
    assert describe_largest_gap(gaps, NAMES[benchmark], population="16-64 år") == sentence


def test_describe_largest_gap_says_lower_for_negative_gaps(table):
    gaps = label_gaps(compute_gaps(table, ["0126"], "00", "age"), NAMES, "age", "16-64 år")
    assert describe_largest_gap(gaps, "Riket").endswith("5,9 procentenheter lägre.")


def test_describe_largest_gap_names_every_tied_group(table):
    """Södertälje is +7,4 against the county both for 16-64 and for 18-24: both are named."""
    gaps = label_gaps(compute_gaps(table, FOUR, "01", "age"), NAMES, "age", "16-64 år")
    assert describe_largest_gap(gaps, "Stockholms län", population="16-64 år") == (
        "Störst skillnad mot Stockholms län har Södertälje: 7,4 procentenheter högre både för "
        "alla 16-64 år (14,5\u00a0% mot 7,1\u00a0%) och för unga 18-24 år "
        "(18,7\u00a0% mot 11,3\u00a0%)."
    )
