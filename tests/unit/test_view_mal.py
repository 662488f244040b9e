"""The Mål view on the bundled data: each kommun's targets judged on Tabell 1, drawn and sourced."""

import io
from dataclasses import replace

import openpyxl
import pytest

from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog
from labourmarket.core.selection import Group, select_rows
from labourmarket.core.targets import evaluate, load_targets, select_latest
from labourmarket.output import formats
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
        # Every figure is from kv 3 2013, before both strategies: none is judged.
        ("0136", (0, 0, 0, 6)),
        ("0181", (0, 0, 0, 11)),
    ],
)
def test_counts_name_every_status_in_words(bundled_data, targets, judged, region, counts):
    content = build(bundled_data, targets, judged, region)
    met, close, not_met, cannot = counts
    assert content.counts == (
        f"✓ Uppfyllt: **{met}** · ≈ Nära: **{close}** · ✗ Ej uppfyllt: **{not_met}** · "
        f"? Kan inte bedömas: **{cannot}**"
    )


HANINGE_BEFORE = "? Kan inte bedömas: kv 3 2013 ligger före strategiperioden, som börjar 2020"
SODERTALJE_BEFORE = "? Kan inte bedömas: kv 3 2013 ligger före strategiperioden, som börjar 2014"


@pytest.mark.parametrize(
    ("region", "goal", "figure", "comparison", "gap", "status"),
    [
        (
            "0136",
            "Arbetslösheten ska inte vara högre än länets genomsnitt",
            "7,7",
            "7,1 (Stockholms län)",
            "+0,6",
            HANINGE_BEFORE,
        ),
        (
            "0136",
            "Arbetslösheten ska inte vara högre än rikets",
            "7,7",
            "8,5 (Riket)",
            "−0,8",
            HANINGE_BEFORE,
        ),
        (
            "0181",
            "Utrikes föddas arbetslöshet ska inte vara högre än länets",
            "27,0",
            "15,7 (Stockholms län)",
            "+11,3",
            SODERTALJE_BEFORE,
        ),
        (
            "0181",
            "Utrikes föddas arbetslöshet ska inte vara högre än rikets",
            "27,0",
            "20,7 (Riket)",
            "+6,3",
            SODERTALJE_BEFORE,
        ),
    ],
)
def test_table_shows_tabell_1_before_the_strategy_with_units_unjudged(
    bundled_data, targets, judged, region, goal, figure, comparison, gap, status
):
    row = build(bundled_data, targets, judged, region).table.loc[goal]
    value, benchmark = comparison.split(" ", 1)
    assert (row["Värde"], row["Jämförelse"], row["Skillnad"], row["Status"]) == (
        f"{figure}{NBSP}%",
        f"{value}{NBSP}% {benchmark}",
        f"{gap}{NBSP}p.e.",
        status,
    )
    assert row["Period"] == "kv 3 2013, före strategiperioden"


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "shown", "difference"),
    [
        (7.7, "percent", 1, f"7,7{NBSP}%", f"+7,7{NBSP}p.e."),
        (1234.0, "count", 0, f"1{NBSP}234{NBSP}personer", f"+1{NBSP}234{NBSP}personer"),
        (None, "percent", 1, "..", ".."),
        (None, "count", 0, "..", ".."),
    ],
)
def test_figures_in_the_table_carry_their_unit(value, unit, decimals, shown, difference):
    assert mal.format_value(value, unit, decimals) == shown
    assert mal.format_difference(value, unit, decimals) == difference


@pytest.mark.parametrize("region", ["0136", "0181"])
def test_the_table_has_its_source_line(bundled_data, targets, judged, region):
    content = build(bundled_data, targets, judged, region)
    assert content.source_line.startswith(TABELL_1_SOURCE)
    assert "Data avser kv 3 2013" in content.source_line
    assert content.source_line == content.download.source_line


@pytest.mark.parametrize(
    ("target_id", "sentence"),
    [
        (
            "haninge_total_vs_lan",
            f"Kv 3 2013 var arbetslösheten i Haninge 7,7{NBSP}% och i Stockholms län 7,1{NBSP}%, "
            "0,6 procentenheter högre. Status: ? Kan inte bedömas (kv 3 2013 ligger före "
            "strategiperioden, som börjar 2020).",
        ),
        (
            "sodertalje_utrikes_fodda_vs_lan",
            f"Kv 3 2013 var arbetslösheten bland utrikes födda i Södertälje 27,0{NBSP}% och i "
            f"Stockholms län 15,7{NBSP}%, 11,3 procentenheter högre. Status: ? Kan inte bedömas "
            "(kv 3 2013 ligger före strategiperioden, som börjar 2014).",
        ),
        (
            "haninge_gap_lan_closing",
            "Målet kan inte bedömas: uppgift saknas i datan för Haninge i måttet och gruppen.",
        ),
    ],
)
def test_the_sentence_does_not_judge_or_call_a_period_before_the_strategy_the_baseline(
    bundled_data, targets, judged, target_id, sentence
):
    target = next(t for t in targets if t.id == target_id)
    result = select_latest(judged).set_index("target_id").loc[target_id]
    assert mal.describe_target_result(target, result, bundled_data.catalog) == sentence


def test_no_sentence_calls_a_period_the_starting_point(bundled_data, targets, judged):
    """Only a target's baseline_period may be called its starting point, and none is shown."""
    latest = select_latest(judged).set_index("target_id")
    for target in targets:
        text = mal.describe_target_result(target, latest.loc[target.id], bundled_data.catalog)
        assert "utgångsläge" not in text and "basperiod" not in text.replace(
            "efter basperioden", ""
        )


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
    bundled_data, targets, target_id, benchmark, figure, level
):
    """Drawn where a figure is judged: here kv 3 2013 as if the strategy covered it."""
    targets = [replace(t, period_from=None) for t in targets]
    judged = evaluate(bundled_data.observations, targets, bundled_data.catalog)
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
    assert chart.caption.startswith("Status: ✗ Ej uppfyllt (kv 3 2013).")


def test_a_target_before_its_strategy_is_said_in_words_not_drawn(bundled_data, targets, judged):
    content = build(bundled_data, targets, judged, "0136")
    chart = content.charts[0]
    assert chart.heading == "Arbetslösheten ska inte vara högre än länets genomsnitt"
    assert chart.notice == f"{HANINGE_BEFORE}."
    assert (chart.figure, chart.download) == (None, None)


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


def test_the_tables_excel_download_has_its_source_line_under_it(bundled_data, targets, judged):
    download = build(bundled_data, targets, judged, "0181").download
    item = formats.Exportable(
        download.table,
        download.title,
        download.source_line,
        download.rows,
        bundled_data.catalog,
        str(bundled_data.manifest["built_at"]),
    )
    sheet = openpyxl.load_workbook(io.BytesIO(formats.FORMATS["xlsx"].write(item)))["Data"]
    cells = [str(c.value) for c in sheet["A"] if c.value]
    assert cells[0] == "Södertälje: strategiernas mål"
    last_row = 2 + len(download.table.frame)
    notes = [str(c.value) for c in sheet["A"][last_row:] if c.value]
    assert notes[0] == download.source_line and notes[0].startswith(TABELL_1_SOURCE)
