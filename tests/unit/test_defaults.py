"""Defaults and choices on monthly AF-shaped TEST DATA: newest measure, region offer, sex."""

import pandas as pd
import pytest

from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog
from labourmarket.core.defaults import (
    pick_default_measure,
    pick_default_period,
    pick_longest_measure,
    pick_pack_period,
    summarise_coverage,
)
from labourmarket.core.gaps import compute_gaps
from labourmarket.core.periods import parse_period
from labourmarket.core.ranking import compute_gap_profile, list_group_keys
from labourmarket.core.region_offer import offer_regions
from labourmarket.core.selection import DEFAULT_MUNICIPALITIES
from labourmarket.output.sentences import describe_group_clause
from labourmarket.views.gapanalys import list_breakdowns, list_sexes
from labourmarket.views.oversikt import build_card
from tests.af_observations import build_rows

CATALOG = load_catalog(paths.REPO_DIR / "data" / "reference")
AF = build_rows()
BAS = "af_inskrivna_andel_bas"
JUNE = AF[(AF["measure_id"] == BAS) & (AF["period"] == "2024M06")]
TABELL_1 = list(DEFAULT_MUNICIPALITIES)


def coverage_with(*extra: tuple[str, str, str]) -> pd.DataFrame:
    """The test data's coverage plus (measure, region, period) figures of other measures."""
    added = pd.DataFrame(
        [
            {
                "measure_id": measure,
                "region_code": region,
                "period": period,
                "period_start": pd.Timestamp(parse_period(period).start),
                "value": 1.0,
            }
            for measure, region, period in extra
        ],
        columns=["measure_id", "region_code", "period", "period_start", "value"],
    )
    frame = AF[["measure_id", "region_code", "period", "period_start", "value"]]
    return summarise_coverage(pd.concat([frame, added], ignore_index=True))


INTEGRATION = "scb_integration_arbetsloshet_20_64"
REG = "af_inskrivna_andel_reg"


@pytest.mark.parametrize(
    ("extra", "region", "needs_benchmark", "expected"),
    [
        ((), "0181", False, BAS),
        ((), "0331", False, BAS),
        # A year ends after its last month: 2024 is newer than juni 2024.
        (((INTEGRATION, "0181", "2024"),), "0181", False, INTEGRATION),
        # Gapanalys needs a county or country figure, which the integration extract lacks.
        (((INTEGRATION, "0181", "2024"),), "0181", True, BAS),
        # Equally new: the stated preference decides (BAS before the register-based share).
        (((REG, "0181", "2024M06"),), "0181", False, BAS),
        (((REG, "0181", "2024M06"), (INTEGRATION, "0181", "2024M06")), "0181", False, BAS),
        # No measure for the kommun (Huddinge): the newest of any region decides.
        ((), "0126", False, BAS),
    ],
    ids=[
        "newest",
        "heby",
        "newer-year",
        "gap-page",
        "preference",
        "preference-over-others",
        "no-figures-for-kommun",
    ],
)
def test_pick_default_measure(extra, region, needs_benchmark, expected):
    coverage = coverage_with(*extra)
    assert pick_default_measure(coverage, CATALOG, region, needs_benchmark) == expected


@pytest.mark.parametrize(
    ("regions", "expected"),
    [
        # Tabell 1's kommuner: eight years of integration statistics beat one quarter of Tabell 1.
        (TABELL_1, INTEGRATION),
        # The comparison set is what counts: Nykvarn has no Tabell 1 figure.
        (["0140"], INTEGRATION),
        # Only BAS has the county: 60 months.
        (["01"], "scb_bas_arbetsloshet_20_64"),
        # No measure covers Malmö: the measure covering most regions.
        (["1280"], INTEGRATION),
    ],
    ids=["tabell-1", "nykvarn", "county", "no-figures"],
)
def test_a_trend_opens_on_the_longest_series(bundled_data, regions, expected):
    coverage = summarise_coverage(bundled_data.observations)
    assert pick_longest_measure(coverage, bundled_data.catalog, regions) == expected


def test_one_period_loses_to_a_shorter_span_with_a_trend():
    """One year (a single period) against three months: only the months draw a line."""
    months = [(REG, "0114", f"2024M0{month}") for month in (1, 2, 3)]
    coverage = coverage_with((INTEGRATION, "0114", "2024"), *months)
    vasby = coverage[coverage["region_code"] == "0114"].set_index("measure_id")
    assert vasby["periods"].to_dict() == {INTEGRATION: 1, REG: 3}
    assert pick_longest_measure(coverage, CATALOG, ["0114"]) == REG


def test_a_newer_count_is_never_the_default_of_a_page_of_shares():
    """af_utan_arbete_over_12 has juli 2024, a month after the shares; the pack's period too."""
    coverage = coverage_with()
    assert pick_default_measure(coverage, CATALOG, "0181") == BAS
    assert pick_default_period(coverage, BAS, "0181") == "2024M06"
    assert pick_pack_period(coverage, CATALOG, "0181", ["2024M07", "2024M06"]) == "2024M06"


@pytest.mark.parametrize(
    ("rows", "codes", "caption"),
    [
        (
            JUNE,
            ["0127", "0136", "0331", "1280", "0181", "0380"],
            "6 av 290 kommuner har värden för måttet och perioden. Källan saknar värden för "
            "övriga 284: de visas inte i listan och kan inte sökas fram.",
        ),
        (
            JUNE[JUNE["region_code"].isin(["01", "03", "12", "00"])],
            ["12", "01", "03"],
            "3 av 21 län har värden för måttet och perioden. Källan täcker bara Skåne län, "
            "Stockholms län och Uppsala län; övriga 18 visas inte i listan och kan inte sökas "
            "fram.",
        ),
    ],
    ids=["kommuner", "lan"],
)
def test_offer_regions_counts_those_with_figures(rows, codes, caption):
    offer = offer_regions(rows, CATALOG, "måttet och perioden")
    assert offer.codes == codes
    assert offer.caption.startswith(caption)


@pytest.mark.parametrize(
    ("measure_id", "caption", "placeholder"),
    [
        (
            "scb_integration_arbetsloshet_20_64",
            "26 av 290 kommuner har värden för måttet. Källan täcker bara kommunerna i "
            "Stockholms län; övriga 264 visas inte i listan och kan inte sökas fram. Grupper där "
            "ingen kommun har värden (20 st) visas inte i gruppvalet.",
            "Välj kommuner",
        ),
        (
            "af_inskrivna_andel_rams",
            "4 av 290 kommuner har värden för måttet. Källan täcker bara Botkyrka, Haninge, "
            "Huddinge och Södertälje; övriga 286 visas inte i listan och kan inte sökas fram. "
            "Grupper där ingen kommun har värden (20 st) visas inte i gruppvalet.",
            "Välj kommuner",
        ),
        (
            "scb_bas_arbetsloshet_20_64",
            "1 av 21 län har värden för måttet. Källan täcker bara Stockholms län; övriga 20 "
            "visas inte i listan och kan inte sökas fram.",
            "Välj län",
        ),
    ],
    ids=["integration", "tabell-1", "bas"],
)
def test_the_caption_says_why_a_region_cannot_be_found(
    bundled_data, measure_id, caption, placeholder
):
    """A search for a kommun without figures finds nothing: the caption says what the source
    covers, and the empty picker speaks Swedish."""
    rows = bundled_data.observations
    offer = offer_regions(rows[rows["measure_id"] == measure_id], bundled_data.catalog, "måttet")
    assert (offer.caption, offer.placeholder) == (caption, placeholder)


def test_offer_groups_say_how_many_have_figures():
    offer = offer_regions(JUNE, CATALOG, "måttet och perioden")
    assert offer.groups == {
        "sodertorn": "Södertörn (3 av 8 med data)",
        "lan_01": "Kommunerna i Stockholms län (3 av 26 med data)",
        "lan_03": "Kommunerna i Uppsala län (2 av 8 med data)",
        "lan_12": "Kommunerna i Skåne län (1 av 33 med data)",
        "alla": "Alla (6 av 290 med data)",
    }
    assert offer.hidden_groups == 18


@pytest.mark.parametrize(
    ("rows", "sexes"),
    [(JUNE, ["women", "men", "total"]), (JUNE[JUNE["sex"] == "total"], [])],
    ids=["split", "totals-only"],
)
def test_a_sex_choice_only_where_the_rows_are_split(rows, sexes):
    assert list_sexes(rows) == sexes


@pytest.mark.parametrize(
    ("sex", "value", "benchmark", "gap"),
    [("total", 11.6, 10.0, 1.6), ("women", 10.2, 9.2, 1.0), ("men", 13.0, 10.8, 2.2)],
)
def test_gaps_are_of_the_chosen_sex(sex, value, benchmark, gap):
    gaps = compute_gaps(JUNE, ["0136"], "01", "age", sex=sex)
    row = gaps[gaps["group"] == "18-24"].iloc[0]
    assert (row["value"], row["benchmark_value"], row["gap_pp"]) == (value, benchmark, gap)
    assert list_breakdowns(JUNE, sex) == ["age", "birth_region", "education"]


@pytest.mark.parametrize(("sex", "value", "gap"), [("total", 7.0, 1.0), ("men", 7.3, 1.0)])
def test_overview_card_is_of_the_chosen_sex(sex, value, gap):
    card = build_card(AF, CATALOG, BAS, "0136", sex)
    assert (card.period, card.value, card.gap_county) == ("2024M06", value, gap)


def test_the_profile_of_men_shows_men_in_every_group():
    profile = compute_gap_profile(JUNE, "0136", "01", BAS, "2024M06", sex="men")
    young = profile[profile["group"] == "18-24"].iloc[0]
    assert (young["value"], young["benchmark_value"], young["gap_pp"]) == (13.0, 10.8, 2.2)
    assert profile.loc[profile["dimension"] == "sex", "group"].tolist() == ["men"]
    assert "sex:men" not in list_group_keys(JUNE, "men")


@pytest.mark.parametrize(
    ("group", "phrase"),
    [
        ({"sex": "men", "age": "18-24"}, " bland män i åldern 18-24 år"),
        ({"sex": "women", "birth_region": "foreign_born"}, " bland utrikes födda kvinnor"),
        (
            {"sex": "men", "education": "pre_upper_secondary"},
            " bland män med förgymnasial utbildning",
        ),
        ({"sex": "women"}, " bland kvinnor"),
        ({"sex": "total", "age": "18-24"}, " i åldern 18-24 år"),
    ],
)
def test_a_sentence_names_sex_and_group(group, phrase):
    assert describe_group_clause(group) == phrase
