"""The Utveckling page: a view restored from its link, references, transforms, the sentence."""

import plotly.io as pio

from tests.app.conftest import decode_array, open_page

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
    assert "measure = 'inget_matt'" in notices and "group = 'shoe:42'" in notices


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
