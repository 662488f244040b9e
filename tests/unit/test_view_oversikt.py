"""The Översikt view on the bundled data: each card's figures, gaps, trend and targets."""

import pandas as pd
import pytest

from labourmarket.core import paths
from labourmarket.core.selection import DEFAULT_MUNICIPALITIES, select_rows
from labourmarket.core.store import LoadedData
from labourmarket.core.targets import TARGETS_FILE, evaluate, load_targets
from labourmarket.output.formatting import format_gap
from labourmarket.views import oversikt
from labourmarket.views.oversikt import NO_FIGURES, OversiktChoices

NBSP = "\u00a0"
AF = "af_inskrivna_andel_rams"
INTEGRATION = "scb_integration_arbetsloshet_20_64"
BAS = "scb_bas_arbetsloshet_20_64"


@pytest.fixture(scope="module")
def targets(bundled_data):
    reference = paths.REPO_DIR / "data" / "reference"
    return tuple(load_targets(bundled_data.catalog, reference / TARGETS_FILE))


@pytest.fixture(scope="module")
def results(bundled_data, targets):
    return evaluate(bundled_data.observations, list(targets), bundled_data.catalog)


def choose(
    data: LoadedData,
    measure_id: str,
    regions: tuple[str, ...] = DEFAULT_MUNICIPALITIES,
    targets: tuple = (),
    results: pd.DataFrame | None = None,
) -> OversiktChoices:
    series = select_rows(data.observations, measure_id)
    judged = pd.DataFrame(columns=["target_id"]) if results is None else results
    return OversiktChoices(measure_id, series, "total", regions, targets, judged)


def read_metrics(content) -> list[dict[str, str]]:
    return [dict(card.metrics) for card in content.cards]


@pytest.mark.parametrize(
    ("region", "level", "county", "country"),
    [
        ("0181", "14,5", "+7,4", "+6,0"),
        ("0127", "12,9", "+5,8", "+4,4"),
        ("0136", "7,7", "+0,6", "\u22120,8"),
        ("0126", "7,3", "+0,2", "\u22121,2"),
    ],
)
def test_cards_show_tabell_1_level_and_gaps(bundled_data, region, level, county, country):
    content = oversikt.build(bundled_data, choose(bundled_data, AF, (region,)))
    (card,) = content.cards
    assert card.notice is None
    assert card.metrics == (
        ("Nivå", f"{level}{NBSP}%"),
        ("Mot Stockholms län", f"{county}{NBSP}p.e."),
        ("Mot riket", f"{country}{NBSP}p.e."),
    )
    assert card.caption == "Period: kv 3 2013 · Utveckling: bara en period i datan, ingen trend"


def test_cards_follow_the_chosen_order_and_name_the_sources(bundled_data):
    content = oversikt.build(bundled_data, choose(bundled_data, AF))
    assert [card.region_name for card in content.cards] == [
        "Södertälje",
        "Botkyrka",
        "Haninge",
        "Huddinge",
    ]
    assert content.source_line.startswith(
        "Källa: Arbetsförmedlingen, Arbetsmarknadsutsikterna 2013-2014"
    )
    assert content.measure_note == (
        "Mått: Inskrivna arbetslösa, andel av registerbaserad arbetskraft (%). "
        "Målen utvärderas på sina egna mått; se sidan Mål."
    )


def test_a_series_gives_a_trend_and_no_county_figure(bundled_data):
    content = oversikt.build(bundled_data, choose(bundled_data, INTEGRATION, ("0136",)))
    (card,) = content.cards
    assert card.metrics == (
        ("Nivå", f"12,1{NBSP}%"),
        ("Mot Stockholms län", ".."),
        ("Mot riket", ".."),
    )
    assert card.gap_note == (
        "Mot Stockholms län: måttet har inga värden för länet. "
        "Mot riket: måttet har inga värden för riket."
    )
    assert card.caption == f"Period: 2023 · Utveckling: ↓ \u22120,1{NBSP}p.e. sedan 2022"


LEVEL_01, LEVEL_00 = f"5,3{NBSP}%", f"5,5{NBSP}%"  # BAS, december 2024


@pytest.mark.parametrize(
    ("region", "dropped", "metrics", "note"),
    [
        # A county is not compared with itself: no "Mot länet" on Stockholms län's card.
        ("01", None, (("Nivå", LEVEL_01), ("Mot riket", format_gap(-0.2))), None),
        # The country's card has nothing to compare with.
        ("00", None, (("Nivå", LEVEL_00),), None),
        # Riket has BAS figures, but none for December 2024 here: say why the gap is "..".
        (
            "01",
            ("00", "2024M12"),
            (("Nivå", LEVEL_01), ("Mot riket", "..")),
            "Mot riket: uppgift saknas för riket december 2024.",
        ),
    ],
    ids=["county", "country", "country-missing"],
)
def test_cards_compare_only_where_a_comparison_exists(bundled_data, region, dropped, metrics, note):
    data = bundled_data
    if dropped is not None:
        observations = data.observations
        keep = ~(
            (observations["region_code"] == dropped[0]) & (observations["period"] == dropped[1])
        )
        data = LoadedData(observations[keep], data.catalog, data.manifest, data.version)
    (card,) = oversikt.build(data, choose(data, BAS, (region,))).cards
    assert (card.metrics, card.gap_note) == (metrics, note)


def test_a_region_without_figures_says_so(bundled_data):
    content = oversikt.build(bundled_data, choose(bundled_data, AF, ("0180",)))
    (card,) = content.cards
    assert (card.region_name, card.notice, card.metrics) == ("Stockholm", NO_FIGURES, ())


@pytest.mark.parametrize(
    ("region", "lines"),
    [
        (
            "0136",
            [
                # kv 3 2013 is before the 2020 strategy: shown, not judged.
                "- ? **Kan inte bedömas** — Arbetslösheten ska inte vara högre än länets genomsnitt"
                " *(kv 3 2013 ligger före strategiperioden, som börjar 2020)*",
                "- ? **Kan inte bedömas** — Ungas arbetslöshet ska inte vara högre än länets"
                " *(kv 3 2013 ligger före strategiperioden, som börjar 2020)*",
            ],
        ),
        (
            "0181",
            [
                "- ? **Kan inte bedömas** — Ungdomsarbetslösheten ska minska",
                "- ? **Kan inte bedömas** — Utrikes föddas arbetslöshet ska inte vara högre än"
                " länets *(kv 3 2013 ligger före strategiperioden, som börjar 2014)*",
            ],
        ),
    ],
)
def test_cards_list_their_own_targets_worst_first(bundled_data, targets, results, region, lines):
    choices = choose(bundled_data, AF, (region,), targets, results)
    (card,) = oversikt.build(bundled_data, choices).cards
    shown = card.targets.splitlines()
    positions = [next(i for i, line in enumerate(shown) if line.startswith(s)) for s in lines]
    assert positions == sorted(positions)


def test_a_region_without_targets_lists_none(bundled_data, targets, results):
    choices = choose(bundled_data, AF, ("0126",), targets, results)
    assert oversikt.build(bundled_data, choices).cards[0].targets is None


@pytest.mark.parametrize(
    ("measure_id", "label", "defaults", "notice"),
    [
        (AF, "Kommuner", list(DEFAULT_MUNICIPALITIES), "Välj minst en kommun."),
        ("scb_bas_arbetsloshet_20_64", "Län", ["01"], "Välj minst ett län."),
    ],
)
def test_offer_defaults_to_tabell_1_or_the_lan(bundled_data, measure_id, label, defaults, notice):
    offer = oversikt.offer(bundled_data, select_rows(bundled_data.observations, measure_id))
    assert (offer.regions.label, offer.default_regions) == (label, defaults)
    assert offer.no_region_notice == notice
