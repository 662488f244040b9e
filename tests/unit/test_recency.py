"""Figures older than their publisher's newest in the data: found, said, and shown on the views."""

import pandas as pd
import pytest

from labourmarket.core.recency import NewerFigures, find_newer_figures, summarise_newest_periods
from labourmarket.core.selection import DEFAULT_MUNICIPALITIES, select_rows
from labourmarket.output.sentences import describe_newer_figures
from labourmarket.views import gapanalys, oversikt
from labourmarket.views.oversikt import OversiktChoices

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
