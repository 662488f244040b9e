"""Every chart a page draws is styled by the registered house template, in Swedish number style."""

import json

import plotly.io as pio
import pytest

from labourmarket.output.charts import HOUSE_LAYOUT, TEMPLATE
from tests.app.conftest import PAGE_FILES, open_page

BAS = "scb_bas_arbetsloshet_20_64"
RAMS = "af_inskrivna_andel_rams"
# (page, link): together they draw every kind of chart the app has.
CHARTED_PAGES = [
    ("gapanalys", {}),
    ("utveckling", {}),
    ("utveckling", {"measure": BAS, "regions": "01", "view": "why"}),
    ("utveckling", {"measure": BAS, "regions": "01", "transform": "year_on_year"}),
    ("jamfor", {"measure": RAMS, "regions": "0136,0140"}),
    ("namndvy", {"agenda": "haninge_ks_2026-12", "slide": "6"}),
    ("namndvy", {"agenda": "haninge_ks_2026-12", "view": "handout"}),
]


def test_the_template_is_registered_with_swedish_separators():
    layout = pio.templates[TEMPLATE].layout
    assert layout.separators == ", "
    assert layout.font.family.startswith("Source Sans Pro")
    assert layout.font.size == HOUSE_LAYOUT["font"]["size"]


@pytest.mark.parametrize(("page", "query"), CHARTED_PAGES, ids=lambda v: str(v))
def test_every_chart_on_the_page_carries_the_template(built_tree, page, query):
    at = open_page(PAGE_FILES[page], **query)
    assert not at.exception
    charts = at.get("plotly_chart")
    assert charts, f"{page} {query} draws no chart"
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        template = spec["layout"]["template"]["layout"]
        # The separators come from the template alone: no figure overrides them.
        assert template["separators"] == ", "
        assert "separators" not in spec["layout"]
        assert template["font"]["family"] == HOUSE_LAYOUT["font"]["family"]
        assert template["margin"]["l"] == HOUSE_LAYOUT["margin"]["l"]
        # Streamlit's own theme would merge its fonts and margins into the template's layout.
        assert chart.proto.theme == ""
