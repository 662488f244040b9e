"""Workbooks asking more work than they look like: bounded before reading, sheets read lazily."""

import io
import re
import zipfile

import openpyxl
import pytest

from bench.af_workbook import DEFINITION_PART
from etl.errors import SourceError
from etl.pivot_cache import PivotCacheError, list_pivot_caches
from etl.sources import af_sheet, arbetsformedlingen
from etl.sources.af_xlsx import MAX_SHEET_BYTES
from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog
from tests.unit.test_arbetsformedlingen import RAMS_TITLE, REGIONS, select, wide
from tests.unit.test_pivot_cache import generate, write_af

CATALOG = load_catalog(paths.REPO_DIR / "data" / "reference")
SHEET_XML_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet'
    b' xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)


def filler_sheet(size: int) -> bytes:
    """A sheet of `size` bytes of one-cell rows, no `<dimension>`: packs about 300 times."""
    row = b"<row><c><v>1</v></c></row>"
    tail = b"</sheetData></worksheet>"
    return SHEET_XML_HEAD + row * ((size - len(SHEET_XML_HEAD) - len(tail)) // len(row)) + tail


def build_many_sheets(
    count: int, sheet_bytes: int, table_sheet: str | None = None, rows: list | None = None
) -> bytes:
    """`count` sheets Blad1.. of filler (each under the zip-bomb ratio check's 1 MB floor), and
    if asked, AF's table on one more sheet."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Blad1"
    for index in range(2, count + 1):
        workbook.create_sheet(f"Blad{index}")
    if table_sheet is not None:
        table = workbook.create_sheet(table_sheet)
        for line in [*RAMS_TITLE, *(rows or wide())]:
            table.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    filler = filler_sheet(sheet_bytes)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            number = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if number and int(number[1]) <= count:
                data = filler
            target.writestr(info.filename, data)
    return out.getvalue()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int | None]]:
    """Every sheet af_sheet reads, and how far (None: in full); the real reader does the work."""
    calls: list[tuple[str, int | None]] = []
    real = af_sheet.read_sheet

    def record(worksheet, file_name, max_row=None):
        calls.append((worksheet.title, max_row))
        return real(worksheet, file_name, max_row)

    monkeypatch.setattr(af_sheet, "read_sheet", record)
    return calls


def test_sheets_unpacking_beyond_the_bound_are_refused_before_reading(reads):
    raw = build_many_sheets(300, 900_000)
    assert len(raw) < 2_000_000
    with pytest.raises(SourceError) as caught:
        arbetsformedlingen.check_file(raw, "blad.xlsx", CATALOG)
    size = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(raw)).infolist())
    assert size > MAX_SHEET_BYTES
    assert str(caught.value) == (
        f"arbetsformedlingen: blad.xlsx: its sheets unpack to {size / 1e6:.0f} MB (limit 250 MB"
        " of sheets, shared strings and styles): refused before reading; save only the sheet"
        " with the table in a workbook of its own"
    )
    assert reads == []


def test_of_200_sheets_only_the_andel_sheet_is_read(reads):
    """The issue's 200-sheet workbook, with AF's table on a sheet named Andel: one sheet read."""
    raw = build_many_sheets(200, 700_000, table_sheet="Andel")
    frame = arbetsformedlingen.check_file(raw, "blad.xlsx", CATALOG)
    assert select(frame, "0181", {})["value"].tolist() == [14.5]
    assert reads == [("Andel", af_sheet.HEADER_SEARCH_ROWS), ("Andel", None)]


def test_of_200_sheets_the_others_are_read_only_to_their_header_rows(reads):
    long_rows = [["PERIOD", "Kommunkod", "Grupp", "Andel"], ["2024-10", 181, "Totalt", 0.145]]
    raw = build_many_sheets(200, 700_000, table_sheet="Tabell", rows=long_rows)
    frame = af_sheet.parse(raw, "blad.xlsx", REGIONS)
    assert select(frame, "0181", {})["value"].tolist() == [14.5]
    assert [name for name, max_row in reads if max_row is None] == ["Tabell"]
    assert {max_row for _, max_row in reads[:-1]} == {af_sheet.HEADER_SEARCH_ROWS}
    assert len(reads) == 202


def test_a_workbook_of_sheets_without_a_table_is_refused_naming_a_few(reads):
    raw = build_many_sheets(200, 700_000)
    with pytest.raises(SourceError) as caught:
        af_sheet.parse(raw, "blad.xlsx", REGIONS)
    assert str(caught.value).endswith(
        "no header row (PERIOD, Kommunkod, Totalt, ...) in the first 30 rows of sheet(s)"
        " 'Blad1', 'Blad2', 'Blad3', 'Blad4', 'Blad5' and 195 more"
    )
    assert all(max_row == af_sheet.HEADER_SEARCH_ROWS for _, max_row in reads)


def declare_part_size(raw: bytes, part: str, size: int) -> bytes:
    """The same zip with `part`'s unpacked size in the central directory set to `size`."""
    name = part.encode()
    entry = raw.index(b"PK\x01\x02")
    while raw[entry + 46 : entry + 46 + len(name)] != name:
        entry = raw.index(b"PK\x01\x02", entry + 4)
    return raw[: entry + 24] + size.to_bytes(4, "little") + raw[entry + 28 :]


def test_a_pivot_cache_definition_beyond_the_bound_is_refused_before_reading(tmp_path):
    """Shared items are held whole: a definition declaring 300 MB is not read at all."""
    raw = declare_part_size(
        write_af(tmp_path, generate()).read_bytes(), DEFINITION_PART, 300_000_000
    )
    with pytest.raises(PivotCacheError) as caught:
        list_pivot_caches(zipfile.ZipFile(io.BytesIO(raw)))
    assert caught.value.location == DEFINITION_PART
    assert caught.value.detail == (
        "unpacks to 300 MB (limit 250 MB for a cache definition, whose shared items are held"
        " whole): refused before reading"
    )
