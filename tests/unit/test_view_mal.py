"""The Mål view on the bundled data: each kommun's targets judged on Tabell 1, drawn and sourced."""

import pytest

from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog
from labourmarket.core.selection import Group, select_rows
from labourmarket.core.targets import evaluate, load_targets
from labourmarket.views import mal
from labourmarket.views.mal import MalChoices

NBSP = "\u00a0"
REFERENCE = paths.REPO_DIR / "data" / "reference"
AF = "af_inskrivna_andel_rams"
TABELL_1_SOURCE = "Källa: Arbetsförmedlingen, Arbetsmarknadsutsikterna 2013-2014 Stockholms län"


@pytest.fixture(scope="module")
def targets():
    return load_targets(load_catalog(REFERENCE), REFERENCE / "targets.toml")


@pytest.fixture(scope="module")
def judged(bundled_data, targets):
    return evaluate(bundled_data.observations, targets, bundled_data.catalog)


def build(bundled_data, targets, judged, region: str) -> mal.MalContent:
    return mal.build(bundled_data, MalChoices(region, tuple(targets), judged))


def test_offer_lists_the_kommuner_with_targets_by_name(bundled_data, targets):
    assert mal.offer(bundled_data, targets).regions == ("0136", "0181")


@pytest.mark.parametrize(
    ("region", "counts"),
    [
        ("0136", (2, 1, 1, 2)),
        ("0181", (0, 0, 6, 5)),
    ],
)
def test_counts_name_every_status_in_words(bundled_data, targets, judged, region, counts):
    content = build(bundled_data, targets, judged, region)
    met, close, not_met, cannot = counts
    assert content.counts == (
        f"✓ Uppfyllt: **{met}** · ≈ Nära: **{close}** · ✗ Ej uppfyllt: **{not_met}** · "
        f"? Kan inte bedömas: **{cannot}**"
    )


@pytest.mark.parametrize(
    ("region", "goal", "figure", "gap", "status"),
    [
        (
            "0136",
            "Arbetslösheten ska inte vara högre än länets genomsnitt",
            "7,7",
            "+0,6",
            "≈ Nära",
        ),
        ("0136", "Arbetslösheten ska inte vara högre än rikets", "7,7", "-0,8", "✓ Uppfyllt"),
        (
            "0181",
            "Utrikes föddas arbetslöshet ska inte vara högre än länets",
            "27,0",
            "+11,3",
            "✗ Ej uppfyllt",
        ),
        (
            "0181",
            "Utrikes föddas arbetslöshet ska inte vara högre än rikets",
            "27,0",
            "+6,3",
            "✗ Ej uppfyllt",
        ),
    ],
)
def test_table_holds_tabell_1(bundled_data, targets, judged, region, goal, figure, gap, status):
    row = build(bundled_data, targets, judged, region).table.loc[goal]
    assert (row["Värde"], row["Skillnad"], row["Status"]) == (figure, f"{gap}{NBSP}p.e.", status)
    assert row["Period"] == "kv 3 2013, före strategiperioden"


def test_table_download_holds_the_judged_rows_of_target_and_benchmark(
    bundled_data, targets, judged
):
    download = build(bundled_data, targets, judged, "0181").download
    assert (download.name, download.title) == ("mal_0181", "Södertälje: strategiernas mål")
    assert download.source_line.startswith(TABELL_1_SOURCE)
    assert "Data avser kv 3 2013" in download.source_line
    assert set(download.rows["region_code"]) == {"0181", "01", "00"}
    assert set(download.rows["measure_id"]) == {AF}
    frame = download.table.frame.set_index("Mål-id")
    assert frame.at["sodertalje_utrikes_fodda_vs_lan", "Utfall (%)"] == 27.0
    assert frame.at["sodertalje_utrikes_fodda_vs_lan", "Målnivå (%)"] == 15.7
    assert download.figure is None


@pytest.mark.parametrize(
    ("target_id", "benchmark", "figure", "level"),
    [
        ("sodertalje_utrikes_fodda_vs_lan", "01", 27.0, "15,7"),
        ("sodertalje_utrikes_fodda_vs_riket", "00", 27.0, "20,7"),
        ("sodertalje_unga_vs_lan", "01", 18.7, "11,3"),
    ],
)
def test_a_target_chart_draws_its_figure_against_its_level(
    bundled_data, targets, judged, target_id, benchmark, figure, level
):
    content = build(bundled_data, targets, judged, "0181")
    chart = content.charts[[t.id for t in targets if t.region == "0181"].index(target_id)]
    assert chart.heading is None and chart.notice is None
    assert list(chart.figure.data[0].y) == [figure]
    assert any(trace.name and trace.name.endswith(f": {level}") for trace in chart.figure.data)
    download = chart.download
    assert download.name == target_id
    assert download.title == chart.figure.layout.title.text
    assert download.table.frame.iloc[0]["Södertälje (%)"] == figure
    assert set(download.rows["region_code"]) == {"0181", benchmark}
    assert set(download.rows["period"]) == {"2013K3"}
    assert download.figure.layout.title.subtitle.text.startswith("Målet står i ")
    assert chart.caption.startswith("Status: ✗ Ej uppfyllt (kv 3 2013, före strategiperioden).")


def test_a_target_that_cannot_be_judged_says_why_and_draws_nothing(bundled_data, targets, judged):
    chart = build(bundled_data, targets, judged, "0181").charts[0]
    assert chart.heading == "Ungdomsarbetslösheten ska minska från kv 3 2013 (18,7 %)"
    assert chart.notice == ("? Kan inte bedömas: inga värden efter basperioden kv 3 2013 ännu.")
    assert (chart.figure, chart.download) == (None, None)
    assert chart.caption.startswith("Tolkning: ")


def test_select_target_rows_keeps_target_and_benchmark_in_the_periods_asked(bundled_data, targets):
    target = next(t for t in targets if t.id == "sodertalje_utrikes_fodda_vs_lan")
    rows = mal.select_target_rows(bundled_data.observations, target, AF, ["2013K3"])
    assert set(rows["region_code"]) == {"0181", "01"}
    foreign_born = select_rows(rows, AF, ["0181"], group=Group(birth_region="foreign_born"))
    assert foreign_born["value"].tolist() == [27.0]
    assert mal.select_target_rows(bundled_data.observations, target, AF, ["2099K1"]).empty
