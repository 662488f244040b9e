"""With monthly AF shares in the data (TEST DATA, tests/af_observations.py): what a user sees."""

import pytest

from tests.app.conftest import GAP, OVERVIEW, TARGETS, open_page, read_charts, read_shown_table

TREND = "app_pages/utveckling.py"
COMPARE = "app_pages/jamfor.py"
EXPORT = "app_pages/export.py"
SLIDES = "app_pages/namndvy.py"
BAS = "af_inskrivna_andel_bas"
BAS_NAME = "Inskrivna arbetslösa, andel av arbetskraften (BAS) (%)"
NBSP = "\u00a0"


def find_row(table, group: str, kommun: str) -> dict:
    rows = table[(table["Grupp"] == group) & (table["Kommun"] == kommun)]
    assert len(rows) == 1, f"{group}/{kommun} not shown once in\n{table}"
    return rows.iloc[0].to_dict()


@pytest.mark.parametrize(
    ("page", "measure", "regions"),
    [
        (GAP, BAS, ["0181", "0127", "0136"]),
        (OVERVIEW, BAS, ["0181", "0127", "0136"]),
        # A trend opens on the longest series covering Tabell 1's kommuner: 2016-2023.
        (TREND, "scb_integration_arbetsloshet_20_64", ["0181", "0127", "0136", "0126"]),
        (COMPARE, BAS, ["0181", "0127", "0136"]),
    ],
)
def test_pages_open_on_the_newest_share_covering_the_kommun(af_tree, page, measure, regions):
    """BAS (juni 2024) is the newest share for Södertälje; the count of juli 2024 is no share."""
    at = open_page(page)
    assert not at.exception
    assert at.selectbox(key="measure").value == measure
    assert at.multiselect(key="regions").value == regions


@pytest.mark.parametrize("page", [GAP, COMPARE])
def test_period_pages_open_on_the_newest_month(af_tree, page):
    assert open_page(page).selectbox(key="period").value == "2024M06"


def test_the_picker_offers_kommuner_with_figures_and_counts_the_rest(af_tree):
    at = open_page(GAP)
    regions = at.multiselect(key="regions")
    assert regions.options == ["Botkyrka", "Haninge", "Heby", "Malmö", "Södertälje", "Uppsala"]
    assert at.selectbox(key="regions_group").options == [
        "Södertörn (3 av 8 med data)",
        "Kommunerna i Stockholms län (3 av 26 med data)",
        "Kommunerna i Uppsala län (2 av 8 med data)",
        "Kommunerna i Skåne län (1 av 33 med data)",
        "Alla (6 av 290 med data)",
    ]
    assert (
        "6 av 290 kommuner har värden för måttet och perioden. Källan saknar värden för övriga "
        "284: de visas inte i listan och kan inte sökas fram. Grupper där ingen kommun har "
        "värden (18 st) visas inte i gruppvalet."
    ) in [c.value for c in at.caption]
    at.selectbox(key="regions_group").set_value("lan_03").run()
    assert at.multiselect(key="regions").value == ["0181", "0127", "0136", "0331", "0380"]


def test_heby_is_compared_with_uppsala_lan(af_tree):
    at = open_page(GAP, regions="0331", view="table")
    assert at.radio(key="benchmark").value == "03"
    row = find_row(read_shown_table(at), "Totalt 16-65 år", "Heby")
    assert (row["Andel (%)"], row["Uppsala län (%)"]) == ("6,5", "5,8")
    assert row["Skillnad mot Uppsala län"] == f"+0,7{NBSP}p.e."


@pytest.mark.parametrize(
    ("sex", "group", "value", "county", "gap"),
    [
        ("total", "18-24 år", "11,6", "10,0", "+1,6"),
        ("men", "18-24 år, män", "13,0", "10,8", "+2,2"),
        ("women", "18-24 år, kvinnor", "10,2", "9,2", "+1,0"),
    ],
)
def test_the_sex_choice_changes_the_gap_table(af_tree, sex, group, value, county, gap):
    at = open_page(GAP, view="table")
    assert at.radio(key="sex").options == ["Kvinnor", "Män", "Alla"]
    assert at.radio(key="sex").value == "total"
    at.radio(key="sex").set_value(sex).run()
    assert not at.exception
    row = find_row(read_shown_table(at), group, "Haninge")
    assert (row["Andel (%)"], row["Stockholms län (%)"]) == (value, county)
    assert row["Skillnad mot Stockholms län"] == f"{gap}{NBSP}p.e."
    assert at.query_params["sex"] == sex


def test_a_sex_in_a_link_is_dropped_where_the_measure_has_no_split(built_tree):
    at = open_page(GAP, sex="men")
    assert not at.exception
    assert at.selectbox(key="measure").value == "af_inskrivna_andel_rams"
    assert not [r for r in at.radio if r.key == "sex"]
    assert "Länken angav Män för ”Kön”, som inte kan visas här. Visar Alla i stället." in (
        at.warning[0].value
    )
    assert "sex" not in at.query_params


@pytest.mark.parametrize(
    ("sex", "levels", "counties", "caption"),
    [
        ("total", ["10,0", "9,0", "7,0"], ["+4,0", "+3,0", "+1,0"], "Period: juni 2024 · "),
        ("women", ["9,7", "8,7", "6,7"], ["+4,0", "+3,0", "+1,0"], "Period: juni 2024 · Kvinnor"),
        ("men", ["10,3", "9,3", "7,3"], ["+4,0", "+3,0", "+1,0"], "Period: juni 2024 · Män"),
    ],
)
def test_overview_cards_follow_the_sex_choice(af_tree, sex, levels, counties, caption):
    at = open_page(OVERVIEW, sex=sex)
    assert not at.exception
    metrics = {}
    for metric in at.metric:
        metrics.setdefault(metric.label, []).append(metric.value)
    assert metrics["Nivå"] == [f"{v}{NBSP}%" for v in levels]
    assert metrics["Mot Stockholms län"] == [f"{v}{NBSP}p.e." for v in counties]
    assert any(c.value.startswith(caption) for c in at.caption)


def test_trend_of_young_men_in_haninge_draws_their_target(af_tree):
    at = open_page(TREND, measure=BAS, regions="0136", group="age:18-24", sex="men")
    assert not at.exception
    assert at.markdown[0].value.startswith(
        "I juni 2024 var arbetslösheten bland män i åldern 18-24 år i Haninge 13,0 procent, "
        "2,2 procentenheter högre än i Stockholms län."
    )
    (chart,) = read_charts(at)
    names = [trace.get("name", "").replace("<br>", " ") for trace in chart["data"]]
    assert any(
        n.startswith("Mål: Unga mäns arbetslöshet ska inte vara högre än länets") for n in names
    )


def test_ranking_of_young_men(af_tree):
    at = open_page(COMPARE, sex="men", group="age:18-24", regions="0181")
    assert not at.exception
    assert (
        "Juni 2024 hade Södertälje den högsta andelen bland män i åldern 18-24 år av 6 kommuner "
        "med värde: 14,8 procent, 4,0 procentenheter över länet."
    ) in [m.value for m in at.markdown]


@pytest.mark.parametrize(
    ("goal", "figure", "gap", "status"),
    [
        ("Unga mäns arbetslöshet ska inte vara högre än länets", "13,0", "+2,2", "✗ Ej uppfyllt"),
        ("Arbetslösheten ska inte vara högre än länets genomsnitt", "7,0", "+1,0", "≈ Nära"),
        ("Ungas arbetslöshet ska inte vara högre än länets", "11,6", "+1,6", "✗ Ej uppfyllt"),
    ],
)
def test_haninge_targets_are_judged_on_the_bas_share(af_tree, goal, figure, gap, status):
    at = open_page(TARGETS, region="0136")
    assert not at.exception
    row = at.table[0].value.loc[goal]
    assert (row["Värde"], row["Skillnad"], row["Status"]) == (
        f"{figure}{NBSP}%",
        f"{gap}{NBSP}p.e.",
        status,
    )
    assert (row["Period"], row["Mått"]) == ("juni 2024", BAS_NAME)


def test_each_judged_target_has_a_chart_with_its_reference(af_tree):
    """Judged on June 2024, within the 2020 strategy: drawn against the county's level."""
    at = open_page(TARGETS, region="0136")
    charts = read_charts(at)
    assert len(charts) == 5  # the gap-closing target has no Kolada figures: said in words
    names = [trace.get("name", "") for trace in charts[0]["data"]]
    assert any(n.startswith("Mål: Arbetslösheten ska inte vara högre än länets") for n in names)
    assert any(
        "Arbetsmarknadsstrategi 2020 (antagen), 2.2 Strategiområde 2" in n.replace("<br>", " ")
        for n in names
    )


def test_the_young_men_slide_shows_their_figure_and_status(af_tree):
    at = open_page(SLIDES, region="0136", slide="5")
    assert not at.exception
    assert at.title[0].value == "Unga mäns arbetslöshet ska inte vara högre än länets"
    assert at.metric[0].value == f"13,0{NBSP}%"
    assert "**Mål: ✗ Ej uppfyllt**" in [m.value for m in at.markdown]


def test_a_measure_slide_shows_the_newest_of_its_measures(af_tree):
    """The agenda lists BAS, the register-based share and Tabell 1: BAS is the newest."""
    at = open_page(SLIDES, agenda="haninge_ks_2026-12", slide="5")
    assert not at.exception
    assert at.title[0].value == "Arbetslösheten bland utrikes födda"
    assert at.metric[0].value == f"15,0{NBSP}%"
    assert at.metric[0].label == "Haninge, utrikes födda, juni 2024"
    assert BAS_NAME in [m.value for m in at.markdown]


def test_export_follows_the_kommun_chosen_on_another_page(af_tree):
    at = open_page(GAP, regions="0331")
    at.switch_page(EXPORT).run()
    assert not at.exception
    assert (at.selectbox(key="region").value, at.selectbox(key="period").value) == (
        "0331",
        "2024M06",
    )


def test_export_opens_on_the_newest_share_not_the_newer_count(af_tree):
    at = open_page(EXPORT)
    assert not at.exception
    assert at.selectbox(key="region").value == "0181"
    assert at.selectbox(key="period").options[:2] == ["juli 2024", "juni 2024"]
    assert at.selectbox(key="period").value == "2024M06"
    assert f"Tabell: Södertälje: {BAS_NAME}, juni 2024" in at.markdown[0].value
