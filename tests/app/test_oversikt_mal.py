"""Översikt and Mål as a user sees them: figures, gaps, and target status in words and symbols."""

import pytest

from tests.app.conftest import OVERVIEW, TARGETS, open_page

NBSP = "\u00a0"


def read_metrics(at) -> dict[str, list[str]]:
    shown: dict[str, list[str]] = {}
    for metric in at.metric:
        shown.setdefault(metric.label, []).append(metric.value)
    return shown


def test_overview_is_the_landing_page(built_tree):
    at = open_page(None)
    assert not at.exception
    assert at.title[0].value == "Översikt"
    assert [h.value for h in at.subheader] == ["Södertälje", "Botkyrka", "Haninge", "Huddinge"]


def test_overview_opens_on_the_newest_figures_for_the_kommuner(built_tree):
    """The integration statistics (2023) are newer than Tabell 1 (kv 3 2013): no county figure."""
    at = open_page(OVERVIEW)
    assert at.selectbox(key="measure").value == "scb_integration_arbetsloshet_20_64"
    metrics = read_metrics(at)
    assert metrics["Nivå"] == [f"16,6{NBSP}%", f"16,4{NBSP}%", f"12,1{NBSP}%", f"11,2{NBSP}%"]
    assert metrics["Mot riket"] == [".."] * 4
    assert any(
        c.value.startswith("26 av 290 kommuner har värden för måttet; 264 saknas.")
        for c in at.caption
    )


def test_overview_cards_show_level_and_gaps(built_tree):
    at = open_page(OVERVIEW, measure="af_inskrivna_andel_rams")
    metrics = read_metrics(at)
    assert metrics["Nivå"] == [f"14,5{NBSP}%", f"12,9{NBSP}%", f"7,7{NBSP}%", f"7,3{NBSP}%"]
    assert metrics["Mot Stockholms län"] == [
        f"+7,4{NBSP}p.e.",
        f"+5,8{NBSP}p.e.",
        f"+0,6{NBSP}p.e.",
        f"+0,2{NBSP}p.e.",
    ]
    assert metrics["Mot riket"][2] == f"-0,8{NBSP}p.e."
    assert any("ingen trend" in c.value for c in at.caption)


def test_overview_lists_targets_with_word_and_symbol(built_tree):
    at = open_page(OVERVIEW)
    text = "\n".join(m.value for m in at.markdown)
    assert "✗ **Ej uppfyllt** — Utrikes föddas arbetslöshet ska inte vara högre än länets" in text
    assert (
        "≈ **Nära** — Arbetslösheten ska inte vara högre än länets genomsnitt"
        " (kv 3 2013, före strategiperioden)" in text
    )
    assert (
        "✓ **Uppfyllt** — Arbetslösheten ska inte vara högre än rikets"
        " (kv 3 2013, före strategiperioden)"
    ) in text
    assert "? **Kan inte bedömas** — Ungdomsarbetslösheten ska minska" in text


def test_overview_shows_a_trend_where_a_series_exists(built_tree):
    at = open_page(OVERVIEW, measure="scb_integration_arbetsloshet_20_64", regions="0136")
    assert not at.exception
    caption = next(c.value for c in at.caption if c.value.startswith("Period: 2023"))
    assert "sedan 2022" in caption and caption.split("Utveckling: ")[1][0] in "↑↓→"


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
            "0136",
            "Ungas arbetslöshet ska inte vara högre än länets",
            "13,6",
            "+2,3",
            "✗ Ej uppfyllt",
        ),
        (
            "0181",
            "Utrikes föddas arbetslöshet ska inte vara högre än länets",
            "27,0",
            "+11,3",
            "✗ Ej uppfyllt",
        ),
    ],
)
def test_target_table_shows_figure_gap_and_status(built_tree, region, goal, figure, gap, status):
    at = open_page(TARGETS, region=region)
    assert not at.exception
    table = at.table[0].value
    row = table.loc[goal]
    assert (row["Värde"], row["Skillnad"], row["Status"]) == (figure, f"{gap}{NBSP}p.e.", status)
    assert row["Period"] == "kv 3 2013, före strategiperioden"
    assert row["Citat"].startswith("”") and row["Dokument och avsnitt"]


def test_unassessable_targets_say_why(built_tree):
    at = open_page(TARGETS, region="0181")
    row = at.table[0].value.loc["Ungdomsarbetslösheten ska minska från kv 3 2013 (18,7 %)"]
    assert row["Status"] == "? Kan inte bedömas: inga värden efter basperioden kv 3 2013 ännu"


def test_each_target_has_a_chart_with_its_reference(built_tree):
    import json

    at = open_page(TARGETS, region="0136")
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 4  # the gap-closing target has no figures yet: said in words
    names = [trace.get("name", "") for trace in charts[0]["data"]]
    assert any(n.startswith("Mål: Arbetslösheten ska inte vara högre än länets") for n in names)
    assert any(
        "Arbetsmarknadsstrategi 2020 (antagen), 2.2 Strategiområde 2" in n.replace("<br>", " ")
        for n in names
    )
    assert any(n.endswith(": 7,1") for n in names)


def test_a_malformed_targets_file_is_named_and_the_app_still_runs(built_tree):
    path = built_tree / "reference" / "targets.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('rule = "below_baseline"', 'rule = "trend"', 1),
        encoding="utf-8",
    )
    for page in (OVERVIEW, TARGETS):
        at = open_page(page)
        assert not at.exception
        assert (
            "target sodertalje_unga_minska: field rule: unknown rule 'trend'" in at.error[0].value
        )
    overview = open_page(OVERVIEW, measure="af_inskrivna_andel_rams")
    assert read_metrics(overview)["Nivå"][0] == f"14,5{NBSP}%"


def test_a_target_without_figures_is_explained_not_drawn(built_tree):
    at = open_page(TARGETS, region="0136")
    infos = [i.value for i in at.info]
    assert "? Kan inte bedömas: inga värden för Haninge i måttet och gruppen." in infos


def test_a_measure_of_another_level_starts_from_its_default_regions(built_tree):
    at = open_page(OVERVIEW)
    assert at.multiselect(key="regions").value  # kommuner of Tabell 1
    at.selectbox(key="measure").set_value("scb_bas_arbetsloshet_20_64").run()
    assert not at.exception
    assert at.multiselect(key="regions").value == ["01"]
    assert "Välj minst ett län." not in [info.value for info in at.info]
