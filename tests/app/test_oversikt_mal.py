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
        c.value.startswith("26 av 290 kommuner har värden för måttet. Källan täcker bara")
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
    assert metrics["Mot riket"][2] == f"\u22120,8{NBSP}p.e."
    assert any("ingen trend" in c.value for c in at.caption)


def test_overview_lists_targets_with_word_and_symbol(built_tree):
    at = open_page(OVERVIEW)
    text = "\n".join(m.value for m in at.markdown)
    # Tabell 1 (kv 3 2013) is before both strategies: no target is judged on it.
    assert (
        "? **Kan inte bedömas** — Utrikes föddas arbetslöshet ska inte vara högre än länets"
        " *(kv 3 2013 ligger före strategiperioden, som börjar 2014)*" in text
    )
    assert (
        "? **Kan inte bedömas** — Arbetslösheten ska inte vara högre än rikets"
        " *(kv 3 2013 ligger före strategiperioden, som börjar 2020)*"
    ) in text
    assert "? **Kan inte bedömas** — Ungdomsarbetslösheten ska minska" in text
    assert "Uppfyllt" not in text and "Nära" not in text


def test_overview_shows_a_trend_where_a_series_exists(built_tree):
    at = open_page(OVERVIEW, measure="scb_integration_arbetsloshet_20_64", regions="0136")
    assert not at.exception
    caption = next(c.value for c in at.caption if c.value.startswith("Period: 2023"))
    assert "sedan 2022" in caption and caption.split("Utveckling: ")[1][0] in "↑↓→"


BEFORE_2020 = "? Kan inte bedömas: kv 3 2013 ligger före strategiperioden, som börjar 2020"
BEFORE_2014 = "? Kan inte bedömas: kv 3 2013 ligger före strategiperioden, som börjar 2014"


@pytest.mark.parametrize(
    ("region", "goal", "figure", "comparison", "gap", "status"),
    [
        (
            "0136",
            "Arbetslösheten ska inte vara högre än länets genomsnitt",
            "7,7",
            "7,1",
            "+0,6",
            BEFORE_2020,
        ),
        (
            "0136",
            "Arbetslösheten ska inte vara högre än rikets",
            "7,7",
            "8,5",
            "−0,8",
            BEFORE_2020,
        ),
        (
            "0136",
            "Ungas arbetslöshet ska inte vara högre än länets",
            "13,6",
            "11,3",
            "+2,3",
            BEFORE_2020,
        ),
        (
            "0181",
            "Utrikes föddas arbetslöshet ska inte vara högre än länets",
            "27,0",
            "15,7",
            "+11,3",
            BEFORE_2014,
        ),
    ],
)
def test_target_table_shows_figure_gap_and_status(
    built_tree, region, goal, figure, comparison, gap, status
):
    """The figure before the strategy is shown with its unit and period, and is not judged."""
    at = open_page(TARGETS, region=region)
    assert not at.exception
    table = at.table[0].value
    row = table.loc[goal]
    assert (row["Värde"], row["Skillnad"], row["Status"]) == (
        f"{figure}{NBSP}%",
        f"{gap}{NBSP}p.e.",
        status,
    )
    assert row["Jämförelse"].startswith(f"{comparison}{NBSP}% (")
    assert row["Period"] == "kv 3 2013, före strategiperioden"
    assert row["Citat"].startswith("”") and row["Dokument och avsnitt"]
    assert "Uppfyllt" not in "".join(table["Status"]) and "Nära" not in "".join(table["Status"])


@pytest.mark.parametrize("region", ["0136", "0181"])
def test_the_target_table_has_counts_and_a_source_line(built_tree, region):
    at = open_page(TARGETS, region=region)
    cannot = {"0136": 6, "0181": 11}[region]
    assert (
        f"✓ Uppfyllt: **0** · ≈ Nära: **0** · ✗ Ej uppfyllt: **0** · "
        f"? Kan inte bedömas: **{cannot}**"
    ) in [m.value for m in at.markdown]
    source = next(c.value for c in at.caption if c.value.startswith("Källa: "))
    assert source.startswith("Källa: Arbetsförmedlingen, Arbetsmarknadsutsikterna 2013-2014")
    assert "Data avser kv 3 2013" in source


def test_unassessable_targets_say_why(built_tree):
    at = open_page(TARGETS, region="0181")
    row = at.table[0].value.loc["Ungdomsarbetslösheten ska minska från kv 3 2013 (18,7 %)"]
    assert row["Status"] == "? Kan inte bedömas: inga värden efter basperioden kv 3 2013 ännu"


def test_a_target_before_its_strategy_is_said_in_words_not_drawn(built_tree):
    """A bar on its target line would judge the 2020 strategy on kv 3 2013."""
    at = open_page(TARGETS, region="0136")
    assert not at.get("plotly_chart")
    infos = [i.value for i in at.info]
    assert f"{BEFORE_2020}." in infos


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
    assert "? Kan inte bedömas: uppgift saknas i datan för Haninge i måttet och gruppen." in infos


def test_a_measure_of_another_level_starts_from_its_default_regions(built_tree):
    at = open_page(OVERVIEW)
    assert at.multiselect(key="regions").value  # kommuner of Tabell 1
    at.selectbox(key="measure").set_value("scb_bas_arbetsloshet_20_64").run()
    assert not at.exception
    assert at.multiselect(key="regions").value == ["01"]
    assert "Välj minst ett län." not in [info.value for info in at.info]
