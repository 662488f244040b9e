"""What a user reads on the pages: a stale link named in Swedish, the gap said once, one
timestamp format, and Swedish placeholders where Streamlit would write English."""

import re

import pytest

from tests.app.conftest import GAP, SOURCES, open_page

NBSP = "\u00a0"
RAMS = "af_inskrivna_andel_rams"
FOUR = "Södertälje, Botkyrka, Haninge, Huddinge"
STAMP = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"


@pytest.mark.parametrize(
    ("key", "value", "notice"),
    [
        pytest.param(
            "measure",
            "okänt_mått",
            "Länken angav 'okänt_mått' för ”Mått”, som inte kan visas här. Visar Inskrivna "
            "arbetslösa, andel av registerbaserad arbetskraft (%) i stället.",
            id="unknown-code-quoted",
        ),
        pytest.param(
            "period",
            "2099K3",
            "Länken angav kv 3 2099 för ”Period”, som inte kan visas här. "
            "Visar kv 3 2013 i stället.",
            id="period-by-name",
        ),
        pytest.param(
            "regions",
            "0140",
            f"Länken angav Nykvarn för ”Kommuner”, som inte kan visas här. Visar {FOUR} i stället.",
            id="kommun-by-name",
        ),
        pytest.param(
            "benchmark",
            "0180",
            "Länken angav Stockholm för ”Jämför med”, som inte kan visas här. "
            "Visar Stockholms län i stället.",
            id="benchmark-by-name",
        ),
        pytest.param(
            "view",
            "hologram",
            "Länken angav 'hologram' för ”Visa”, som inte kan visas här. Visar Diagram i stället.",
            id="view",
        ),
    ],
)
def test_a_stale_link_is_named_by_the_widgets_label_and_the_values_name(
    built_tree, key, value, notice
):
    at = open_page(GAP, **{"measure": RAMS, key: value})
    assert not at.exception
    assert [w.value for w in at.warning] == [notice]


def test_the_largest_gap_is_said_once(built_tree):
    at = open_page(GAP, measure=RAMS)
    said = [m.value for m in at.markdown if "Störst skillnad" in m.value]
    assert said == [
        "#### Störst skillnad mot Stockholms län har Södertälje: 7,4 procentenheter högre både "
        f"för alla 16-64 år (14,5{NBSP}% mot 7,1{NBSP}%) och för unga 18-24 år "
        f"(18,7{NBSP}% mot 11,3{NBSP}%)."
    ]


def test_kallor_and_the_sidebar_give_the_build_time_alike(built_tree):
    at = open_page(SOURCES)
    (sidebar,) = [c.value for c in at.sidebar.caption if c.value.startswith("Data byggd ")]
    built = re.fullmatch(rf"Data byggd ({STAMP}) · .*", sidebar)
    assert built, sidebar
    files = [c.value for c in at.caption if c.value.startswith("Byggt ")]
    assert files == [f"Byggt {built.group(1)} av `python -m etl build` från data/raw."]


def test_the_pickers_have_swedish_placeholders_and_no_english_select_all(built_tree):
    at = open_page(GAP, measure=RAMS)
    regions = at.multiselect(key="regions")
    assert regions.proto.placeholder.startswith("Välj")
    # Unset, the browser shows "Select all" up to 1000 options; 0 never shows it.
    assert regions.proto.HasField("select_all") and regions.proto.select_all == 0
    for box in at.selectbox:
        assert box.proto.placeholder.startswith("Välj"), box.label
