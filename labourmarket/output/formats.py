"""Exports as bytes in memory (CSV, Excel, PNG/SVG, Word, zip) and FORMATS, the download list."""

import asyncio
import atexit
import contextlib
import io
import re
import threading
import time
import unicodedata
import zipfile
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal

import kaleido
import pandas as pd
import plotly.graph_objects as go
import xlsxwriter
from choreographer.browsers.chromium import Chromium
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from kaleido.errors import ChromeNotFoundError

from labourmarket.core.catalog import Catalog
from labourmarket.core.periods import parse_period
from labourmarket.output.formatting import is_missing
from labourmarket.output.measure_sources import shape_sources_table
from labourmarket.output.shown_table import ShownTable

# NOTE: imports nothing from streamlit; pages reach these builders through labourmarket.ui.

CsvDialect = Literal["sv", "plain"]
# Swedish Excel opens `;`-separated UTF-8 with a BOM and decimal commas without an import dialog.
CSV_DIALECTS: dict[str, dict[str, str]] = {
    "sv": {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"},
    "plain": {"sep": ",", "decimal": ".", "encoding": "utf-8"},
}
# A spreadsheet reads a cell starting with one of these as a formula (tab and CR: OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ZIP_MIME = "application/zip"
IMAGES_NEED_BROWSER = (
    "Diagrambilder kräver Chromium på servern (Debian: apt-get install chromium) "
    "eller BROWSER_PATH satt till en Chrome-kompatibel webbläsare."
)
SHEET_NAME_LENGTH = 31  # Excel's limit
MAX_COLUMN_WIDTH = 60  # characters; longer text wraps
IMAGE_WIDTH = 1100  # pixels: the house style's 130-character source line fits on one line
PNG_SCALE = 2  # sharp in print and on a projector
IMAGE_TIMEOUT = 90  # seconds for Chromium to start or to draw one chart
# A4 with 2,5 cm margins all round, as municipal document templates have them.
DOCX_PAGE = (Cm(21), Cm(29.7))
DOCX_MARGIN = Cm(2.5)
DOCX_IMAGE_WIDTH = Cm(16)  # the text width between those margins
DOCX_LANGUAGE = "sv-SE"
EMPTY_CELL_NOTE = "Tom cell: värdet saknas eller är undertryckt i källan (..). Det är aldrig noll."
SOURCES_SHEET = "Källor"


class ImageExportError(Exception):
    """A chart image could not be drawn; the message says what to install or set."""


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise every text cell and header; numbers, negative ones too, stay numbers."""
    cells = {
        column: values.map(lambda v: neutralise(v) if isinstance(v, str) else v)
        if values.dtype == object or pd.api.types.is_string_dtype(values)
        else values
        for column, values in frame.items()
    }
    return pd.DataFrame(cells).set_axis([neutralise(str(c)) for c in frame.columns], axis=1)


def compose_file_name(*parts: str | Sequence[str]) -> str:
    """A file name from codes only: `gapanalys_af_inskrivna_andel_rams_2013K3_0181-0127_01`.

    A list of codes is joined with `-`; more than six become a count, so a name stays short.
    Anything but letters, digits, `-` and `_` is replaced: a name never carries free text.
    """
    words = []
    for part in parts:
        if isinstance(part, str):
            words.append(part)
        else:
            words.append("-".join(part) if len(part) <= 6 else f"{len(part)}regioner")
    return re.sub(r"[^A-Za-z0-9_-]", "-", "_".join(w for w in words if w))


def compose_readable_name(*words: str) -> str:
    """A file name a Swedish reader can read, in ASCII: `tabell01_arbetsloshet_20-64_ar_2023`.

    Swedish letters lose their marks (å, ä -> a; ö -> o), anything but letters, digits and `-`
    becomes `_`: a name from free text is still safe on every file system and in a zip.
    """
    text = "_".join(word for word in words if word).replace("–", "-").lower()
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9-]", "_", folded)).strip("_")


def compose_period_name(code: str) -> str:
    """A period as a file name says it: 2023, kv3_2013, 2024-10."""
    frequency = parse_period(code).frequency
    if frequency == "Q":
        return f"kv{code[-1]}_{code[:4]}"
    if frequency == "M":
        return f"{code[:4]}-{code[5:]}"
    return code


def compose_span_name(first: str, last: str) -> str:
    """The periods from first to last in a file name: 2016-2023, 2023-01_till_2024-06."""
    names = [compose_period_name(first), compose_period_name(last)]
    if names[0] == names[1]:
        return names[0]
    return "_till_".join(names) if any("-" in name for name in names) else "-".join(names)


def compose_sheet_span(first: str, last: str) -> str:
    """The periods from first to last in a sheet's name: 2023, kv3 2013, 2016–2023."""
    names = dict.fromkeys(compose_period_name(p).replace("_", " ") for p in (first, last))
    return "–".join(names)


def shape_export_frame(table: ShownTable) -> pd.DataFrame:
    """The frame an export writes: units in the headers, whole numbers as integers."""
    frame = table.export_frame()
    for column, header in zip(table.frame.columns, frame.columns, strict=True):
        number = table.formats.get(column)
        if number is not None and number.decimals == 0:
            frame[header] = frame[header].astype("Int64")
        elif isinstance(frame[header].dtype, pd.CategoricalDtype):
            # Codes read from Parquet are categoricals; a file holds them as plain text.
            frame[header] = frame[header].astype("str")
    return frame


def write_csv(table: ShownTable, dialect: CsvDialect = "sv") -> bytes:
    """CSV in the Swedish Excel dialect (`;`, decimal comma, BOM) or the plain one (`,`, `.`)."""
    options = CSV_DIALECTS[dialect]
    frame = neutralise_frame(shape_export_frame(table))
    text = frame.to_csv(index=False, sep=options["sep"], decimal=options["decimal"])
    return text.encode(options["encoding"])


@dataclass(frozen=True)
class Sheet:
    """One table on its own worksheet: a title above it, notes (source line, dates) below it."""

    name: str
    table: ShownTable
    title: str = ""
    notes: tuple[str, ...] = ()


def measure_width(header: str, cells: list[str]) -> int:
    longest = max([len(header), *(len(c) for c in cells)])
    return min(longest + 2, MAX_COLUMN_WIDTH)


def write_sheet(book: xlsxwriter.Workbook, sheet: Sheet, styles: Mapping[str, Any]) -> None:
    """Title, a frozen header, real numbers in their number format, column widths, notes."""
    worksheet = book.add_worksheet(sheet.name[:SHEET_NAME_LENGTH])
    frame = shape_export_frame(sheet.table)
    first = 0
    if sheet.title:
        worksheet.write_string(0, 0, neutralise(sheet.title), styles["title"])
        first = 1
    worksheet.freeze_panes(first + 1, 0)
    number_styles = {
        header: book.add_format({"num_format": sheet.table.formats[column].excel_format})
        for column, header in zip(sheet.table.frame.columns, frame.columns, strict=True)
        if column in sheet.table.formats
    }
    for index, header in enumerate(frame.columns):
        worksheet.write_string(first, index, neutralise(str(header)), styles["header"])
        texts = []
        for offset, value in enumerate(frame[header], start=first + 1):
            if is_missing(value) or value is pd.NA:
                worksheet.write_blank(offset, index, None)
            elif header in number_styles:
                worksheet.write_number(offset, index, float(value), number_styles[header])
                texts.append(f"{value}")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                # A number without a shown format (a count) is still a number, never "'-1" text.
                worksheet.write_number(offset, index, value)
                texts.append(f"{value}")
            else:
                text = neutralise(str(value))
                worksheet.write_string(offset, index, text, styles["text"])
                texts.append(text)
        worksheet.set_column(index, index, measure_width(str(header), texts))
    notes = [note for note in sheet.notes if note]
    for offset, note in enumerate(notes, start=first + len(frame) + 2):
        worksheet.write_string(offset, 0, neutralise(note), styles["note"])


def write_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """An Excel workbook, one sheet per table, numbers as numbers: Excel shows them its own way."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    styles = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "header": book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1}),
        "text": book.add_format({"text_wrap": True, "valign": "top"}),
        "note": book.add_format({"italic": True, "font_color": "#555555"}),
    }
    for sheet in sheets:
        write_sheet(book, sheet, styles)
    book.close()
    return buffer.getvalue()


def describe_built(built_at: str) -> str:
    """When the data behind an export was built, in Swedish time."""
    built = pd.Timestamp(built_at).tz_convert("Europe/Stockholm")
    return f"Data byggd {built:%Y-%m-%d %H:%M} ur publicerade källfiler."


def shape_sources_sheet(rows: pd.DataFrame, catalog: Catalog, built_at: str) -> Sheet:
    """The Källor sheet: each measure's definition, source, licence, retrieval and build dates."""
    table = shape_sources_table(rows, catalog, built_at)
    return Sheet(
        SOURCES_SHEET, table, "Källor, definitioner och datum", (describe_built(built_at),)
    )


def compose_notes(source_line: str, built_at: str) -> tuple[str, ...]:
    """What stands under every exported table: source line, build date, what a blank means."""
    built = f"{describe_built(built_at)} Källor och definitioner: bladet {SOURCES_SHEET}."
    return (source_line, built, EMPTY_CELL_NOTE)


def write_view_xlsx(
    table: ShownTable,
    title: str,
    source_line: str,
    rows: pd.DataFrame,
    catalog: Catalog,
    built_at: str,
) -> bytes:
    """One view's table as a workbook: the data sheet and its Källor sheet."""
    data = Sheet("Data", table, title, compose_notes(source_line, built_at))
    return write_xlsx([data, shape_sources_sheet(rows, catalog, built_at)])


def find_browser() -> str | None:
    """The Chromium kaleido would start (BROWSER_PATH first), or None when there is none."""
    path = Chromium.find_browser(skip_local=False)
    return path if path and Path(path).exists() else None


class ChartRenderer:
    """One headless Chromium, driven by kaleido, that draws every chart image of this process.

    kaleido's own start_sync_server() waits forever when Chromium is missing or dies (its worker
    thread ends and the request queue is never answered); here every wait has a timeout, an
    error reaches the caller, and the next call starts a fresh browser.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._browser: kaleido.Kaleido | None = None

    def render(self, figure: dict[str, Any], options: dict[str, Any]) -> bytes:
        with self._lock:
            try:
                if self._browser is None:
                    self._start()
                assert self._browser is not None
                return self._wait(self._browser.calc_fig(figure, opts=options))
            except ChromeNotFoundError as error:
                self._stop()
                raise ImageExportError(
                    "Diagrambilder kräver Chromium (Debian: apt-get install chromium) "
                    f"eller BROWSER_PATH satt till en Chrome-kompatibel webbläsare. {error}"
                ) from error
            except Exception as error:
                # A timeout, a crashed browser or a figure Chromium refused: start afresh next time.
                self._stop()
                raise ImageExportError(f"Diagrambilden kunde inte ritas: {error!r}") from error

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _start(self) -> None:
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="chart-images", daemon=True).start()
        self._loop = loop

        async def open_browser() -> kaleido.Kaleido:
            # mathjax=False: no formulas in these charts, and no fetch from a CDN.
            browser = kaleido.Kaleido(mathjax=False, timeout=IMAGE_TIMEOUT)
            await browser.open()
            return browser

        self._browser = self._wait(open_browser())

    def _wait(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout=IMAGE_TIMEOUT)

    def _stop(self) -> None:
        browser, loop = self._browser, self._loop
        self._browser = self._loop = None
        if loop is None:
            return
        if browser is not None:
            # A browser that already failed may not close cleanly; the loop stops regardless.
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(browser.close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)


RENDERER = ChartRenderer()
atexit.register(RENDERER.close)


def prepare_for_image(figure: go.Figure) -> go.Figure:
    """A copy sized for a document page: wide enough for the source line, the title off the edge."""
    image = go.Figure(figure)
    image.update_layout(width=IMAGE_WIDTH, title={"pad": {"l": 12}})
    return image


def render_image(figure: go.Figure, image_format: Literal["png", "svg"]) -> bytes:
    """The chart as PNG or SVG, with its title and source line (data period, retrieval date)."""
    image = prepare_for_image(figure)
    options = {
        "format": image_format,
        "width": IMAGE_WIDTH,
        "height": image.layout.height or 500,
        "scale": PNG_SCALE if image_format == "png" else 1,
    }
    return RENDERER.render(image.to_dict(), options)


@dataclass(frozen=True)
class Exportable:
    """A table, and the chart drawn from it if any, with everything a format may need."""

    table: ShownTable
    title: str
    source_line: str
    rows: pd.DataFrame  # the observations behind the table: the workbook's Källor sheet
    catalog: Catalog
    built_at: str
    figure: go.Figure | None = None


@dataclass(frozen=True)
class PackPlace:
    """The Mål och budget pack's folder for a format's files, and its line in LASMIG.txt."""

    folder: str
    about: str


@dataclass(frozen=True)
class Format:
    """One file a table or chart downloads as, and where the pack puts it (None: not there)."""

    label: str  # Swedish, as the download menu shows it
    extension: str
    suffix: str  # after the name, telling two formats with one extension apart
    mime: str
    writes: Literal["table", "chart"]  # a chart format is offered only where there is a figure
    write: Callable[[Exportable], bytes]
    pack: PackPlace | None = None
    needs_browser: bool = False  # drawn in Chromium: offered disabled on a server without one


DIAGRAMS = PackPlace("diagram", "varje diagram som PNG och SVG, med rubrik och källrad")
# The download menus list these in this order; the pack writes every one with a place.
FORMATS: dict[str, Format] = {
    "csv": Format(
        label="CSV för svenska Excel",
        extension="csv",
        suffix="",
        mime="text/csv",
        writes="table",
        write=lambda item: write_csv(item.table, "sv"),
        pack=PackPlace(
            "csv_svensk_excel", "CSV för svenska Excel: semikolon, decimalkomma, UTF-8 med BOM"
        ),
    ),
    "csv_komma": Format(
        label="CSV (komma, punkt)",
        extension="csv",
        suffix="_komma",
        mime="text/csv",
        writes="table",
        write=lambda item: write_csv(item.table, "plain"),
        pack=PackPlace("csv", "CSV: komma, decimalpunkt, UTF-8"),
    ),
    # The pack holds one workbook of all its tables instead (number_sheets in views/export).
    "xlsx": Format(
        label="Excel",
        extension="xlsx",
        suffix="",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        writes="table",
        write=lambda item: write_view_xlsx(
            item.table, item.title, item.source_line, item.rows, item.catalog, item.built_at
        ),
    ),
    "png": Format(
        label="Diagram som PNG",
        extension="png",
        suffix="",
        mime="image/png",
        writes="chart",
        write=lambda item: render_image(item.figure, "png"),
        pack=DIAGRAMS,
        needs_browser=True,
    ),
    "svg": Format(
        label="Diagram som SVG",
        extension="svg",
        suffix="",
        mime="image/svg+xml",
        writes="chart",
        write=lambda item: render_image(item.figure, "svg"),
        pack=DIAGRAMS,
        needs_browser=True,
    ),
}


@dataclass(frozen=True)
class Download:
    """One download button: its label, the file it saves, and whether it works on this server."""

    label: str
    file_name: str
    mime: str
    key: str
    write: Callable[[], bytes]  # called on click, so a rerun never waits for a file
    disabled: bool = False
    help_text: str | None = None


def list_downloads(name: str, item: Exportable, has_browser: bool) -> list[Download]:
    """The download menu under a table (and its chart): each registered format that fits it.

    `name` is built from codes (compose_file_name); each file is written only when its button
    is clicked.
    """
    downloads = []
    for file_format in FORMATS.values():
        if file_format.writes == "chart" and item.figure is None:
            continue
        unusable = file_format.needs_browser and not has_browser
        downloads.append(
            Download(
                label=file_format.label,
                file_name=f"{name}{file_format.suffix}.{file_format.extension}",
                mime=file_format.mime,
                key=f"download_{name}{file_format.suffix}_{file_format.extension}",
                write=partial(file_format.write, item),
                disabled=unusable,
                help_text=IMAGES_NEED_BROWSER if unusable else None,
            )
        )
    return downloads


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    is_source: bool = False  # small grey type under a table or chart


@dataclass(frozen=True)
class Table:
    table: ShownTable


@dataclass(frozen=True)
class Picture:
    png: bytes
    alt_text: str  # read aloud by a screen reader; Word's "Alternativtext"
    title: str


Block = Heading | Paragraph | Table | Picture


def set_language(document: Any, language: str = DOCX_LANGUAGE) -> None:
    """Mark the document Swedish, so Word checks spelling and hyphenates in Swedish.

    python-docx's template says en-US in the style defaults (which every style inherits) and in
    the theme's font language: both are set, so no run falls back to English.
    """
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    for attribute in ("w:val", "w:eastAsia"):
        lang.set(qn(attribute), language)
    theme = document.settings.element.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), language)
    document.core_properties.language = language


def set_page(document: Any) -> None:
    """A4 portrait with the municipal template's margins, in every section."""
    for section in document.sections:
        section.page_width, section.page_height = DOCX_PAGE
        section.left_margin = section.right_margin = DOCX_MARGIN
        section.top_margin = section.bottom_margin = DOCX_MARGIN


def set_properties(document: Any, title: str) -> None:
    """The title; no author (the template's "python-docx"), no comment, today's dates.

    The kommun's own Word fills in the author when someone saves the draft.
    """
    properties = document.core_properties
    properties.title = title
    properties.author = properties.last_modified_by = properties.comments = ""
    now = datetime.now(UTC).replace(microsecond=0)
    properties.created = properties.modified = now
    properties.revision = 1


def add_table(document: Any, table: ShownTable) -> None:
    """A Word table with the screen's Swedish numbers, header repeated on each page."""
    cells = table.format_cells()
    grid = document.add_table(rows=1, cols=len(cells.columns))
    grid.style = "Table Grid"
    header = grid.rows[0]
    # Word repeats a row marked tblHeader at the top of every page the table runs onto.
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    # The cells keep their units (+11,3 p.e.), so the headers are the screen's own.
    for cell, name in zip(header.cells, cells.columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(name).bold = True
    numeric = [column in table.formats for column in cells.columns]
    for values in cells.itertuples(index=False):
        row = grid.add_row()
        for cell, value, is_number in zip(row.cells, values, numeric, strict=True):
            cell.text = str(value)
            if is_number:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def add_picture(document: Any, picture: Picture) -> None:
    shape = document.add_picture(io.BytesIO(picture.png), width=DOCX_IMAGE_WIDTH)
    # python-docx has no public setter for alt text: it lives on the drawing's docPr element.
    properties = shape._inline.docPr
    properties.set("descr", picture.alt_text)
    properties.set("title", picture.title)


def write_docx(blocks: Sequence[Block], title: str) -> bytes:
    """A Word document from headings, paragraphs, tables and charts with alt text."""
    document = Document()
    set_properties(document, title)
    set_page(document)
    set_language(document)
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph()
            run = paragraph.add_run(block.text)
            if block.is_source:
                run.font.size = Pt(8.5)
                run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        elif isinstance(block, Table):
            add_table(document, block.table)
        else:
            add_picture(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_zip(files: Mapping[str, bytes]) -> bytes:
    """The files as one zip, in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            entry = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16  # readable by all once unpacked (default is 0600)
            archive.writestr(entry, content)
    return buffer.getvalue()
