"""The Gapanalys page as a user sees it: defaults, choices, numbers, and no-data guidance."""

import hashlib
import json

import pytest

from etl.pipeline import build
from tests.app.conftest import GAP, open_page, read_charts, read_shown_table

NBSP = "\u00a0"


def find_row(table, group: str, kommun: str) -> dict:
    rows = table[(table["Grupp"] == group) & (table["Kommun"] == kommun)]
    assert len(rows) == 1, f"{group}/{kommun} not shown once in\n{table}"
    return rows.iloc[0].to_dict()


def test_default_view_is_tabell_1_for_the_four_kommuner_against_the_county(built_tree):
    at = open_page(GAP)
    assert not at.exception
    assert at.title[0].value == "Gapanalys"
    assert at.selectbox(key="measure").value == "af_inskrivna_andel_rams"
    assert at.selectbox(key="period").value == "2013K3"
    assert at.multiselect(key="regions").value == ["0181", "0127", "0136", "0126"]
    assert at.radio(key="benchmark").value == "01"
    assert at.radio(key="view").value == "chart"
    assert len(at.get("plotly_chart")) == 2


def test_charts_carry_values_gaps_and_source_line(built_tree):
    at = open_page(GAP, breakdown="birth_region")
    levels, gaps = read_charts(at)
    bars = {trace["name"]: trace for trace in levels["data"]}
    assert bars["Södertälje"]["text"][-1] == "27,0"
    assert bars["Stockholms län"]["text"][-1] == "15,7"
    assert {trace["name"]: trace["text"][-1] for trace in gaps["data"]}["Södertälje"] == "+11,3"
    for figure in (levels, gaps):
        source = figure["layout"]["annotations"][0]["text"]
        assert source.startswith("Källa: Arbetsförmedlingen, Arbetsmarknadsutsikterna 2013-2014")
        assert "kv 3 2013" in source
        assert figure["layout"]["template"]["layout"]["separators"] == ", "  # the house template


def test_birth_region_table_shows_foreign_born_and_gap_to_county(built_tree):
    at = open_page(GAP)
    at.radio(key="breakdown").set_value("birth_region").run()
    at.radio(key="view").set_value("table").run()
    assert not at.exception
    row = find_row(read_shown_table(at), "Utrikes födda", "Södertälje")
    assert row["Andel (%)"] == "27,0"
    assert row["Stockholms län (%)"] == "15,7"
    assert row["Skillnad mot Stockholms län"] == f"+11,3{NBSP}p.e."
    assert "11,3 procentenheter högre" in at.markdown[0].value
    assert at.query_params["breakdown"] == "birth_region"


@pytest.mark.parametrize(
    ("breakdown", "group", "kommun", "value", "county", "gap"),
    [
        ("age", "18-24 år", "Södertälje", "18,7", "11,3", "+7,4"),
        ("age", "Totalt 16-64 år", "Huddinge", "7,3", "7,1", "+0,2"),
        ("education", "Förgymnasial", "Södertälje", "29,3", "17,2", "+12,1"),
        ("education", "Eftergymnasial", "Haninge", "6,8", "5,2", "+1,6"),
        ("birth_region", "Inrikes födda", "Huddinge", "4,3", "4,3", "±0,0"),
    ],
)
def test_table_rows_by_breakdown(built_tree, breakdown, group, kommun, value, county, gap):
    at = open_page(GAP, breakdown=breakdown, view="table")
    row = find_row(read_shown_table(at), group, kommun)
    assert (row["Andel (%)"], row["Stockholms län (%)"]) == (value, county)
    assert row["Skillnad mot Stockholms län"] == f"{gap}{NBSP}p.e."


def test_riket_as_benchmark(built_tree):
    at = open_page(GAP, breakdown="birth_region", view="table")
    at.radio(key="benchmark").set_value("00").run()
    row = find_row(read_shown_table(at), "Utrikes födda", "Södertälje")
    assert (row["Riket (%)"], row["Skillnad mot Riket"]) == ("20,7", f"+6,3{NBSP}p.e.")


def test_a_shared_link_reopens_the_exact_view(built_tree):
    at = open_page(GAP, regions="0136,0181", benchmark="00", breakdown="education", view="table")
    assert at.multiselect(key="regions").value == ["0136", "0181"]
    table = read_shown_table(at)
    assert table["Kommun"].unique().tolist() == ["Haninge", "Södertälje"]
    assert list(table.columns[2:4]) == ["Andel (%)", "Riket (%)"]


def test_unknown_link_values_fall_back_to_defaults(built_tree):
    at = open_page(GAP, regions="9999", benchmark="Mars", breakdown="shoe_size", view="table")
    assert not at.exception
    assert at.multiselect(key="regions").value == ["0181", "0127", "0136", "0126"]
    assert (at.radio(key="benchmark").value, at.radio(key="breakdown").value) == ("01", "age")
    notices = [w.value for w in at.warning]
    # The widget's Swedish label, never the URL's English key.
    assert notices[0] == (
        "Länken angav '9999' för ”Kommuner”, som inte kan visas här. "
        "Visar Södertälje, Botkyrka, Haninge, Huddinge i stället."
    )
    assert (
        "Länken angav 'shoe_size' för ”Uppdelning”, som inte kan visas här. Visar Ålder i stället."
        in notices
    )


def test_a_group_adds_its_kommuner_to_the_comparison(built_tree):
    at = open_page(GAP, regions="0181")
    at.selectbox(key="regions_group").set_value("sodertorn").run()
    assert at.multiselect(key="regions").value == ["0181", "0127", "0136", "0126"]
    assert at.selectbox(key="regions_group").value is None


def test_the_comparison_set_follows_the_user_to_another_page(built_tree):
    at = open_page(GAP)
    at.multiselect(key="regions").set_value(["0136", "0126"]).run()
    at.switch_page("app_pages/oversikt.py").run()
    assert not at.exception
    assert at.multiselect(key="regions").value == ["0136", "0126"]
    assert [h.value for h in at.subheader] == ["Haninge", "Huddinge"]


def test_no_kommun_chosen_asks_for_one(built_tree):
    at = open_page(GAP)
    at.multiselect(key="regions").set_value([]).run()
    assert not at.exception
    assert "Välj minst en kommun." in [info.value for info in at.info]


def test_without_built_data_the_page_says_how_to_build(data_tree):
    at = open_page(GAP)
    assert not at.exception
    assert "make data" in at.info[0].value
    assert not at.get("plotly_chart")


def test_a_rebuild_shows_without_restart(built_tree):
    at = open_page(GAP, breakdown="birth_region", view="table")
    assert find_row(read_shown_table(at), "Utrikes födda", "Södertälje")["Andel (%)"] == "27,0"
    raw = built_tree / "raw" / "seed" / "sodertalje_2014_tabell1.txt"
    raw.write_bytes(raw.read_bytes().replace(b"27,0", b"26,0"))
    sidecar = raw.with_name("sodertalje_2014_tabell1.provenance.json")
    provenance = json.loads(sidecar.read_text(encoding="utf-8"))
    provenance["sha256"] = hashlib.sha256(raw.read_bytes()).hexdigest()
    sidecar.write_text(json.dumps(provenance), encoding="utf-8")
    build()
    at.run()
    assert find_row(read_shown_table(at), "Utrikes födda", "Södertälje")["Andel (%)"] == "26,0"


def test_bas_measure_compares_the_county_with_the_country(built_tree):
    """BAS has no kommun rows: the page compares Stockholms län with Riket, latest month first."""
    at = open_page(GAP, measure="scb_bas_arbetsloshet_20_64", view="table")
    assert not at.exception
    assert at.selectbox(key="period").value == "2024M12"
    assert at.multiselect(key="regions").value == ["01"]
    assert at.radio(key="benchmark").options == ["Riket"]
    row = find_row(read_shown_table(at), "Utrikes födda", "Stockholms län")
    assert (row["Andel (%)"], row["Riket (%)"]) == ("9,6", "12,2")
    assert row["Skillnad mot Riket"] == f"\u22122,6{NBSP}p.e."
    assert any(
        "Källa: SCB, Befolkningens arbetsmarknadsstatus (BAS)" in c.value for c in at.caption
    )


def test_measure_without_benchmark_says_so(built_tree):
    at = open_page(GAP, measure="scb_integration_arbetsloshet_20_64")
    assert not at.exception
    assert "inget läns- eller riksvärde" in at.warning[0].value


def test_sidebar_counts_published_figures(built_tree):
    at = open_page(GAP)
    assert any("610 publicerade värden" in caption.value for caption in at.sidebar.caption)


def test_changing_the_measure_gives_no_stale_link_notice(built_tree):
    """The old period stays in the URL until replaced; it is this session's, not a bad link."""
    at = open_page(GAP)
    at.selectbox(key="measure").set_value("scb_bas_arbetsloshet_20_64").run()
    assert not at.exception
    assert at.selectbox(key="period").value == "2024M12"
    assert not [w.value for w in at.warning if "Länken angav" in w.value]


def test_a_damaged_parquet_is_explained_not_a_crash(built_tree):
    (built_tree / "clean" / "observations.parquet").write_bytes(b"PAR1 not really")
    at = open_page(GAP)
    assert not at.exception
    assert "Datan kunde inte läsas" in at.error[0].value
    assert "make data" in at.info[0].value


NEWER_BAS = (
    "Nyare siffror finns: SCB har värden till och med december 2024 "
    "(Arbetslöshet enligt BAS, 20-64 år (%))."
)


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        # Said even though the integration measure has nothing to compare with.
        ({"measure": "scb_integration_arbetsloshet_20_64", "period": "2023"}, NEWER_BAS),
        ({"measure": "scb_bas_arbetsloshet_20_64", "period": "2023M06"}, NEWER_BAS),
        ({"measure": "scb_bas_arbetsloshet_20_64", "period": "2024M12"}, None),
        ({}, None),  # Tabell 1: Arbetsförmedlingen has nothing newer in the data
    ],
)
def test_an_older_figure_than_the_publishers_newest_says_so(built_tree, query, notice):
    at = open_page(GAP, **query)
    assert not at.exception
    shown = [i.value for i in at.info if i.value.startswith("Nyare siffror finns")]
    assert shown == ([notice] if notice else [])
