"""One registry of download formats: the menus under every chart and table, and the pack's files."""

import io
import zipfile

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image

from labourmarket.core.store import LoadedData
from labourmarket.core.targets import load_targets
from labourmarket.output import formats
from labourmarket.output.shown_table import NumberFormat, make_shown_table
from labourmarket.views.export import assemble_pack, build_pack

NAME = "gapanalys_af_x_2013K3_0181_01"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The menu as ui.offer_downloads built it by hand before the registry: label, file, mime, key.
MENU = [
    ("CSV för svenska Excel", f"{NAME}.csv", "text/csv", f"download_{NAME}_csv"),
    ("CSV (komma, punkt)", f"{NAME}_komma.csv", "text/csv", f"download_{NAME}_komma_csv"),
    ("Excel", f"{NAME}.xlsx", XLSX_MIME, f"download_{NAME}_xlsx"),
    ("Diagram som PNG", f"{NAME}.png", "image/png", f"download_{NAME}_png"),
    ("Diagram som SVG", f"{NAME}.svg", "image/svg+xml", f"download_{NAME}_svg"),
]
STEM = "mal_och_budget_0181_2013K3"
BUILT_AT = "2026-01-01T00:00:00+00:00"


def make_png() -> bytes:
    """A real (tiny) PNG: the Word draft embeds each chart's and python-docx reads its size."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Charts 'drawn' without Chromium; the list records each image format asked for."""
    calls: list[str] = []

    def render(figure: go.Figure, image_format: str) -> bytes:
        calls.append(image_format)
        return make_png() if image_format == "png" else b"<svg/>"

    monkeypatch.setattr(formats, "render_image", render)
    return calls


def make_item(figure: go.Figure | None = None) -> formats.Exportable:
    table = make_shown_table(
        pd.DataFrame({"Kommun": ["Södertälje"], "Andel": [27.0]}), {"Andel": NumberFormat(1)}
    )
    rows = pd.DataFrame(columns=["measure_id", "source_id", "period", "period_start"])
    return formats.Exportable(table, "Titel", "Källa: test", rows, None, BUILT_AT, figure)


@pytest.mark.parametrize(
    ("figure", "expected"), [(go.Figure(), MENU), (None, MENU[:3])], ids=["chart", "table"]
)
def test_the_menu_is_the_one_it_always_was(figure, expected):
    menu = formats.list_downloads(NAME, make_item(figure), has_browser=True)
    assert [(d.label, d.file_name, d.mime, d.key) for d in menu] == expected
    assert not any(d.disabled or d.help_text for d in menu)


def test_without_a_browser_the_images_are_offered_disabled_with_the_reason():
    menu = formats.list_downloads(NAME, make_item(go.Figure()), has_browser=False)
    assert [d.disabled for d in menu] == [False, False, False, True, True]
    assert [d.help_text for d in menu] == [None] * 3 + [formats.IMAGES_NEED_BROWSER] * 2


def test_each_button_writes_its_format_only_when_clicked(drawn):
    item = make_item(go.Figure())
    menu = {d.key: d for d in formats.list_downloads(NAME, item, has_browser=True)}
    assert drawn == []
    assert menu[f"download_{NAME}_csv"].write() == formats.write_csv(item.table, "sv")
    assert menu[f"download_{NAME}_komma_csv"].write() == formats.write_csv(item.table, "plain")
    assert menu[f"download_{NAME}_svg"].write() == b"<svg/>" and drawn == ["svg"]


def test_the_excel_download_has_the_data_and_its_sources(bundled_data: LoadedData):
    rows = bundled_data.observations[bundled_data.observations["region_code"] == "0181"]
    item = formats.Exportable(
        make_item().table, "Titel", "Källa: test", rows, bundled_data.catalog, BUILT_AT
    )
    (excel,) = [d for d in formats.list_downloads(NAME, item, True) if d.label == "Excel"]
    book = openpyxl.load_workbook(io.BytesIO(excel.write()))
    assert book.sheetnames == ["Data", formats.SOURCES_SHEET]
    assert book["Data"]["A1"].value == "Titel" and book["Data"]["B3"].value == 27.0


@pytest.fixture(scope="module")
def pack(bundled_data: LoadedData):
    catalog = bundled_data.catalog
    return assemble_pack(
        bundled_data.observations,
        catalog,
        load_targets(catalog),
        bundled_data.manifest,
        "0181",
        "2013K3",
    )


def read_pack(pack) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(build_pack(pack)))
    return {name.removeprefix(f"{STEM}/"): archive.read(name) for name in archive.namelist()}


def test_the_pack_puts_each_format_in_its_folder(pack, drawn):
    files = read_pack(pack)
    charts, tables = [c.key for c in pack.charts], [t.key for t in pack.tables]
    assert list(files) == [
        f"{STEM}.xlsx",
        f"{STEM}.docx",
        *(f"diagram/{key}.{ext}" for key in charts for ext in ("png", "svg")),
        *(f"csv_svensk_excel/{key}.csv" for key in tables),
        *(f"csv/{key}.csv" for key in tables),
        "LASMIG.txt",
    ]
    assert drawn == ["png", "svg"] * len(charts)  # each chart drawn once per image format
    readme = files["LASMIG.txt"].decode()
    assert (
        "diagram/           varje diagram som PNG och SVG, med rubrik och källrad\n"
        "csv_svensk_excel/  CSV för svenska Excel: semikolon, decimalkomma, UTF-8 med BOM\n"
        "csv/               CSV: komma, decimalpunkt, UTF-8\n\n"
    ) in readme


@pytest.mark.parametrize(
    ("writes", "figure", "folder_of"),
    [("table", None, "tables"), ("chart", go.Figure(), "charts")],
)
def test_a_format_added_in_one_entry_reaches_the_menu_and_the_pack(
    monkeypatch, drawn, pack, writes, figure, folder_of
):
    extra = formats.Format(
        label="JSON",
        extension="json",
        suffix="",
        mime="application/json",
        writes=writes,
        write=lambda item: item.title.encode(),
        pack=formats.PackPlace("json", "JSON: en fil per tabell eller diagram"),
    )
    monkeypatch.setitem(formats.FORMATS, "json", extra)
    menu = formats.list_downloads(NAME, make_item(figure), has_browser=True)
    assert (menu[-1].label, menu[-1].file_name, menu[-1].key) == (
        "JSON",
        f"{NAME}.json",
        f"download_{NAME}_json",
    )
    assert menu[-1].write() == b"Titel"
    files = read_pack(pack)
    items = pack.charts if folder_of == "charts" else pack.tables
    assert {name for name in files if name.startswith("json/")} == {
        f"json/{item.key}.json" for item in items
    }
    first = items[0]
    assert files[f"json/{first.key}.json"] == first.title.encode()
    assert "json/" in files["LASMIG.txt"].decode()
