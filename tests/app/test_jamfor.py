"""The Jämför page as a user sees it: the ranking, the gap profile, links and no-data notices."""

import pytest

from tests.app.conftest import open_page, read_charts, read_shown_table

COMPARE = "app_pages/jamfor.py"
INTEGRATION = "scb_integration_arbetsloshet_20_64"
RAMS = "af_inskrivna_andel_rams"
NBSP = "\u00a0"


def test_default_view_ranks_the_newest_figures_for_sodertalje(built_tree):
    """The integration statistics (2023) are the newest percentages covering Södertälje."""
    at = open_page(COMPARE)
    assert not at.exception
    assert at.title[0].value == "Jämför"
    assert (at.selectbox(key="measure").value, at.selectbox(key="period").value) == (
        INTEGRATION,
        "2023",
    )
    assert at.selectbox(key="population").value == "lan_01"
    assert at.multiselect(key="regions").value == ["0181", "0127", "0136", "0126"]
    assert "- 2023 hade Södertälje den högsta andelen av 26 kommuner: 16,6 procent." in (
        " ".join(m.value for m in at.markdown)
    )


def test_ranking_groups_say_how_many_have_figures(built_tree):
    """Only groups with a kommun with figures are offered: Södertörn, the county, all."""
    at = open_page(COMPARE, measure=INTEGRATION)
    assert at.selectbox(key="population").options == [
        "Södertörn (8 av 8 med data)",
        "Kommunerna i Stockholms län (26 av 26 med data)",
        "Alla (26 av 290 med data)",
    ]
    assert (
        "Grupperna visar hur många av sina kommuner som har värden; grupper där ingen kommun har "
        "värden (20 st) visas inte."
    ) in [c.value for c in at.caption]


def test_tabell_1_ranks_within_sodertorn(built_tree):
    """Tabell 1 by link (the default is now the newest measure): Södertörn, all four kommuner."""
    at = open_page(COMPARE, measure=RAMS)
    assert not at.exception
    assert at.selectbox(key="period").value == "2013K3"
    assert at.selectbox(key="population").value == "sodertorn"
    assert at.selectbox(key="group").value == "total"
    assert at.multiselect(key="regions").value == ["0181", "0127", "0136", "0126"]
    ranking, profile = read_charts(at)
    assert [trace["y"] for trace in ranking["data"]] == [
        ["Södertälje", "Botkyrka", "Haninge", "Huddinge"]
    ]
    texts = [a["text"] for a in ranking["layout"]["annotations"]]
    assert texts[0].startswith("Källa: Arbetsförmedlingen")
    assert f"Stockholms län: 7,1{NBSP}%" in texts and f"Riket: 8,5{NBSP}%" in texts
    assert profile["data"][0]["text"][:2] == ["+12,1", "+11,3"]
    shown = " ".join(m.value for m in at.markdown)
    assert (
        "Kv 3 2013 hade Södertälje den högsta andelen av 4 kommuner med värde: 14,5 procent, "
        "7,4 procentenheter över länet." in shown
    )
    assert (
        "Störst skillnad mot Stockholms län för Södertälje: personer med förgymnasial utbildning, "
        "29,3 procent mot 17,2 procent, 12,1 procentenheter högre." in shown
    )
    assert "4 av 8 kommuner i Södertörn finns inte i källan." in [c.value for c in at.caption]


def test_integration_measure_ranks_the_26_kommuner_of_the_county(built_tree):
    at = open_page(COMPARE, measure=INTEGRATION, period="2023", population="lan_01", view="table")
    assert not at.exception
    table = read_shown_table(at)
    assert len(table) == 26
    assert table.iloc[0][["Rang", "Kommun", "Andel (%)"]].tolist() == ["1", "Södertälje", "16,6"]
    assert table.iloc[-1][["Rang", "Kommun", "Andel (%)"]].tolist() == ["26", "Danderyd", "5,7"]
    # Every figure is published without a note: no empty "Status" column.
    assert table.columns.tolist() == ["Rang", "Kommun", "Markerad", "Andel (%)"]
    tied = table[table["Andel (%)"] == "11,2"]
    assert tied["Rang"].tolist() == ["8", "8", "8"]
    assert tied["Kommun"].tolist() == ["Huddinge", "Nynäshamn", "Sundbyberg"]
    assert table.loc[table["Kommun"] == "Stockholm", "Rang"].item() == "11"
    # Totals only and no county or country rows: the page says why there is no profile.
    assert "inget läns- eller riksvärde" in at.info[0].value


def test_ties_are_said_in_the_sentence(built_tree):
    at = open_page(COMPARE, measure=INTEGRATION, period="2023", population="lan_01", regions="0126")
    assert (
        "2023 hade Huddinge, liksom Nynäshamn och Sundbyberg, den åttonde högsta andelen av "
        "26 kommuner: 11,2 procent." in [m.value for m in at.markdown]
    )


def test_a_shared_link_reopens_the_exact_view(built_tree):
    at = open_page(
        COMPARE,
        measure=RAMS,
        group="birth_region:foreign_born",
        regions="0136",
        view="table",
        profile="0136",
        benchmark="00",
    )
    assert not at.exception
    assert at.selectbox(key="group").value == "birth_region:foreign_born"
    assert at.multiselect(key="regions").value == ["0136"]
    assert (at.selectbox(key="profile").value, at.radio(key="benchmark").value) == ("0136", "00")
    ranking, profile = read_shown_table(at, 0), read_shown_table(at, 1)
    assert ranking["Kommun"].tolist() == ["Södertälje", "Botkyrka", "Haninge", "Huddinge"]
    assert ranking.loc[ranking["Kommun"] == "Haninge", "Markerad"].item() == "ja"
    assert profile.iloc[0][["Grupp", "Haninge (%)", "Riket (%)"]].tolist() == [
        "Utrikes födda",
        "14,9",
        "20,7",
    ]
    assert profile.iloc[0]["Skillnad mot Riket"] == f"\u22125,8{NBSP}p.e."
    captions = [c.value for c in at.caption]
    assert f"Som jämförelse: Stockholms län 15,7{NBSP}%, riket 20,7{NBSP}%." in captions
    assert "4 av 8 kommuner i Södertörn finns inte i källan." in captions


def test_a_kommun_without_figures_is_not_offered_and_the_caption_says_why(built_tree):
    """Nykvarn is not in Tabell 1: a link to it gets the usual notice; the caption counts it."""
    at = open_page(COMPARE, measure=RAMS, regions="0136,0140")
    assert not at.exception
    assert at.multiselect(key="regions").value == ["0136"]
    assert "0140" not in at.multiselect(key="regions").options
    assert at.warning[0].value == (
        "Länken angav Nykvarn för ”Markera kommuner”, som inte kan visas här. "
        "Visar Haninge i stället."
    )
    assert (
        "4 av 8 kommuner i Södertörn har värden för måttet och perioden. Källan täcker bara "
        "Botkyrka, Haninge, Huddinge och Södertälje; övriga 4 visas inte i listan och kan inte "
        "sökas fram. Grupper där ingen kommun har värden (20 st) visas inte i gruppvalet."
    ) in [c.value for c in at.caption]
    assert at.selectbox(key="regions_group").options == [
        "Södertörn (4 av 8 med data)",
        "Kommunerna i Stockholms län (4 av 26 med data)",
        "Alla (4 av 8 med data)",
    ]


@pytest.mark.parametrize(
    ("key", "value", "fallback"),
    [
        ("population", "mars", "Södertörn (4 av 8 med data)"),
        ("group", "shoe_size:42", "Totalt 16-64 år"),
        ("view", "hologram", "Diagram"),
    ],
)
def test_a_bad_link_parameter_shows_a_notice_and_the_default(built_tree, key, value, fallback):
    at = open_page(COMPARE, measure=RAMS, **{key: value})
    assert not at.exception
    notices = [w.value for w in at.warning]
    assert any(
        f"Länken angav {value!r} för ”" in n and f"Visar {fallback} i stället" in n for n in notices
    )
    assert len(at.get("plotly_chart")) == 2


def test_a_measure_without_kommun_figures_says_so(built_tree):
    at = open_page(COMPARE, measure="scb_bas_arbetsloshet_20_64")
    assert not at.exception
    assert at.info[0].value.startswith("Måttet har inga värden för någon kommun december 2024.")
    assert not at.get("plotly_chart")


def test_one_measure_at_a_time_is_explained(built_tree):
    at = open_page(COMPARE)
    assert at.expander[0].label == "Varför kan jag inte jämföra två mått?"
    text = at.expander[0].markdown[0].value
    assert "ritas därför aldrig som en serie" in text and "dras aldrig" in text


def test_without_built_data_the_page_says_how_to_build(data_tree):
    at = open_page(COMPARE)
    assert not at.exception
    assert "make data" in at.info[0].value
