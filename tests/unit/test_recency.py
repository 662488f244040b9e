"""Figures older than their publisher's newest in the data: found, said, and shown on the views."""

from dataclasses import replace

import pandas as pd
import pytest

from labourmarket.core import paths
from labourmarket.core.recency import NewerFigures, find_newer_figures, summarise_newest_periods
from labourmarket.core.selection import DEFAULT_MUNICIPALITIES, select_rows
from labourmarket.core.store import LoadedData
from labourmarket.core.targets import evaluate, load_targets
from labourmarket.output.sentences import describe_newer_figures
from labourmarket.views import gapanalys, jamfor, mal, oversikt, utveckling
from labourmarket.views.mal import MalChoices
from labourmarket.views.oversikt import OversiktChoices
from labourmarket.views.utveckling import UtvecklingChoices

AF = "af_inskrivna_andel_rams"
BAS = "scb_bas_arbetsloshet_20_64"
INTEGRATION = "scb_integration_arbetsloshet_20_64"
BAS_NOTICE = (
    "Nyare siffror finns: SCB har värden till och med december 2024 "
    "(Arbetslöshet enligt BAS, 20-64 år (%))."
)


def test_newest_period_per_measure_in_the_bundled_data(bundled_data):
    newest = summarise_newest_periods(bundled_data.observations)
    assert newest.to_dict() == {AF: "2013K3", BAS: "2024M12", INTEGRATION: "2023"}


@pytest.mark.parametrize(
    ("measure_id", "period", "expected"),
    [
        # Both SCB: the integration statistics' 2023 ends a year before BAS's December 2024.
        (INTEGRATION, "2023", NewerFigures("SCB", "2024M12", (BAS,))),
        (INTEGRATION, "2016", NewerFigures("SCB", "2024M12", (BAS,))),
        # An older month of the measure itself: the measure itself is named.
        (BAS, "2023M06", NewerFigures("SCB", "2024M12", (BAS,))),
        (BAS, "2024M12", None),
        # Arbetsförmedlingen's only measure in the bundled data is Tabell 1.
        (AF, "2013K3", None),
    ],
)
def test_find_newer_figures(bundled_data, measure_id, period, expected):
    found = find_newer_figures(bundled_data.observations, bundled_data.catalog, measure_id, period)
    assert found == expected


def test_a_missing_figure_is_not_a_newer_figure(bundled_data):
    """BAS with its 2024 figures blanked ends in December 2023, as old as the 2023 shown."""
    observations = bundled_data.observations
    in_2024 = (observations["measure_id"] == BAS) & (observations["period"].str.startswith("2024"))
    blanked = observations.assign(value=observations["value"].mask(in_2024))
    assert summarise_newest_periods(blanked)[BAS] == "2023M12"
    assert find_newer_figures(blanked, bundled_data.catalog, INTEGRATION, "2023") is None


def test_periods_are_compared_by_their_end(bundled_data):
    """December 2023 ends with the year 2023: not newer than it."""
    observations = bundled_data.observations
    before_2024 = observations[~observations["period"].str.startswith("2024")]
    assert find_newer_figures(before_2024, bundled_data.catalog, INTEGRATION, "2023") is None
    found = find_newer_figures(before_2024, bundled_data.catalog, INTEGRATION, "2022")
    # The year 2023 and December 2023 end together: the shown measure is named first.
    assert found == NewerFigures("SCB", "2023", (INTEGRATION, BAS))


def test_an_empty_table_has_nothing_newer(bundled_data):
    empty = bundled_data.observations.iloc[0:0]
    assert summarise_newest_periods(empty).empty
    assert find_newer_figures(empty, bundled_data.catalog, INTEGRATION, "2023") is None


@pytest.mark.parametrize(
    ("newer", "sentence"),
    [
        (NewerFigures("SCB", "2024M12", (BAS,)), BAS_NOTICE),
        (
            NewerFigures("SCB", "2024M12", (BAS, "scb_bas_arbetsloshet_16_64")),
            "Nyare siffror finns: SCB har värden till och med december 2024 "
            "(Arbetslöshet enligt BAS, 20-64 år (%); Arbetslöshet enligt BAS, 16-64 år (%)).",
        ),
        (
            NewerFigures("Arbetsförmedlingen", "2014K1", (AF,)),
            "Nyare siffror finns: Arbetsförmedlingen har värden till och med kv 1 2014 "
            "(Inskrivna arbetslösa, andel av registerbaserad arbetskraft (%)).",
        ),
    ],
)
def test_describe_newer_figures(bundled_data, newer, sentence):
    assert describe_newer_figures(newer, bundled_data.catalog) == sentence


@pytest.mark.parametrize(
    ("measure_id", "period", "notice"),
    [(INTEGRATION, "2023", BAS_NOTICE), (BAS, "2024M12", None), (AF, "2013K3", None)],
)
def test_gapanalys_offer_carries_the_notice(bundled_data, measure_id, period, notice):
    series = select_rows(bundled_data.observations, measure_id)
    offer = gapanalys.offer(bundled_data, series, measure_id, period)
    assert offer.newer_notice == notice


@pytest.mark.parametrize(
    ("measure_id", "regions", "notice"),
    [
        (INTEGRATION, DEFAULT_MUNICIPALITIES, BAS_NOTICE),
        (BAS, ("01",), None),
        (AF, DEFAULT_MUNICIPALITIES, None),
        # A card without figures shows no period, so nothing is older than anything.
        (INTEGRATION, ("0980",), None),
    ],
)
def test_oversikt_content_carries_the_notice(bundled_data, measure_id, regions, notice):
    series = select_rows(bundled_data.observations, measure_id)
    judged = pd.DataFrame(columns=["target_id"])
    choices = OversiktChoices(measure_id, series, "total", regions, (), judged)
    assert oversikt.build(bundled_data, choices).newer_notice == notice


AF_LATER_NOTICE = (
    "Nyare siffror finns: Arbetsförmedlingen har värden till och med kv 4 2013 "
    "(Inskrivna arbetslösa, andel av registerbaserad arbetskraft (%))."
)


@pytest.mark.parametrize(
    ("measure_id", "regions", "first", "last", "notice"),
    [
        (INTEGRATION, ["0181"], "2016", "2023", BAS_NOTICE),
        # A range picked backwards still ends in 2023.
        (INTEGRATION, ["0181"], "2023", "2016", BAS_NOTICE),
        # The shown range ends before the measure's own newest month: the measure is named.
        (BAS, ["01"], "2023M01", "2023M06", BAS_NOTICE),
        (BAS, ["01"], "2023M06", "2024M12", None),
        (AF, ["0181"], "2013K3", "2013K3", None),
    ],
)
def test_utveckling_content_carries_the_notice(
    bundled_data, measure_id, regions, first, last, notice
):
    series = select_rows(bundled_data.observations, measure_id)
    choices = UtvecklingChoices(
        measure_id, series, "total", "total", regions, first, last, "table", "value", []
    )
    assert utveckling.build(bundled_data, choices).newer_notice == notice


@pytest.mark.parametrize(
    ("measure_id", "period", "nothing_to_rank", "notice"),
    [
        (INTEGRATION, "2023", False, BAS_NOTICE),
        # BAS has no kommun figures: the notice is said beside the one that nothing is ranked.
        (BAS, "2023M06", True, BAS_NOTICE),
        (BAS, "2024M12", True, None),
        (AF, "2013K3", False, None),
    ],
)
def test_jamfor_offer_carries_the_notice(bundled_data, measure_id, period, nothing_to_rank, notice):
    series = select_rows(bundled_data.observations, measure_id)
    offer = jamfor.offer(bundled_data, series, measure_id, period)
    assert (offer.notice is not None, offer.newer_notice) == (nothing_to_rank, notice)


def add_later_quarter(data: LoadedData, value: float | None) -> LoadedData:
    """Botkyrka's Tabell 1 rows copied to kv 4 2013, where no target's kommun has a figure."""
    observations = data.observations
    rows = observations[
        (observations["measure_id"] == AF) & (observations["region_code"] == "0127")
    ]
    later = rows.assign(
        period="2013K4",
        period_start=pd.Timestamp("2013-10-01"),
        value=rows["value"] if value is None else value,
    )
    return replace(data, observations=pd.concat([observations, later], ignore_index=True))


@pytest.mark.parametrize(
    ("region", "later_quarter", "notices"),
    [
        # Every judged target is on Tabell 1, kv 3 2013: Arbetsförmedlingen's newest.
        ("0136", None, ()),
        ("0181", None, ()),
        # Botkyrka has kv 4 2013; Haninge's and Södertälje's targets are still judged on kv 3.
        ("0136", "figures", (AF_LATER_NOTICE,)),
        ("0181", "figures", (AF_LATER_NOTICE,)),
        # Blank figures are not newer figures.
        ("0181", "blank", ()),
    ],
)
def test_mal_content_carries_the_notice_once(bundled_data, region, later_quarter, notices):
    data = bundled_data
    if later_quarter is not None:
        data = add_later_quarter(data, float("nan") if later_quarter == "blank" else None)
    targets = load_targets(data.catalog, paths.REPO_DIR / "data" / "reference" / "targets.toml")
    judged = evaluate(data.observations, targets, data.catalog)
    content = mal.build(data, MalChoices(region, tuple(targets), judged))
    assert content.newer_notices == notices
