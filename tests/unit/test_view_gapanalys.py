"""The Gapanalys view on the bundled data: what it offers, and Tabell 1's figures it builds."""

import pytest

from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog
from labourmarket.core.selection import DEFAULT_MUNICIPALITIES, select_rows
from labourmarket.core.store import LoadedData
from labourmarket.views import gapanalys
from labourmarket.views.gapanalys import NO_BENCHMARK, GapanalysChoices
from tests.af_observations import build_rows

AF = "af_inskrivna_andel_rams"
TABELL_1 = list(DEFAULT_MUNICIPALITIES)


def choose(
    data: LoadedData,
    breakdown: str = "age",
    benchmark: str = "01",
    view: str = "table",
    regions: tuple[str, ...] = DEFAULT_MUNICIPALITIES,
    measure_id: str = AF,
    period: str = "2013K3",
    sex: str = "total",
) -> GapanalysChoices:
    rows = select_rows(data.observations, measure_id, period=period)
    return GapanalysChoices(measure_id, period, rows, sex, regions, benchmark, breakdown, view)


def test_offer_opens_on_tabell_1(bundled_data):
    offer = gapanalys.offer(bundled_data, select_rows(bundled_data.observations, AF), AF, "2013K3")
    assert offer.default_regions == TABELL_1
    assert offer.regions.label == "Kommuner"
    assert offer.no_region_notice == "Välj minst en kommun."
    assert set(offer.rows["period"]) == {"2013K3"}


def test_offer_of_a_county_measure_asks_for_a_lan(bundled_data):
    bas = "scb_bas_arbetsloshet_20_64"
    offer = gapanalys.offer(
        bundled_data, select_rows(bundled_data.observations, bas), bas, "2024M12"
    )
    assert (offer.regions.codes, offer.default_regions) == (["01"], ["01"])
    assert offer.no_region_notice == "Välj minst ett län."


@pytest.mark.parametrize(
    ("measure_id", "period", "chosen", "benchmarks", "default", "problem"),
    [
        (AF, "2013K3", TABELL_1, ["01", "00"], "01", None),
        (AF, "2013K3", ["01"], ["00"], "00", None),
        ("scb_integration_arbetsloshet_20_64", "2023", ["0181"], [], "", NO_BENCHMARK),
    ],
    ids=["tabell-1", "county-chosen", "no-benchmark"],
)
def test_comparisons_offer_county_then_country(
    bundled_data, measure_id, period, chosen, benchmarks, default, problem
):
    rows = select_rows(bundled_data.observations, measure_id, period=period)
    comparisons = gapanalys.offer_comparisons(bundled_data, rows, chosen, "total")
    assert (comparisons.benchmarks, comparisons.default_benchmark) == (benchmarks, default)
    assert comparisons.problem == problem
    if problem is None:
        assert comparisons.breakdowns == ["age", "birth_region", "education"]
        assert comparisons.default_breakdown == "age"


@pytest.mark.parametrize(
    ("breakdown", "benchmark", "group", "kommun", "figures"),
    [
        ("birth_region", "01", "Utrikes födda", "Södertälje", [27.0, 15.7, 11.3, 1.72]),
        ("age", "01", "18-24 år", "Södertälje", [18.7, 11.3, 7.4, 1.65]),
        ("age", "01", "Totalt 16-64 år", "Huddinge", [7.3, 7.1, 0.2, 1.03]),
        ("education", "01", "Förgymnasial", "Södertälje", [29.3, 17.2, 12.1, 1.70]),
        ("birth_region", "00", "Utrikes födda", "Södertälje", [27.0, 20.7, 6.3, 1.30]),
    ],
)
def test_table_holds_tabell_1(bundled_data, breakdown, benchmark, group, kommun, figures):
    content = gapanalys.build(bundled_data, choose(bundled_data, breakdown, benchmark))
    name = bundled_data.catalog.region_name(benchmark)
    table = content.table.frame
    row = table[(table["Grupp"] == group) & (table["Kommun"] == kommun)]
    assert list(table.columns) == [
        "Grupp",
        "Kommun",
        "Andel (%)",
        f"{name} (%)",
        f"Skillnad mot {name}",
        f"Kvot mot {name}",
    ]
    assert row.iloc[0, 2:].tolist() == figures
    assert content.charts == ()


def test_table_view_names_its_heading_file_and_sources(bundled_data):
    content = gapanalys.build(bundled_data, choose(bundled_data, "birth_region"))
    assert content.headline.startswith("Störst skillnad")
    assert "utrikes födda i Södertälje har 27,0" in content.headline
    assert "11,3 procentenheter högre" in content.headline
    assert content.heading == (
        "Inskrivna arbetslösa, andel av registerbaserad arbetskraft (%), kv 3 2013, "
        "efter födelseland"
    )
    assert content.file_name == (
        "gapanalys_af_inskrivna_andel_rams_2013K3_0181-0127-0136-0126_01_birth_region"
    )
    assert content.source_line.startswith(
        "Källa: Arbetsförmedlingen, Arbetsmarknadsutsikterna 2013-2014"
    )
    assert (
        content.measure_note.startswith("Mått: ")
        and "Population: 16-64 år." in content.measure_note
    )
    assert content.missing_note is None
    assert len(content.rows) == 42


def test_chart_view_draws_levels_then_gaps(bundled_data):
    content = gapanalys.build(bundled_data, choose(bundled_data, "birth_region", view="chart"))
    levels, gaps = content.charts
    assert (levels.title, levels.file_name) == (content.heading, f"{content.file_name}_niva")
    assert gaps.title == "Skillnad mot Stockholms län i procentenheter"
    assert gaps.file_name == f"{content.file_name}_skillnad"
    bars = {trace.name: list(trace.text) for trace in levels.figure.data}
    assert (bars["Södertälje"][-1], bars["Stockholms län"][-1]) == ("27,0", "15,7")
    differences = {trace.name: list(trace.text) for trace in gaps.figure.data}
    assert differences["Södertälje"][-1] == "+11,3"


def test_a_missing_benchmark_figure_is_explained(bundled_data):
    """Without Riket's figures for the young no gap can be counted there: `..` is explained."""
    observations = bundled_data.observations
    without_country_youth = observations[
        ~((observations["region_code"] == "00") & (observations["age"] == "18-24"))
    ]
    data = LoadedData(without_country_youth, bundled_data.catalog, bundled_data.manifest)
    content = gapanalys.build(data, choose(data, "age", "00"))
    assert content.missing_note == (
        "..: värde saknas eller är undertryckt; ingen skillnad kan räknas där."
    )


@pytest.mark.parametrize(
    ("sex", "suffix", "figures"),
    [("total", "", [11.6, 10.0, 1.6]), ("men", ", män", [13.0, 10.8, 2.2])],
)
def test_one_sex_is_named_in_heading_rows_and_file(sex, suffix, figures):
    """TEST DATA (tests/af_observations.py): Haninge 18-24, juni 2024, against the county."""
    rows = build_rows()
    data = LoadedData(rows, load_catalog(paths.REPO_DIR / "data" / "reference"), {})
    measure_id = "af_inskrivna_andel_bas"
    choices = choose(data, regions=("0136",), measure_id=measure_id, period="2024M06", sex=sex)
    content = gapanalys.build(data, choices)
    assert content.heading.endswith(f"juni 2024, efter ålder{suffix}")
    assert content.file_name.endswith("_01_age" + (f"_{sex}" if sex != "total" else ""))
    table = content.table.frame
    assert table.loc[table["Grupp"] == f"18-24 år{suffix}"].iloc[0, 2:5].tolist() == figures
