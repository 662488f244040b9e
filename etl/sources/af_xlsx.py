"""An xlsx's sheets read one at a time within a byte bound, naming cells openpyxl reads as empty."""

# openpyxl's full load builds every cell of every sheet (and the pivot caches) as objects: a
# 700 kB workbook of 200 well-packed sheets took minutes and gigabytes. Here the workbook opens
# read-only, the parts openpyxl reads count against MAX_SHEET_BYTES, and a sheet is read only as
# far as asked. A formula never calculated (as in every script-written workbook) and a number
# cell without a number (how openpyxl writes NaN and infinity) would read as empty cells, that
# is as missing figures: they come back as Unreadable, saying what to do. The classes below
# lean on openpyxl 3.1's reader internals; requirements.txt pins openpyxl==3.1.5.

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from etl.errors import SourceError
from etl.progress import count_rows

SOURCE = "arbetsformedlingen"
# What openpyxl reads of a workbook (sheets, shared strings, styles), as the parts declare it.
# A sheet of 200 000 rows and ten columns is about 80 MB; AF's pivot workbooks keep their bulk
# in the pivot cache, which openpyxl never reads here (etl/pivot_cache.py streams it).
MAX_SHEET_BYTES = 250_000_000
NOT_READ_BY_OPENPYXL = ("xl/pivotcache/", "xl/pivottables/", "xl/media/", "docprops/")
NUMBER_TYPES = frozenset({"n", None})
# AF's widest table has a few dozen columns; a row is a list as wide as its last filled cell,
# so one filled cell in column XFD would make every row 16 384 wide.
MAX_COLUMNS = 1_000
# What a damaged sheet part raises inside openpyxl's parser (a shared-string index out of
# range is an IndexError, a bad number a ValueError).
UNREADABLE_SHEET = (
    ParseError,
    ValueError,
    IndexError,
    KeyError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
)


@dataclass(frozen=True)
class Unreadable:
    """A cell that holds something openpyxl reads as empty; `reason` says what and what to do."""

    reason: str

    def __str__(self) -> str:
        return ""


@dataclass(frozen=True)
class Cell:
    value: Any
    is_percent: bool  # a number shown with Excel's percent format


def count_read_bytes(archive: zipfile.ZipFile) -> int:
    """The declared unpacked size of the parts openpyxl reads: not pivot caches, not images."""
    return sum(
        member.file_size
        for member in archive.infolist()
        if not member.filename.lower().startswith(NOT_READ_BY_OPENPYXL)
    )


def open_sheets(raw: bytes, file_name: str) -> openpyxl.Workbook:
    """Open read-only (cached values, no pivots) after checking what it would read is bounded."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            size = count_read_bytes(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SourceError(
            SOURCE, file_name, f"a zip archive but not a readable xlsx workbook: {error}"
        ) from error
    if size > MAX_SHEET_BYTES:
        raise SourceError(
            SOURCE,
            file_name,
            f"its sheets unpack to {size / 1e6:.0f} MB (limit {MAX_SHEET_BYTES / 1e6:.0f} MB"
            " of sheets, shared strings and styles): refused before reading; save only the"
            " sheet with the table in a workbook of its own",
        )
    try:
        reader = SheetReader(io.BytesIO(raw), read_only=True, data_only=True)
        reader.read()
        workbook = reader.wb
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SourceError(
            SOURCE, file_name, f"a zip archive but not a readable xlsx workbook: {error}"
        ) from error
    return workbook


class LazyWorksheet(ReadOnlyWorksheet):
    """A read-only sheet that trusts no declared size: openpyxl's reads the `<dimension>` on
    opening, and where there is none it parses the whole sheet to find that out, for every
    sheet of the workbook; iterate_rows sizes each row by its own cells instead."""

    def _get_size(self) -> None:
        return None


class SheetReader(ExcelReader):
    """openpyxl's read-only workbook reader with lazy sheets: nothing of a sheet is read until
    iterate_rows asks (charts, comments and pivot tables are never read)."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = LazyWorksheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


class CellParser(WorkSheetParser):
    """openpyxl's sheet parser, noting the cells it reads as empty that hold something."""

    def __init__(self, worksheet: ReadOnlyWorksheet, source: Any) -> None:
        workbook = worksheet.parent
        super().__init__(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        self.unreadable: dict[tuple[int, int], str] = {}

    def parse_cell(self, element: Any) -> dict[str, Any]:
        cell = super().parse_cell(element)
        if cell["value"] is None:
            reason = describe_empty(element)
            if reason is not None:
                self.unreadable[(cell["row"], cell["column"])] = reason
        return cell


def describe_empty(element: Any) -> str | None:
    """Why a cell openpyxl reads as None is not blank, or None when it is blank."""
    formula = element.find(FORMULA_TAG)
    value = element.find(VALUE_TAG)
    is_number = element.get("t") in NUMBER_TYPES
    if formula is not None and (value is None or is_number):
        return (
            f"the formula ={formula.text or ''} has no saved value (as in a workbook written by a"
            " script): open the file in Excel, save it, and import it again"
        )
    if formula is None and value is not None and is_number:
        return (
            "a number cell without a number (how a script writes NaN or infinity): fill in the"
            " figure, '..' or leave the cell empty"
        )
    return None


def iterate_rows(
    worksheet: ReadOnlyWorksheet, where: str, max_row: int | None = None
) -> Iterator[list[Any]]:
    """Rows from A1 on (gaps as empty rows), as wide as their last filled cell: values, Cell for
    numbers, Unreadable for cells read as empty that are not. `where` names the sheet."""
    try:
        yield from read_rows(worksheet, where, max_row)
    except UNREADABLE_SHEET as error:
        raise SourceError(
            SOURCE, where, f"the sheet's XML cannot be read ({type(error).__name__}: {error})"
        ) from error


def read_rows(worksheet: ReadOnlyWorksheet, where: str, max_row: int | None) -> Iterator[list[Any]]:
    with worksheet._get_source() as source:
        parser = CellParser(worksheet, source)
        expected = 1
        for index, cells in parser.parse():
            if max_row is not None and index > max_row:
                return
            for _ in range(expected, index):
                yield []
            expected = index + 1
            count_rows()
            row: list[Any] = []
            for cell in cells:
                value = cell["value"]
                position = (cell["row"], cell["column"])
                if position in parser.unreadable:
                    value = Unreadable(parser.unreadable.pop(position))
                elif value is None:
                    continue  # formatted but empty: Excel writes these far to the right
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    style = ReadOnlyCell(worksheet, **cell)
                    value = Cell(value, "%" in (style.number_format or ""))
                column = cell["column"]
                if column > MAX_COLUMNS:
                    raise SourceError(
                        SOURCE,
                        f"{where}, row {index}, column {get_column_letter(column)}",
                        f"a filled cell beyond column {get_column_letter(MAX_COLUMNS)}: AF's"
                        " tables are a few dozen columns wide; delete what stands this far right",
                    )
                row.extend([None] * (column - len(row)))
                row[column - 1] = value
            yield row
