"""The Utveckling page: a view restored from its link, references, transforms, the sentence."""

import plotly.io as pio
import pytest

from tests.app.conftest import PAGE_FILES, decode_array, open_page

TREND = "app_pages/utveckling.py"
NBSP = "\u00a0"


def read_chart(at):
    """The figure as plotly sees it (plotly 7 sends arrays base64-encoded in the JSON)."""
    return pio.from_json(at.get("plotly_chart")[0].proto.spec)


def test_default_renders_the_newest_figures_for_sodertalje(built_tree):
    """The integration statistics (2023) are newer than Tabell 1 (kv 3 2013)."""
    at = open_page(TREND)
    assert not at.exception
    assert at.selectbox(key="measure").value == "scb_integration_arbetsloshet_20_64"
    assert at.markdown[0].value.startswith(
        "År 2023 var arbetslösheten (20-64 år) i Södertälje 16,6 procent."
    )


def test_tabell_1_renders_with_sentence(built_tree):
    at = open_page(TREND, measure="af_inskrivna_andel_rams")
    assert not at.exception
    assert (
        "Kv 3 2013 var arbetslösheten (16-64 år) i Södertälje 14,5 procent" in at.markdown[0].value
    )


def test_a_link_restores_the_view_and_draws_references(built_tree):
    at = open_page(
        TREND,
        measure="scb_bas_arbetsloshet_20_64",
        group="birth_region:foreign_born",
        regions="01",
        **{"from": "2024M01", "to": "2024M12"},
        transform="value",
    )
    assert not at.exception
    assert (at.selectbox(key="from").value, at.selectbox(key="to").value) == ("2024M01", "2024M12")
    chart = read_chart(at)
    assert [trace.name for trace in chart.data] == ["Stockholms län", "Riket"]
    county, country = chart.data
    county_y, country_y = decode_array(county.y), decode_array(country.y)
    assert len(county_y) == 12 and county_y[-1] == 9.6 and country_y[-1] == 12.2
    assert country.line.dash == "dash" and county.marker.symbol == "circle"
    assert at.markdown[0].value.startswith("I december 2024 var arbetslösheten bland utrikes födda")


def test_moving_average_and_year_on_year(built_tree):
    query = {
        "measure": "scb_bas_arbetsloshet_20_64",
        "group": "birth_region:foreign_born",
        "regions": "01",
        "from": "2024M12",
    }
    average = read_chart(open_page(TREND, transform="moving_average", **query))
    change = read_chart(open_page(TREND, transform="year_on_year", **query))
    assert average.layout.yaxis.title.text == "Andel (%), glidande årsmedelvärde"
    assert change.layout.yaxis.title.text.startswith("Förändring mot ett år tidigare")
    assert round(decode_array(average.data[0].y)[-1], 2) == 9.46
    assert round(decode_array(change.data[0].y)[-1], 1) == 0.7


def test_an_annual_series_offers_no_moving_average(built_tree):
    at = open_page(TREND, measure="scb_integration_arbetsloshet_20_64", regions="0136")
    assert at.radio(key="transform").options == ["Värden", "Förändring mot ett år tidigare"]


def test_bad_link_parameters_show_a_notice(built_tree):
    at = open_page(TREND, measure="inget_matt", group="shoe:42")
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "Länken angav 'inget_matt' för ”Mått”" in notices
    assert "Länken angav 'shoe:42' för ”Grupp”" in notices


def test_table_view_shows_swedish_numbers(built_tree):
    at = open_page(
        TREND, measure="scb_integration_arbetsloshet_20_64", regions="0136", view="table"
    )
    styler = at.table[0].proto.arrow_data.styler
    import pyarrow as pa

    shown = pa.ipc.open_stream(styler.display_values).read_all().to_pandas()
    assert shown.iloc[-1].tolist()[-1] == "12,1"


def test_a_series_break_is_marked_on_the_chart(built_tree):
    at = open_page(TREND, measure="scb_integration_arbetsloshet_20_64", regions="0136")
    chart = read_chart(at)
    assert "Seriebrott 2022" in [a.text for a in chart.layout.annotations]
    assert at.markdown[0].value.endswith("Det är 0,1 procentenheter lägre än ett år tidigare.")


def test_a_measure_only_opened_on_elsewhere_gives_way_to_the_longest_series(built_tree):
    """Gapanalys opens on Tabell 1 (it needs a county figure); Utveckling then opens on the
    eight years of integration statistics, not on Tabell 1's single quarter."""
    at = open_page(PAGE_FILES["gapanalys"])
    assert at.selectbox(key="measure").value == "af_inskrivna_andel_rams"
    at.switch_page(TREND).run()
    assert not at.exception
    assert at.selectbox(key="measure").value == "scb_integration_arbetsloshet_20_64"
    assert len(read_chart(at).data[0].x) == 8


def test_a_measure_the_user_chose_follows_to_utveckling(built_tree):
    at = open_page(PAGE_FILES["gapanalys"])
    at.selectbox(key="measure").set_value("scb_bas_arbetsloshet_20_64").run()
    at.switch_page(TREND).run()
    assert at.selectbox(key="measure").value == "scb_bas_arbetsloshet_20_64"


def test_one_period_says_so_and_draws_the_references(built_tree):
    at = open_page(TREND, measure="af_inskrivna_andel_rams")
    assert not at.exception
    assert (
        "Måttet har bara en period (kv 3 2013): utvecklingen kan inte visas; punkterna visar nivån."
    ) in [info.value for info in at.info]
    chart = read_chart(at)
    points = {trace.name: (trace.mode, decode_array(trace.y)) for trace in chart.data}
    # Tabell 1: Stockholms län 7,1 %, Riket 8,5 %, drawn as points like the kommuner.
    assert points["Stockholms län"] == ("lines+markers", [7.1])
    assert points["Riket"] == ("lines+markers", [8.5])
    assert points["Södertälje"] == ("lines+markers", [14.5])
    assert list(chart.layout.xaxis.ticktext) == ["kv 3 2013"]
    assert at.radio(key="transform").options == ["Värden"]


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        (
            {"from": "2020", "to": "2020"},
            "Från och Till är samma period (2020): utvecklingen kan inte visas; punkterna visar "
            "nivån.",
        ),
        ({"from": "2016", "to": "2023"}, None),
    ],
    ids=["same-period", "range"],
)
def test_a_range_of_one_period_says_so(built_tree, query, notice):
    at = open_page(TREND, measure="scb_integration_arbetsloshet_20_64", **query)
    shown = [info.value for info in at.info if "punkterna visar nivån" in info.value]
    assert shown == ([notice] if notice else [])


def test_no_region_asks_for_a_kommun(built_tree):
    at = open_page(TREND)
    at.multiselect(key="regions").set_value([]).run()
    assert "Välj minst en kommun." in [info.value for info in at.info]


@pytest.mark.parametrize(
    ("page_name", "options"),
    [
        ("utveckling", ["Diagram", "Tabell", "Varför?"]),
        ("gapanalys", ["Diagram", "Tabell", "Varför?"]),
        ("jamfor", ["Diagram", "Tabell"]),
    ],
)
def test_visa_is_a_horizontal_radio_on_every_page(built_tree, page_name, options):
    at = open_page(PAGE_FILES[page_name])
    view = at.radio(key="view")
    assert (view.options, view.horizontal) == (options, True)


def test_the_region_picker_says_why_a_kommun_is_missing(built_tree):
    at = open_page(TREND)
    assert at.multiselect(key="regions").placeholder == "Välj kommuner"
    assert (
        "26 av 290 kommuner har värden för måttet. Källan täcker bara kommunerna i Stockholms "
        "län; övriga 264 visas inte i listan och kan inte sökas fram."
    ) in " ".join(c.value for c in at.caption)
    assert "Kommunerna i Skåne län" not in " ".join(at.selectbox(key="regions_group").options)


def test_adding_a_group_says_what_it_added(built_tree):
    """Södertörn's eight kommuner all have integration figures; four of them are chosen."""
    at = open_page(TREND)
    at.selectbox(key="regions_group").set_value("sodertorn").run()
    assert len(at.multiselect(key="regions").value) == 8
    assert "Södertörn (8 av 8 med data): 4 kommuner lades till." in [c.value for c in at.caption]
    at.selectbox(key="regions_group").set_value("sodertorn").run()
    assert "Södertörn (8 av 8 med data): alla med data var redan valda." in [
        c.value for c in at.caption
    ]
