"""Hostile links: every page falls back to its defaults with a notice, and no value becomes HTML."""

import dataclasses
import io
import re
from collections.abc import Iterator

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from labourmarket import ui
from labourmarket.core import store
from labourmarket.core.catalog import load_catalog
from labourmarket.core.gaps import compute_gaps, label_gaps
from labourmarket.core.selection import select_rows
from labourmarket.output import formats
from labourmarket.output.formatting import quote_link_value
from labourmarket.pages import PAGES
from labourmarket.views.gapanalys import shape_gap_table
from tests.app.conftest import PAGE_FILES, open_page

# The URL keys each page reads, by page name; each but slide is also its widget's key.
PAGE_KEYS = {
    "oversikt": ["measure", "regions"],
    "gapanalys": ["measure", "period", "regions", "benchmark", "breakdown", "view"],
    "utveckling": ["measure", "group", "regions", "from", "to", "view", "transform"],
    "jamfor": [
        "measure",
        "period",
        "view",
        "population",
        "group",
        "regions",
        "profile",
        "benchmark",
    ],
    "mal": ["region"],
    "namndvy": ["view", "agenda", "region", "slide", "news"],
    "export": ["region", "period"],
    "kallor": ["measure", "region"],
}
SCRIPT = "<script>alert(1)</script>"
LONG = "9" * 10_000  # a huge slide number, and a 10 000-character value
HOSTILE = {
    "script": SCRIPT,
    "path": "../../etc/passwd",
    "long": LONG,
    "sql": "0181' OR 1=1",
    "unknown code": "9999",
    "negative": "-1",
    "markdown link": "[Logga in här](https://evil.example/login)",
}
# Every value on the pages with the most URL state; every page on the two nastiest values.
CASES = sorted(
    {(page, name) for page in ("gapanalys", "namndvy") for name in HOSTILE}
    | {(page.name, name) for page in PAGES for name in ("script", "long")}
)


@pytest.fixture(autouse=True)
def clear_streamlit_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def walk(node: object) -> Iterator[object]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def list_texts(at: AppTest) -> list[tuple[str, bool]]:
    """Every text the page sends (markdown, alerts, captions, html) and whether it is raw HTML."""
    texts = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        body = getattr(proto, "body", None)
        if isinstance(body, str):
            is_html = type(proto).__name__ == "Html" or getattr(proto, "allow_html", False)
            texts.append((body, is_html))
    return texts


def remove_code_spans(markdown: str) -> str:
    return re.sub(r"`[^`]*`", "", markdown)


def widget_labels(at: AppTest, keys: list[str]) -> dict[str, str]:
    """The Swedish label of every widget whose key is a URL key: what a notice names."""
    return {
        widget.key: widget.label
        for kind in ("selectbox", "multiselect", "radio")
        for widget in getattr(at, kind)
        if widget.key in keys
    }


def widget_values(at: AppTest, keys: list[str]) -> dict[str, object]:
    """The value of every widget whose key is a URL key (slide is no widget: read the URL)."""
    shown = {}
    for kind in ("selectbox", "multiselect", "radio"):
        for widget in getattr(at, kind):
            if widget.key in keys:
                shown[widget.key] = widget.value
    return shown


def test_every_page_has_its_url_keys():
    """A page added to labourmarket.pages.PAGES needs its URL keys here, or it goes untested."""
    assert sorted(PAGE_KEYS) == sorted(page.name for page in PAGES)


@pytest.mark.parametrize(("page_name", "name"), CASES, ids=[f"{p}-{n}" for p, n in CASES])
def test_a_hostile_link_falls_back_and_stays_text(built_tree, page_name, name):
    page, keys = PAGE_FILES[page_name], PAGE_KEYS[page_name]
    default = open_page(page)
    hostile = HOSTILE[name]
    at = open_page(page, **dict.fromkeys(keys, hostile))
    assert not at.exception
    assert widget_values(at, keys) == widget_values(default, keys)
    notices = " ".join(w.value for w in at.warning)
    for key, label in widget_labels(default, keys).items():
        assert f"för ”{label}”, som inte kan visas här" in notices, key
    if "slide" in keys:
        assert "Länken angav bild" in notices
        assert at.query_params["slide"] == "1"
    for text, is_html in list_texts(at):
        if text == ui.SET_LANGUAGE_SV:
            continue  # the app's own constant script (lang="sv"), the same on every page
        assert not (is_html and hostile in text)
        assert "<script" not in remove_code_spans(text)
        assert "evil.example" not in remove_code_spans(text)
        assert "9" * 100 not in text


@pytest.mark.parametrize("agenda", ["../../etc/passwd", "../agendas/x", "/etc/passwd", "trasig"])
def test_an_agenda_is_only_ever_a_known_agenda_id(built_tree, agenda):
    """The agenda value picks among the files found in reference/agendas; it is never a path."""
    at = open_page(PAGE_FILES["namndvy"], agenda=agenda)
    assert not at.exception
    assert at.selectbox(key="agenda").value == "mal"
    assert "för ”Dagordning”, som inte kan visas här" in " ".join(w.value for w in at.warning)


HYPERLINK = '=HYPERLINK("http://x")'


def test_a_hostile_label_is_neutralised_in_every_spreadsheet(built_tree):
    """A crafted region and measure name reach the exports as text starting with '."""
    catalog = load_catalog()
    regions = catalog.regions.copy()
    regions.loc[regions["region_code"] == "0181", "region_name"] = HYPERLINK
    measures = catalog.measures.copy()
    measures.loc[measures["measure_id"] == "af_inskrivna_andel_rams", "name_sv"] = HYPERLINK
    crafted = dataclasses.replace(catalog, regions=regions, measures=measures)
    selection = select_rows(store.read_observations(), "af_inskrivna_andel_rams", period="2013K3")
    gaps = compute_gaps(selection, ["0181", "0127"], "01", "birth_region")
    table = shape_gap_table(
        label_gaps(gaps, crafted.region_names, "birth_region", "16-64 år"), "Stockholms län"
    )
    content = formats.write_view_xlsx(
        table, HYPERLINK, "Källa: test", selection, crafted, "2026-01-01T00:00:00+00:00"
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    crafted_cells = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    # The title, the kommun's rows in the data sheet and the measure's name in Källor.
    assert len(crafted_cells) >= 4
    assert all(c.value.startswith("'=HYPERLINK") and c.data_type == "s" for c in crafted_cells)
    assert {c.parent.title for c in crafted_cells} == {"Data", formats.SOURCES_SHEET}
    for dialect in ("sv", "plain"):
        read = pd.read_csv(
            io.BytesIO(formats.write_csv(table, dialect)), **formats.CSV_DIALECTS[dialect]
        )
        kommun = read["Kommun"].tolist()
        assert kommun.count(f"'{HYPERLINK}") == 3 and not any(k.startswith("=") for k in kommun)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("9999", "'9999'"),
        ("shoe_size:42", "'shoe_size:42'"),
        ("två", "'två'"),
        ("a\nb", "'a b'"),
        ("[Logga in](https://evil.example)", "`[Logga in](https://evil.example)`"),
        ("www.evil.example", "`www.evil.example`"),
        (SCRIPT, f"`{SCRIPT}`"),
        ("a`b", "`a'b`"),
        (LONG, f"`{'9' * 40}…`"),
    ],
)
def test_quote_link_value_shows_a_value_as_text(value, shown):
    """Plain codes quoted as before; anything markdown could read goes in a code span."""
    assert quote_link_value(value) == shown
