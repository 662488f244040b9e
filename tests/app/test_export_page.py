"""The Export page and the download menus under every chart and table, as a user sees them."""

import io
from pathlib import Path

import pandas as pd
import pytest

from labourmarket.core import store
from labourmarket.core.catalog import load_catalog
from labourmarket.core.gaps import compute_gaps, label_gaps
from labourmarket.core.selection import select_rows
from labourmarket.output import formats
from labourmarket.output.formatting import format_gap, format_number
from labourmarket.views.gapanalys import shape_gap_table
from tests.app.conftest import GAP, TARGETS, open_page, read_shown_table
from tests.chromium import CHROMIUM

EXPORT = "app_pages/export.py"
TREND = "app_pages/utveckling.py"
COMPARE = "app_pages/jamfor.py"
TABELL_1 = "af_inskrivna_andel_rams_2013K3_0181-0127-0136-0126_01"


def list_download_keys(at) -> list[str]:
    return [button.key for button in at.get("download_button")]


def test_export_page_offers_the_pack_for_a_kommun_and_period(built_tree):
    at = open_page(EXPORT, region="0181", period="2013K3")
    assert not at.exception
    assert at.title[0].value == "Export"
    assert at.selectbox(key="region").value == "0181"
    assert at.selectbox(key="period").value == "2013K3"
    summary = at.markdown[0].value
    assert "**Södertälje, kv 3 2013**" in summary
    assert "Tabell: Södertälje: Inskrivna arbetslösa" in summary
    assert "Mål: 11 ur strategin" in summary and "(med värden från kv 3 2013)" in summary
    assert "Diagram: 1 st" in summary  # Tabell 1; no target is judged on kv 3 2013
    (button,) = at.get("download_button")
    assert button.proto.label == "Skapa och ladda ner paketet"
    assert button.proto.deferred_file_id  # built on click, not on every rerun
    assert button.proto.disabled is not Path(CHROMIUM).exists()


def test_export_page_defaults_to_the_latest_period(built_tree):
    at = open_page(EXPORT)
    assert at.selectbox(key="region").value == "0181"
    assert at.selectbox(key="period").value == "2023"
    captions = " ".join(caption.value for caption in at.caption)
    assert 'make export ARGS="--regions 0181 --period 2023 --out MAPP"' in captions


@pytest.mark.parametrize(
    ("page", "query", "keys"),
    [
        (
            GAP,
            {},
            [
                f"download_gapanalys_{TABELL_1}_age_niva_{ext}"
                for ext in ("csv", "komma_csv", "xlsx", "png", "svg")
            ],
        ),
        (GAP, {"view": "table"}, [f"download_gapanalys_{TABELL_1}_age_xlsx"]),
        (
            TREND,
            {"measure": "scb_integration_arbetsloshet_20_64", "regions": "0136"},
            [
                "download_utveckling_scb_integration_arbetsloshet_20_64_total_0136_2016_2023_value_png"
            ],
        ),
        (
            COMPARE,
            {"measure": "af_inskrivna_andel_rams"},
            ["download_jamfor_af_inskrivna_andel_rams_2013K3_sodertorn_total_svg"],
        ),
        (
            TARGETS,
            {"region": "0181"},
            ["download_mal_0181_xlsx"],
        ),
    ],
)
def test_every_chart_and_table_has_downloads_named_by_codes(built_tree, page, query, keys):
    at = open_page(page, **query)
    assert not at.exception
    shown = list_download_keys(at)
    for key in keys:
        assert key in shown
    assert all(key.isascii() and " " not in key for key in shown)


def test_gap_table_export_equals_the_table_on_screen(built_tree):
    """Same rows in the same order, every figure rounded as the screen rounds it."""
    at = open_page(GAP, breakdown="education", view="table")
    screen = read_shown_table(at)
    observations, catalog = store.read_observations(), load_catalog()
    selection = select_rows(observations, "af_inskrivna_andel_rams", period="2013K3")
    gaps = compute_gaps(selection, ["0181", "0127", "0136", "0126"], "01", "education")
    table = shape_gap_table(
        label_gaps(gaps, catalog.region_names, "education", "16-64 år"), "Stockholms län"
    )
    exported = pd.read_csv(io.BytesIO(formats.write_csv(table, "sv")), **formats.CSV_DIALECTS["sv"])
    assert (
        exported[["Grupp", "Kommun"]].values.tolist() == screen[["Grupp", "Kommun"]].values.tolist()
    )
    for column in ("Andel (%)", "Stockholms län (%)"):
        assert [format_number(v, 1) for v in exported[column]] == screen[column].tolist()
    gap_column = "Skillnad mot Stockholms län"
    assert [format_gap(v, 1) for v in exported[f"{gap_column} (p.e.)"]] == screen[
        gap_column
    ].tolist()
    ratios = exported["Kvot mot Stockholms län"]
    assert [format_number(v, 2) for v in ratios] == screen["Kvot mot Stockholms län"].tolist()
    assert (ratios == ratios.round(2)).all()
