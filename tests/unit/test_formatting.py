"""Swedish formats: decimal comma, signed gaps, periods and labels."""

import pytest

from labourmarket.core.periods import parse_period
from labourmarket.output.formatting import (
    GROUP_LABELS,
    format_gap,
    format_group,
    format_number,
    format_percent,
    format_period,
    sort_key_sv,
)

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (27.0, 1, "27,0"),
        (14.46, 1, "14,5"),
        (11.299999999999999, 1, "11,3"),
        (1234567.5, 1, f"1{NBSP}234{NBSP}567,5"),
        (4938702.0, 0, f"4{NBSP}938{NBSP}702"),
        (None, 1, ".."),
        (float("nan"), 1, ".."),
    ],
)
def test_format_number(value, decimals, expected):
    assert format_number(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (11.3, f"+11,3{NBSP}p.e."),
        (-0.4, f"\u22120,4{NBSP}p.e."),
        (0.0, f"±0,0{NBSP}p.e."),
        (0.04, f"±0,0{NBSP}p.e."),
        (None, ".."),
    ],
)
def test_format_gap(value, expected):
    assert format_gap(value) == expected


def test_format_percent_puts_space_before_sign():
    assert format_percent(14.5) == f"14,5{NBSP}%"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2013K3", "kv 3 2013"),
        ("2024M10", "oktober 2024"),
        ("2024M01", "januari 2024"),
        ("2023", "2023"),
    ],
)
def test_format_period(code, expected):
    assert format_period(code) == expected


@pytest.mark.parametrize(
    ("code", "frequency", "start"),
    [("2013K3", "Q", "2013-07-01"), ("2024M10", "M", "2024-10-01"), ("2023", "A", "2023-01-01")],
)
def test_parse_period(code, frequency, start):
    period = parse_period(code)
    assert (period.frequency, period.start.isoformat()) == (frequency, start)


@pytest.mark.parametrize("code", ["2013Q3", "2024M13", "13K3", "2013K5", ""])
def test_parse_period_rejects_unknown_codes(code):
    with pytest.raises(ValueError, match="unknown period code"):
        parse_period(code)


@pytest.mark.parametrize(
    ("dimension", "code", "expected"),
    [
        ("age", "total", "Totalt 16-64 år"),
        ("age", "18-24", "18-24 år"),
        ("birth_region", "foreign_born", "Utrikes födda"),
        ("education", "pre_upper_secondary", "Förgymnasial"),
    ],
)
def test_format_group(dimension, code, expected):
    assert format_group(dimension, code, "16-64 år") == expected


def test_sort_key_sv_follows_the_swedish_alphabet():
    names = ["Örebro", "Ale", "Älmhult", "Åre", "Södertälje", "Sala"]
    assert sorted(names, key=sort_key_sv) == [
        "Ale",
        "Sala",
        "Södertälje",
        "Åre",
        "Älmhult",
        "Örebro",
    ]


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(2.25, 1, "2,3"), (0.125, 2, "0,13"), (-2.25, 1, "\u22122,3"), (7.35, 1, "7,4")],
)
def test_format_number_rounds_half_up_like_statistical_tables(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_every_group_code_has_a_label():
    from labourmarket.core.schema import GROUP_CODES

    for dimension, codes in GROUP_CODES.items():
        # The total of birth region and education is labelled by format_group ("Totalt 16-64 år").
        labelled = set(GROUP_LABELS[dimension]) | ({"total"} if dimension != "sex" else set())
        assert set(codes) <= labelled, dimension
