"""Long and repeated lists in links: each code counts once, Översikt and Utveckling take at most
20 regions, and a notice says how many were left out. Untimed: the counts are the criterion."""

import pytest

from labourmarket.core.link_lists import (
    DRAWN_AT_MOST,
    cap_choices,
    describe_dropped,
    split_link_list,
)
from tests.app.conftest import GAP, OVERVIEW, open_page

TREND = "app_pages/utveckling.py"
INTEGRATION = "scb_integration_arbetsloshet_20_64"
NBSP = "\u00a0"
# The 26 kommuner of Stockholms län, which the bundled integration statistics cover.
STOCKHOLM = [
    *("0181", "0127", "0136", "0126", "0114", "0115", "0117", "0120", "0123", "0125", "0128"),
    *("0138", "0139", "0140", "0160", "0162", "0163", "0180", "0182", "0183", "0184", "0186"),
    *("0187", "0188", "0191", "0192"),
]
REPEATED = ",".join(["0181"] * 2000)
REPEATS_NOTE = (
    f"Länken angav samma val flera gånger för ”Kommuner”: 1{NBSP}999 upprepningar togs bort."
)
OVER_NOTE = (
    "Länken angav 26 val för ”Kommuner”, men sidan visar högst 20 åt gången: de 6 sista visas inte."
)


@pytest.mark.parametrize(
    ("text", "codes", "repeated"),
    [
        (REPEATED, ["0181"], 1999),
        ("0181,,0127,0181,0127", ["0181", "0127"], 2),
        ("", [], 0),
        (None, [], 0),
    ],
)
def test_a_link_list_counts_each_code_once(text, codes, repeated):
    assert split_link_list(text) == (codes, repeated)


@pytest.mark.parametrize(
    ("codes", "limit", "kept", "left_out"),
    [
        (STOCKHOLM, 20, STOCKHOLM[:20], 6),
        (STOCKHOLM, None, STOCKHOLM, 0),
        (["0181"], 20, ["0181"], 0),
    ],
)
def test_a_list_is_cut_at_the_limit(codes, limit, kept, left_out):
    assert cap_choices(codes, limit) == (kept, left_out)


def test_nothing_left_out_is_no_notice():
    assert describe_dropped("Kommuner", 0, 0, 20) is None


def list_infos(at) -> list[str]:
    return [info.value for info in at.info]


@pytest.mark.parametrize("page", [OVERVIEW, TREND])
def test_a_code_repeated_2000_times_is_one_region(built_tree, page):
    """Before: 2 000 cards (165 s on Översikt)."""
    at = open_page(page, measure=INTEGRATION, regions=REPEATED)
    assert not at.exception
    assert at.multiselect(key="regions").value == ["0181"]
    if page == OVERVIEW:
        assert [m.value for m in at.metric if m.label == "Nivå"] == [f"16,6{NBSP}%"]
    assert REPEATS_NOTE in list_infos(at)


@pytest.mark.parametrize("page", [OVERVIEW, TREND])
def test_a_link_to_26_kommuner_opens_with_20(built_tree, page):
    at = open_page(page, measure=INTEGRATION, regions=",".join(STOCKHOLM))
    assert not at.exception
    assert at.multiselect(key="regions").value == STOCKHOLM[:DRAWN_AT_MOST]
    if page == OVERVIEW:
        assert len([m for m in at.metric if m.label == "Nivå"]) == DRAWN_AT_MOST
    assert OVER_NOTE in list_infos(at)


def test_repeats_of_many_codes_are_cut_and_both_said(built_tree):
    at = open_page(OVERVIEW, measure=INTEGRATION, regions=",".join(STOCKHOLM * 77))
    assert not at.exception
    assert at.multiselect(key="regions").value == STOCKHOLM[:DRAWN_AT_MOST]
    repeats = (
        f"Länken angav samma val flera gånger för ”Kommuner”: 1{NBSP}976 upprepningar togs bort."
    )
    assert f"{repeats} {OVER_NOTE}" in list_infos(at)


def test_a_page_without_a_limit_still_counts_each_code_once(built_tree):
    at = open_page(GAP, measure=INTEGRATION, regions=REPEATED)
    assert not at.exception
    assert at.multiselect(key="regions").value == ["0181"]
    assert REPEATS_NOTE in list_infos(at)


def test_thousands_of_unknown_codes_are_counted_not_listed(built_tree):
    unknown = [f"{9000 + n}" for n in range(2000)]
    at = open_page(OVERVIEW, measure=INTEGRATION, regions=",".join(["0181", *unknown]))
    assert not at.exception
    assert at.multiselect(key="regions").value == ["0181"]
    (warning,) = [w.value for w in at.warning]
    assert warning == (
        "Länken angav '9000', '9001', '9002', '9003', '9004' och 1\u00a0995 till för ”Kommuner”, "
        "som inte kan visas här. Visar Södertälje i stället."
    )
