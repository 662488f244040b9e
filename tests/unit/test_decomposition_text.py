"""The split of a gap in Swedish words and as a table: sentences, rounding, rows."""

import math
from decimal import Decimal

import pandas as pd
import pytest

from labourmarket.core.decomposition import Decomposition, GroupEffect
from labourmarket.output.decomposition_text import (
    TABLE_COLUMNS,
    describe_decomposition,
    describe_group,
    make_genitive,
    shape_decomposition_table,
    split_rounded,
)

NBSP = "\u00a0"
DERIVED = {"unknown_birth_region", "unknown", "other_ages"}


def make_decomposition(breakdown: str, groups: dict[str, tuple[float, float, float, float]]):
    """A split computed as the core does, from (share, benchmark share, rate, benchmark rate)."""
    effects = tuple(
        GroupEffect(
            group=code,
            derived=code in DERIVED,
            share=w1,
            benchmark_share=w0,
            rate=r1,
            benchmark_rate=r0,
            composition=(w1 - w0) * (r1 + r0) / 2,
            within=(r1 - r0) * (w1 + w0) / 2,
        )
        for code, (w1, w0, r1, r0) in groups.items()
    )
    rate = sum(g.share * g.rate for g in effects)
    benchmark_rate = sum(g.benchmark_share * g.benchmark_rate for g in effects)
    return Decomposition(
        breakdown, "0181", "01", "2024M02", "total", rate, benchmark_rate, effects, None
    )


def make_problem(problem: str) -> Decomposition:
    return Decomposition("education", "0181", "01", "2013K3", "total", None, None, (), problem)


# Rates 11,12 and 5,25: gap 5,87 -> 5,9. Composition -0,15*8,2/2 + 0,15*32/2 = 1,785;
# within 2,2*1,35/2 + 8*0,65/2 = 4,085 -> 4,1 (the larger part); 5,9 - 4,1 = 1,8.
ABOVE = make_decomposition(
    "birth_region", {"born_in_sweden": (0.60, 0.75, 5.2, 3.0), "foreign_born": (0.40, 0.25, 20, 12)}
)
# Rates 4,4 and 6,8: gap -2,4. Composition -0,8 - 1,65 + 1,05 = -1,4 (the larger part);
# within -0,15 - 0,3 - 0,55 = -1,0. Measured from the mean rate 5,6 the push of the groups is
# -0,52 (förgymnasial), -0,25 (gymnasial) and 0,3*(3,5 - 5,6) = -0,63 (eftergymnasial): the
# larger share with the low rate explains most, though its raw term (+1,05) is positive.
BELOW = make_decomposition(
    "education",
    {
        "pre_upper_secondary": (0.05, 0.10, 15, 17),
        "upper_secondary": (0.25, 0.50, 6.2, 7),
        "post_secondary": (0.70, 0.40, 3, 4),
    },
)
# Rates 6,44 and 5,25: gap 1,19 -> 1,2. Within 1,55 + 0,045 = 1,595 -> 1,6 (the larger);
# composition 0,2 - 0,605 = -0,405, shown as 1,2 - 1,6 = -0,4: fewer foreign-born.
OPPOSITE_ABOVE = make_decomposition(
    "birth_region",
    {"born_in_sweden": (0.80, 0.75, 5, 3), "foreign_born": (0.20, 0.25, 12.2, 12)},
)
# Rates 6,46 and 7,3: gap -0,84 -> -0,8. Composition -1,75 - 0,75 + 0,86 = -1,64 -> -1,6
# (the larger); within 0,1 + 0,4 + 0,3 = 0,8, shown as -0,8 + 1,6 = 0,8. Mean rate 6,88: the
# push of förgymnasial is -0,1*(17,5 - 6,88) = -1,06, the largest.
OPPOSITE_BELOW = make_decomposition(
    "education",
    {
        "pre_upper_secondary": (0.05, 0.15, 18, 17),
        "upper_secondary": (0.35, 0.45, 8, 7),
        "post_secondary": (0.60, 0.40, 4.6, 4),
    },
)
# Both rates 5,4. Composition -0,155 + 0,575 = 0,42; within -0,145 - 0,275 = -0,42.
TIE = make_decomposition(
    "birth_region", {"born_in_sweden": (0.70, 0.75, 3, 3.2), "foreign_born": (0.30, 0.25, 11, 12)}
)
# Equal groups: both rates 0,75*3 + 0,25*12 = 5,25, shown half up as 5,3.
SAME = make_decomposition(
    "birth_region", {"born_in_sweden": (0.75, 0.75, 3, 3), "foreign_born": (0.25, 0.25, 12, 12)}
)
# Same shares, so no composition: rates 6,55 and 5,25, gap 1,3, all within the groups.
WITHIN_ONLY = make_decomposition(
    "birth_region",
    {"born_in_sweden": (0.75, 0.75, 4, 3), "foreign_born": (0.25, 0.25, 14.2, 12)},
)
# Rates 6,7 and 5,3: gap 1,4. Composition 0,55 + 0 - 0,275 = 0,275; within 0,25 + 0,2 +
# 0,675 = 1,125 -> 1,1 (the larger); 1,4 - 1,1 = 0,3. Mean 6,0: the young push 0,05*5 = 0,25.
AGE = make_decomposition(
    "age",
    {
        "18-24": (0.15, 0.10, 12, 10),
        "55-64": (0.20, 0.20, 5, 4),
        "other_ages": (0.65, 0.70, 6, 5),
    },
)
# The brief's rounding case: parts 3,14 and 4,34 of 7,48. Each rounded alone they show
# 3,1 + 4,3 = 7,4, not the 7,5 shown for the total; so the smaller part shows 7,5 - 4,3 = 3,2.
ROUNDING = Decomposition(
    "birth_region",
    "0181",
    "01",
    "2024M02",
    "total",
    12.48,
    5.0,
    (
        GroupEffect("born_in_sweden", False, 0.70, 0.80, 5, 3, 0.0, 2.34),
        GroupEffect("foreign_born", False, 0.30, 0.20, 20, 12, 3.14, 2.0),
    ),
    None,
)


@pytest.mark.parametrize(
    ("decomposition", "region", "benchmark", "expected"),
    [
        (
            ABOVE,
            "Södertälje",
            "länet",
            "Av Södertäljes 5,9 procentenheter högre arbetslöshet än länet förklaras 1,8 av att "
            "en större del av arbetskraften är utrikes född och 4,1 av högre arbetslöshet inom "
            "grupperna.",
        ),
        (
            BELOW,
            "Danderyd",
            "länet",
            "Av Danderyds 2,4 procentenheter lägre arbetslöshet än länet förklaras 1,4 av att "
            "en större del av arbetskraften har eftergymnasial utbildning och 1,0 av lägre "
            "arbetslöshet inom grupperna.",
        ),
        (
            OPPOSITE_ABOVE,
            "Södertälje",
            "länet",
            "Södertälje har 1,2 procentenheter högre arbetslöshet än länet: 1,6 förklaras av "
            "högre arbetslöshet inom grupperna, medan 0,4 åt andra hållet kommer av att en "
            "mindre del av arbetskraften är utrikes född.",
        ),
        (
            OPPOSITE_BELOW,
            "Vännäs",
            "Riket",
            "Vännäs har 0,8 procentenheter lägre arbetslöshet än riket: 1,6 förklaras av att en "
            "mindre del av arbetskraften har förgymnasial utbildning, medan 0,8 åt andra hållet "
            "kommer av högre arbetslöshet inom grupperna.",
        ),
        (
            TIE,
            "Södertälje",
            "länet",
            f"Södertälje har samma arbetslöshet som länet (5,4{NBSP}%): 0,4 uppåt kommer av att "
            "en större del av arbetskraften är utrikes född och lika mycket nedåt av lägre "
            "arbetslöshet inom grupperna.",
        ),
        (SAME, "Södertälje", "länet", f"Södertälje har samma arbetslöshet som länet (5,3{NBSP}%)."),
        (
            WITHIN_ONLY,
            "Södertälje",
            "Stockholms län",
            "Södertäljes 1,3 procentenheter högre arbetslöshet än Stockholms län förklaras helt "
            "av högre arbetslöshet inom grupperna.",
        ),
        (
            AGE,
            "Nacka",
            "Stockholms län",
            "Av Nackas 1,4 procentenheter högre arbetslöshet än Stockholms län förklaras 0,3 av "
            "att en större del av arbetskraften är unga (18-24 år) och 1,1 av högre "
            "arbetslöshet inom grupperna.",
        ),
        (
            ROUNDING,
            "Södertälje",
            "länet",
            "Av Södertäljes 7,5 procentenheter högre arbetslöshet än länet förklaras 3,2 av att "
            "en större del av arbetskraften är utrikes född och 4,3 av högre arbetslöshet inom "
            "grupperna.",
        ),
        (
            make_problem(
                "källan ger bara andelar, inte antal arbetslösa och arbetskraft per grupp."
            ),
            "Södertälje",
            "länet",
            "Skillnaden kan inte delas upp: källan ger bara andelar, inte antal arbetslösa och "
            "arbetskraft per grupp.",
        ),
    ],
    ids=[
        "above",
        "below",
        "opposite-above",
        "opposite-below",
        "tie",
        "same",
        "within-only",
        "age",
        "rounding-sum",
        "problem",
    ],
)
def test_describe_decomposition(decomposition, region, benchmark, expected):
    assert describe_decomposition(decomposition, region, benchmark) == expected


def test_describe_decomposition_with_no_decimals():
    # 5,87 -> 6; the larger part 4,085 -> 4; the composition shows 6 - 4 = 2.
    assert describe_decomposition(ABOVE, "Södertälje", "länet", decimals=0) == (
        "Av Södertäljes 6 procentenheter högre arbetslöshet än länet förklaras 2 av att en "
        "större del av arbetskraften är utrikes född och 4 av högre arbetslöshet inom grupperna."
    )


@pytest.mark.parametrize(
    ("gap", "parts", "expected"),
    [
        (7.48, (3.14, 4.34), ("7.5", "3.2", "4.3")),
        (7.48, (4.34, 3.14), ("7.5", "4.3", "3.2")),
        (-7.48, (-3.14, -4.34), ("-7.5", "-3.2", "-4.3")),
        (1.19, (-0.405, 1.595), ("1.2", "-0.4", "1.6")),
        (0.0, (0.42, -0.42), ("0.0", "0.4", "-0.4")),
        # The rest would show -0,1 for a part of -0,0004: it rounds to zero, so it shows zero.
        (1.3496, (-0.0004, 1.35), ("1.3", "0.0", "1.3")),
        (0.0, (0.04, -0.04), ("0.0", "0.0", "0.0")),
    ],
)
def test_split_rounded_adds_up(gap, parts, expected):
    shown = split_rounded(gap, parts, 1)
    assert shown == tuple(Decimal(value) for value in expected)
    assert shown[1] + shown[2] == shown[0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Södertälje", "Södertäljes"),
        ("Nacka", "Nackas"),
        ("Botkyrka", "Botkyrkas"),
        ("Luleå", "Luleås"),
        ("Vännäs", "Vännäs"),
        ("Stockholms län", "Stockholms läns"),
        ("Sax", "Sax"),
        ("Falz", "Falz"),
    ],
)
def test_make_genitive(name, expected):
    assert make_genitive(name) == expected


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("foreign_born", "är utrikes född"),
        ("born_in_sweden", "är född i Sverige"),
        ("pre_upper_secondary", "har förgymnasial utbildning"),
        ("upper_secondary", "har gymnasial utbildning"),
        ("post_secondary", "har eftergymnasial utbildning"),
        ("unknown", "saknar uppgift om utbildning"),
        ("18-24", "är unga (18-24 år)"),
        ("55-64", "är 55-64 år"),
        ("other_ages", "är 25-54 år"),
        ("16-19", "är 16-19 år"),
        ("65+", "är 65 år eller äldre"),
    ],
)
def test_describe_group(group, expected):
    assert describe_group(group) == expected


NAMES = {"0181": "Södertälje", "01": "Stockholms län"}


def test_shape_decomposition_table_rows_per_group_and_total():
    table = shape_decomposition_table([ABOVE, AGE], NAMES)
    assert list(table.columns) == TABLE_COLUMNS
    assert table[["Uppdelning", "Grupp"]].values.tolist() == [
        ["Födelseland", "Inrikes födda"],
        ["Födelseland", "Utrikes födda"],
        ["Födelseland", "Totalt"],
        ["Ålder", "18-24 år"],
        ["Ålder", "55-64 år"],
        ["Ålder", "Övriga åldrar (främst 25-54 år)"],
        ["Ålder", "Totalt"],
    ]
    assert set(table["Kommun"]) == {"Södertälje"}
    assert set(table["Jämförelse"]) == {"Stockholms län"}
    foreign = table.iloc[1]
    assert foreign["Andel av arbetskraften (%)"] == pytest.approx(40.0)
    assert foreign["Andel av arbetskraften, jämförelse (%)"] == pytest.approx(25.0)
    assert foreign["Arbetslöshet (%)"] == 20.0
    assert foreign["Arbetslöshet, jämförelse (%)"] == 12.0
    assert foreign["Sammansättning (p.e.)"] == pytest.approx(0.15 * 32 / 2)
    assert foreign["Inom gruppen (p.e.)"] == pytest.approx(8 * 0.65 / 2)
    # Unrounded: the total row carries the sums 1,785 and 4,085 and the rates 11,12 and 5,25.
    total = table.iloc[2]
    assert total[4:].tolist() == pytest.approx([100.0, 100.0, 11.12, 5.25, 1.785, 4.085])
    assert table.iloc[6][4:].tolist() == pytest.approx([100.0, 100.0, 6.7, 5.3, 0.275, 1.125])
    assert all(table[column].dtype == float for column in TABLE_COLUMNS[4:])


def test_shape_decomposition_table_problem_row():
    problem = "källan ger bara andelar, inte antal arbetslösa och arbetskraft per grupp."
    table = shape_decomposition_table([make_problem(problem)], NAMES)
    assert len(table) == 1
    row = table.iloc[0]
    assert row[:4].tolist() == ["Utbildning", problem, "Södertälje", "Stockholms län"]
    assert all(math.isnan(value) for value in row[4:])


def test_shape_decomposition_table_empty():
    table = shape_decomposition_table([], NAMES)
    assert table.empty
    assert list(table.columns) == TABLE_COLUMNS
    assert isinstance(table, pd.DataFrame)
