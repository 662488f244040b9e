"""Ranking kommuner and profiling one kommun's gaps: ranks, ties, missing figures, sentences."""

import math

import pandas as pd
import pytest

from etl.pipeline import normalise
from etl.sources import seed
from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog
from labourmarket.core.ranking import (
    compute_gap_profile,
    find_benchmarks,
    find_reference_lines,
    list_group_keys,
    list_population,
    pick_default_population,
    rank_regions,
    select_shown,
)
from labourmarket.core.selection import Group
from labourmarket.output.ranking_charts import plot_gap_profile, plot_ranking
from labourmarket.output.sentences import (
    describe_gap_profile,
    describe_group_clause,
    describe_rank,
    describe_ranking,
    describe_reference_lines,
    format_ordinal,
)
from labourmarket.views.jamfor import (
    emphasise_highlighted,
    format_group_choice,
    label_profile,
    shape_profile_table,
    shape_ranking_table,
)
from tests.unit.test_seed import PROVENANCE, RAW

MEASURE = "af_inskrivna_andel_rams"
PERIOD = "2013K3"
FOUR = ["0181", "0127", "0136", "0126"]
NAMES = {
    "0181": "Södertälje",
    "0127": "Botkyrka",
    "0136": "Haninge",
    "0126": "Huddinge",
    "0140": "Nykvarn",
    "01": "Stockholms län",
    "00": "Riket",
}
TOTAL = {"sex": "total", "age": "total", "birth_region": "total", "education": "total"}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return normalise(seed.parse_table(RAW, PROVENANCE), PROVENANCE)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(paths.REPO_DIR / "data" / "reference")


def make_rows(values: dict[str, float | None], status: dict[str, str] | None = None, **group):
    """A one-measure, one-period table: one row per region, NaN where the value is None."""
    status = status or {}
    return pd.DataFrame(
        [
            {
                "measure_id": "m",
                "region_code": code,
                "period": "2023",
                **{**TOTAL, **group},
                "value": math.nan if value is None else value,
                "status": status.get(code),
            }
            for code, value in values.items()
        ]
    )


@pytest.mark.parametrize(
    ("values", "status", "members", "order", "ranks"),
    [
        pytest.param(
            {"a": 5.0, "b": 7.0, "c": 3.0},
            {},
            ["a", "b", "c"],
            ["b", "a", "c"],
            [1, 2, 3],
            id="highest-first",
        ),
        pytest.param(
            {"a": 5.0, "b": 7.0, "c": 7.0, "d": 3.0},
            {},
            ["a", "b", "c", "d"],
            ["b", "c", "a", "d"],
            [1, 1, 3, 4],
            id="ties-share-the-lower-number",
        ),
        pytest.param(
            {"a": 5.0, "b": None, "c": 8.0},
            {"b": "suppressed"},
            ["a", "b", "c", "d"],
            ["c", "a", "b", "d"],
            [1, 2, None, None],
            id="suppressed-and-absent-last-unranked",
        ),
        pytest.param(
            {"a": 0.0, "b": None},
            {},
            ["b", "a"],
            ["a", "b"],
            [1, None],
            id="a-real-zero-ranks-a-missing-value-does-not",
        ),
        pytest.param(
            {"a": 4.0, "x": 9.0},
            {},
            ["a"],
            ["a"],
            [1],
            id="non-members-left-out",
        ),
    ],
)
def test_rank_regions(values, status, members, order, ranks):
    ranking = rank_regions(make_rows(values, status), members, "m", "2023", {})
    assert ranking["region_code"].tolist() == order
    expected = [math.nan if r is None else float(r) for r in ranks]
    assert ranking["rank"].tolist() == pytest.approx(expected, nan_ok=True)
    unranked = ranking[ranking["rank"].isna()]
    assert unranked["value"].isna().all(), "a missing figure must stay missing, never 0"


def test_rank_regions_marks_what_the_source_does_not_cover():
    ranking = rank_regions(make_rows({"a": 5.0, "b": None}), ["a", "b", "c"], "m", "2023", {})
    assert ranking["is_in_source"].tolist() == [True, True, False]
    assert select_shown(ranking, [])["region_code"].tolist() == ["a", "b"]
    assert select_shown(ranking, ["c"])["region_code"].tolist() == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("group", "order", "values"),
    [
        ({}, ["0181", "0127", "0136", "0126"], [14.5, 12.9, 7.7, 7.3]),
        ({"age": "18-24"}, ["0181", "0127", "0136", "0126"], [18.7, 17.7, 13.6, 11.4]),
        (
            {"birth_region": "born_in_sweden"},
            ["0127", "0181", "0136", "0126"],
            [7.0, 6.9, 5.2, 4.3],
        ),
        (
            {"education": "post_secondary"},
            ["0181", "0127", "0136", "0126"],
            [11.6, 9.0, 6.8, 5.5],
        ),
    ],
)
def test_rank_regions_on_tabell_1_by_group(table, group, order, values):
    ranking = rank_regions(table, FOUR, MEASURE, PERIOD, group)
    assert ranking["region_code"].tolist() == order
    assert ranking["value"].tolist() == values


def test_gap_profile_of_sodertalje_against_the_county_largest_first(table):
    profile = compute_gap_profile(table, "0181", "01", MEASURE, PERIOD)
    assert list(zip(profile["group"], profile["gap_pp"], strict=True)) == [
        ("pre_upper_secondary", 12.1),
        ("foreign_born", 11.3),
        ("18-24", 7.4),
        ("post_secondary", 6.4),
        ("upper_secondary", 3.8),
        ("born_in_sweden", 2.6),
    ]
    first = profile.iloc[0]
    assert (first["dimension"], first["value"], first["benchmark_value"]) == (
        "education",
        29.3,
        17.2,
    )


@pytest.mark.parametrize(
    ("region", "benchmark", "first", "gap"),
    [
        ("0136", "00", "foreign_born", -5.8),
        ("0126", "00", "foreign_born", -6.4),
        ("0127", "01", "18-24", 6.4),
    ],
)
def test_gap_profile_leads_with_the_largest_absolute_gap(table, region, benchmark, first, gap):
    profile = compute_gap_profile(table, region, benchmark, MEASURE, PERIOD)
    assert (profile.iloc[0]["group"], profile.iloc[0]["gap_pp"]) == (first, gap)


def test_gap_profile_keeps_a_group_missing_on_one_side_last(table):
    without = table[~((table["region_code"] == "01") & (table["birth_region"] == "foreign_born"))]
    profile = compute_gap_profile(without, "0181", "01", MEASURE, PERIOD)
    last = profile.iloc[-1]
    assert (last["group"], last["value"]) == ("foreign_born", 27.0)
    assert math.isnan(last["benchmark_value"]) and math.isnan(last["gap_pp"])
    assert len(profile) == 6


def test_gap_profile_includes_sex_when_the_data_has_it():
    rows = pd.concat(
        [
            make_rows({"k": 10.0, "l": 8.0}, sex="women"),
            make_rows({"k": 9.0, "l": 9.5}, sex="men"),
            make_rows({"k": 9.5, "l": 8.7}),
        ]
    )
    profile = compute_gap_profile(rows, "k", "l", "m", "2023")
    assert profile[["dimension", "group", "gap_pp"]].values.tolist() == [
        ["sex", "women", 2.0],
        ["sex", "men", -0.5],
    ]


def test_gap_profile_is_empty_for_a_measure_of_totals_only():
    profile = compute_gap_profile(make_rows({"k": 10.0, "l": 8.0}), "k", "l", "m", "2023")
    assert profile.empty
    assert list(profile.columns) == ["dimension", "group", "value", "benchmark_value", "gap_pp"]


@pytest.mark.parametrize(
    ("region", "benchmark", "highlighted", "sentence"),
    [
        pytest.param(
            "0181",
            ("länet", 7.1),
            FOUR,
            "Kv 3 2013 hade Södertälje den högsta andelen av 4 kommuner: "
            "14,5 procent, 7,4 procentenheter över länet.",
            id="tabell-1-first",
        ),
        pytest.param(
            "0126",
            ("riket", 8.5),
            FOUR,
            "Kv 3 2013 hade Huddinge den lägsta andelen av 4 kommuner: "
            "7,3 procent, 1,2 procentenheter under riket.",
            id="last-below-the-country",
        ),
        pytest.param(
            "0127",
            None,
            FOUR,
            "Kv 3 2013 hade Botkyrka den näst högsta andelen av 4 kommuner: 12,9 procent.",
            id="no-benchmark",
        ),
        pytest.param(
            "0136",
            ("länet", 7.7),
            [*FOUR, "0140"],
            "Kv 3 2013 hade Haninge den näst lägsta andelen av 4 kommuner med värde: "
            "7,7 procent, samma som länet.",
            id="a-member-without-figures",
        ),
        pytest.param(
            "0140",
            None,
            [*FOUR, "0140"],
            "Kv 3 2013 saknas värde för Nykvarn (..); kommunen ingår inte i rangordningen.",
            id="chosen-kommun-missing",
        ),
    ],
)
def test_describe_rank_on_tabell_1(table, region, benchmark, highlighted, sentence):
    ranking = rank_regions(table, highlighted, MEASURE, PERIOD, {})
    assert describe_rank(ranking, region, PERIOD, NAMES, benchmark) == sentence


@pytest.mark.parametrize(
    ("values", "status", "region", "sentence"),
    [
        pytest.param(
            {"a": 9.0, "b": 7.0, "c": 7.0, "d": 7.0, "e": 5.0, "f": 4.0},
            {},
            "c",
            "2023 hade C, liksom B och D, den näst högsta andelen av 6 kommuner: 7,0 procent.",
            id="three-way-tie",
        ),
        pytest.param(
            {"a": 9.0, "b": 9.0},
            {},
            "b",
            "2023 hade B, liksom A, den högsta andelen av 2 kommuner: 9,0 procent.",
            id="all-equal",
        ),
        pytest.param(
            {"a": 9.0, "b": None},
            {"b": "suppressed"},
            "b",
            "2023 är värdet undertryckt för B (..); kommunen ingår inte i rangordningen.",
            id="suppressed",
        ),
        pytest.param(
            {"a": 9.0, "b": None},
            {},
            "a",
            "2023 var A den enda kommunen i urvalet med värde: 9,0 procent.",
            id="only-one-figure",
        ),
        pytest.param({"a": 9.0}, {}, "z", "Z ingår inte i urvalet.", id="not-a-member"),
    ],
)
def test_describe_rank_ties_and_gaps(values, status, region, sentence):
    ranking = rank_regions(make_rows(values, status), list(values), "m", "2023", {})
    names = {code: code.upper() for code in [*values, "z"]}
    assert describe_rank(ranking, region, "2023", names) == sentence


def test_describe_rank_names_the_group(table):
    group = Group.decode("birth_region:foreign_born").as_dict()
    ranking = rank_regions(table, FOUR, MEASURE, PERIOD, group)
    sentence = describe_rank(
        ranking, "0181", PERIOD, NAMES, ("länet", 15.7), group_phrase=describe_group_clause(group)
    )
    assert sentence == (
        "Kv 3 2013 hade Södertälje den högsta andelen bland utrikes födda av 4 kommuner: "
        "27,0 procent, 11,3 procentenheter över länet."
    )


def test_describe_ranking_without_figures_or_highlights(table):
    empty = rank_regions(table, ["0140"], MEASURE, PERIOD, {})
    assert describe_ranking(empty, [], PERIOD, NAMES, {}) == [
        "Ingen kommun i urvalet har ett värde för kv 3 2013."
    ]
    ranking = rank_regions(table, FOUR, MEASURE, PERIOD, {})
    assert describe_ranking(ranking, [], PERIOD, NAMES, {})[0].startswith(
        "Kv 3 2013 hade Södertälje den högsta"
    )


@pytest.mark.parametrize(
    ("region", "benchmark", "sentence"),
    [
        pytest.param(
            "0181",
            "01",
            "Störst skillnad mot Stockholms län för Södertälje: personer med förgymnasial "
            "utbildning, 29,3 procent mot 17,2 procent, 12,1 procentenheter högre.",
            id="tabell-1",
        ),
        pytest.param(
            "0126",
            "00",
            "Störst skillnad mot riket för Huddinge: utrikes födda, "
            "14,3 procent mot 20,7 procent, 6,4 procentenheter lägre.",
            id="lower",
        ),
    ],
)
def test_describe_gap_profile_on_tabell_1(table, region, benchmark, sentence):
    profile = compute_gap_profile(table, region, benchmark, MEASURE, PERIOD)
    assert describe_gap_profile(profile, NAMES[region], NAMES[benchmark]) == sentence


@pytest.mark.parametrize(
    ("region_values", "benchmark_values", "sentence"),
    [
        pytest.param(
            {"women": 10.0, "men": 6.0},
            {"women": 8.0, "men": 8.0},
            "Störst skillnad mot L för K, lika stor i 2 grupper: kvinnor, 10,0 procent mot "
            "8,0 procent, och män, 6,0 procent mot 8,0 procent, båda 2,0 procentenheter: "
            "högre respektive lägre.",
            id="tie-in-opposite-directions",
        ),
        pytest.param(
            {"women": 8.0, "men": 8.0},
            {"women": 8.0, "men": 8.0},
            "K har samma andel som L i alla grupper med värden.",
            id="no-difference",
        ),
        pytest.param(
            {"women": None, "men": 8.0},
            {"women": 8.0, "men": None},
            "Det finns ingen grupp där både K och L har värden.",
            id="no-comparable-group",
        ),
    ],
)
def test_describe_gap_profile_edge_cases(region_values, benchmark_values, sentence):
    rows = pd.concat(
        [
            make_rows({"k": region_values[sex], "l": benchmark_values[sex]}, sex=sex)
            for sex in ("women", "men")
        ]
    )
    profile = compute_gap_profile(rows, "k", "l", "m", "2023")
    assert describe_gap_profile(profile, "K", "L") == sentence


@pytest.mark.parametrize(
    ("number", "word"),
    [
        (1, ""),
        (2, "näst"),
        (3, "tredje"),
        (10, "tionde"),
        (11, "11:e"),
        (12, "12:e"),
        (21, "21:a"),
        (22, "22:a"),
        (23, "23:e"),
        (111, "111:e"),
        (131, "131:a"),
    ],
)
def test_say_ordinal(number, word):
    assert format_ordinal(number) == word


def test_group_keys_round_trip_and_labels(table):
    keys = list_group_keys(table)
    assert keys[:3] == ["total", "age:18-24", "birth_region:born_in_sweden"]
    assert Group.decode("education:post_secondary").education == "post_secondary"
    assert Group.decode("total").as_dict() == TOTAL
    assert format_group_choice("total", "16-64 år") == "Totalt 16-64 år"
    assert format_group_choice("birth_region:foreign_born") == "Födelseland: utrikes födda"


def test_populations_and_reference_lines(table, catalog):
    assert set(FOUR) < set(list_population(catalog, "sodertorn"))
    assert len(list_population(catalog, "lan_01")) == 26
    assert len(list_population(catalog, "alla")) == 290
    groups = ["sodertorn", "lan_01", "alla"]
    assert pick_default_population(table, catalog, groups) == "sodertorn"
    county_only = table[table["region_code"].isin(["01", "00"])]
    assert pick_default_population(county_only, catalog, ["sodertorn", "lan_09"]) == "sodertorn"
    sodertorn = list_population(catalog, "sodertorn")
    assert find_reference_lines(table, catalog, sodertorn, MEASURE, PERIOD, {}) == [
        ("Stockholms län", 7.1),
        ("Riket", 8.5),
    ]
    lines = find_reference_lines(table, catalog, sodertorn, MEASURE, PERIOD, {})
    assert describe_reference_lines(lines) == (
        "Som jämförelse: Stockholms län 7,1\u00a0%, riket 8,5\u00a0%."
    )
    everyone = list_population(catalog, "alla")
    assert find_reference_lines(table, catalog, everyone, MEASURE, PERIOD, {}) == [("Riket", 8.5)]
    assert find_benchmarks(table, catalog, ["0181"], MEASURE, PERIOD, {}) == {
        "0181": ("länet", 7.1)
    }


def test_tables_show_swedish_numbers_and_missing_as_dots(table):
    ranking = rank_regions(table, [*FOUR, "0140"], MEASURE, PERIOD, {})
    shown = shape_ranking_table(ranking, NAMES, ["0140"]).frame
    assert shown["Kommun"].tolist()[-1] == "Nykvarn"
    styler = emphasise_highlighted(shape_ranking_table(ranking, NAMES, ["0140"]))
    html = styler.to_html()
    assert "14,5" in html and ".." in html and "finns inte i källan" in html
    profile = compute_gap_profile(table, "0181", "01", MEASURE, PERIOD)
    html = shape_profile_table(profile, "Södertälje", "Stockholms län").style().to_html()
    assert "+12,1\u00a0p.e." in html and "Förgymnasial utbildning" in html


def test_ranking_chart_highlights_twice_and_draws_benchmarks(table):
    ranking = rank_regions(table, [*FOUR, "0140"], MEASURE, PERIOD, {})
    lines = [("Stockholms län", 7.1), ("Riket", 8.5)]
    fig = plot_ranking(ranking, NAMES, ["0181", "0140"], lines, "Titel", "Under", "Källa: AF.")
    highlighted, others = fig.data
    assert list(highlighted.y) == ["Södertälje", "Nykvarn"]
    assert list(highlighted.text) == ["<b>14,5</b>", "<b>..</b>"]
    assert list(others.text) == ["12,9", "7,7", "7,3"]
    assert highlighted.marker.color != others.marker.color
    assert "<b>Södertälje</b>" in fig.layout.yaxis.ticktext
    texts = [a.text for a in fig.layout.annotations]
    assert texts[0] == "Källa: AF."
    assert "Stockholms län: 7,1\u00a0%" in texts and "Riket: 8,5\u00a0%" in texts
    assert [s.line.dash for s in fig.layout.shapes] == ["dash", "dash"]
    assert fig.layout.xaxis.ticksuffix == " %"


def test_gap_profile_chart_labels_gaps_in_points(table):
    profile = label_profile(compute_gap_profile(table, "0181", "01", MEASURE, PERIOD))
    fig = plot_gap_profile(profile, "Södertälje", "Stockholms län", "T", "U", "Källa: AF.")
    bars = fig.data[0]
    assert list(bars.y[:2]) == ["Förgymnasial utbildning", "Utrikes födda"]
    assert list(bars.text[:2]) == ["+12,1", "+11,3"]
    assert fig.layout.annotations[0].text == "Källa: AF."
    assert "Procentenheter" in fig.layout.xaxis.title.text
