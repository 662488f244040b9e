"""AF's downloaded sheet tables (xlsx or csv, a header row and share columns) -> canonical rows."""

import codecs
import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from etl.checks import locate_byte
from etl.errors import SourceError
from etl.sources.af_archive import XLSX_MAGIC, open_workbook
from etl.sources.af_names import (
    ANY_LEVEL,
    LEVELS,
    RESIDUAL,
    NameLookup,
    build_lookup,
    normalise_name,
)
from etl.sources.af_period import check_month, read_file_month, read_title_month
from etl.sources.af_xlsx import Cell, Unreadable, iterate_rows, open_sheets
from labourmarket.core.schema import PARSED_COLUMNS

SOURCE = "arbetsformedlingen"
# Sheet downloads are monthly: the registerbaserad ones are the monthly reg measure, never the
# quarterly Tabell 1 measure (a quarter and its months would share a start date in one series).
REG_MEASURE = "af_inskrivna_andel_reg"
BAS_MEASURE = "af_inskrivna_andel_bas"
# The age band each measure's population covers: that band is the "total" group, not a band.
POPULATION_AGE = {REG_MEASURE: "16-64", BAS_MEASURE: "16-65"}
TOTAL_GROUP = {"sex": "total", "age": "total", "birth_region": "total", "education": "total"}
GROUP_KEY = ["region_code", "period", "sex", "age", "birth_region", "education"]

XLS_MAGIC = b"\xd0\xcf\x11\xe0"
# "ä", "å", "ö", "Ä", "Å", "Ö" in UTF-8: a file that has them is UTF-8, whatever else it holds.
UTF8_SWEDISH_LETTER = re.compile(rb"\xc3[\x84\x85\x96\xa4\xa5\xb6]")
CSV_DELIMITERS = (";", ",", "\t")
# The title block above the header is 3-5 lines in the downloads seen; leave room for more.
HEADER_SEARCH_ROWS = 30
LISTED_SHEETS = 5  # sheet names an error lists before "and N more"
SHORT_HASH_LENGTH = 12

PERIOD_HEADERS = frozenset({"period", "månad", "år och månad", "år-månad", "tidsperiod"})
# Header -> (what the column holds, code width). Width None: 1-2 digits are a county, 3-4 a kommun.
REGION_HEADERS: dict[str, tuple[str, int | None]] = {
    "kommunkod": ("code", 4),
    "kommunnummer": ("code", 4),
    "kommunnr": ("code", 4),
    "regionkod": ("code", None),
    "kod": ("code", None),
    "länskod": ("code", 2),
    "länsnummer": ("code", 2),
    "länsnr": ("code", 2),
    "kommun": ("name", 4),
    "kommunnamn": ("name", 4),
    "region": ("name", None),
    "område": ("name", None),
    "län": ("name", 2),
    "länsnamn": ("name", 2),
}
KOMMUN_WIDTH, COUNTY_WIDTH = 4, 2
RIKET = "00"
# The levels a name column's names are looked up in, its own first: AF's wide kommun table has
# its county's and Riket's rows in the Kommun column, a county table Riket's in the Län column.
NAME_LEVELS: dict[int | None, tuple[str, ...]] = {
    KOMMUN_WIDTH: ("municipality", "county", "country"),
    COUNTY_WIDTH: ("county", "country"),
    None: (ANY_LEVEL,),
}
# Columns whose cells name the group of each row (the long layout).
DIMENSION_HEADERS = frozenset(
    {
        "grupp",
        "kategori",
        "variabel",
        "kön",
        "ålder",
        "åldersgrupp",
        "födelseregion",
        "födelseland",
        "bakgrund",
        "utbildning",
        "utbildningsnivå",
    }
)
# Words that say a value column holds the share itself; stripped before reading the group.
SHARE_WORDS = re.compile(r"inskrivna arbetslösa|\bi procent\b|\bandel\b|\bprocent\b|%|[(),:;]")
SAYS_SHARE = re.compile(r"\bandel")
# "%" or "procent" in a value header says the numbers are already percent, even below 1.
SAYS_PERCENT = re.compile(r"%|procent")
AGE_BAND = re.compile(r"\b(\d{2}) ?- ?(\d{2})(?: år\b)?")
SEX_WORDS = {"kvinnor": "women", "män": "men"}
GROUP_LABELS: dict[str, dict[str, str]] = {
    "totalt": {},
    "total": {},
    "samtliga": {},
    "alla": {},
    "båda könen": {},
    "inrikes födda": {"birth_region": "born_in_sweden"},
    "födda i sverige": {"birth_region": "born_in_sweden"},
    "utrikes födda": {"birth_region": "foreign_born"},
    "inrikes": {"birth_region": "born_in_sweden"},
    "utrikes": {"birth_region": "foreign_born"},
    "födda utanför sverige": {"birth_region": "foreign_born"},
    "förgymnasial": {"education": "pre_upper_secondary"},
    "förgymnasial utbildning": {"education": "pre_upper_secondary"},
    "gymnasial": {"education": "upper_secondary"},
    "gymnasial utbildning": {"education": "upper_secondary"},
    "eftergymnasial": {"education": "post_secondary"},
    "eftergymnasial utbildning": {"education": "post_secondary"},
    "okänd utbildning": {"education": "unknown"},
    "utbildning okänd": {"education": "unknown"},
    "uppgift om utbildning saknas": {"education": "unknown"},
}
# Words that only introduce an age band ("Unga 18-24", "Ålder 25-54 år").
AGE_FILLERS = frozenset({"", "unga", "ålder"})

# `..`: the figure is not published (AF, like SCB and the seed table): suppressed, as there.
SUPPRESSED_CELLS = frozenset({".."})
MISSING_CELLS = frozenset({"", "-", "–", "—"})
SUPPRESSED_CELL = re.compile(r"^<\s*\d+$")
NUMBER_CELL = re.compile(r"^\d+(?:[.,]\d+)?$")
PERIOD_CELL = re.compile(r"^(\d{4})(?:-|M)?(\d{2})(?:-01)?(?:[ T]00:00(?::00)?)?$")
CODE_CELL = re.compile(r"^(\d{1,4})(?:\s+(\S.*))?$")
NAME_WITH_CODE = re.compile(r"^(\d{2}|\d{4})\s+(\S.*)$")
# Files a browser download may hand over instead of the table, told by their first bytes.
OTHER_FORMATS = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"PK\x05\x06": "an empty zip archive",
}
HTML_START = re.compile(rb"^\s*<(?:!doctype html|html)", re.IGNORECASE)
BINARY_BYTES = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# Text in UTF-16 without a byte-order mark: every other byte of its ASCII letters is zero.
UTF16_WITHOUT_BOM = re.compile(rb"^(?:[\x09\x0a\x0d\x20-\x7e]\x00|\x00[\x09\x0a\x0d\x20-\x7e]){8}")


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[Any]]  # rows[0][0] is cell A1
    percent_formatted: frozenset[tuple[int, int]]  # (row, column) indexes shown as % by Excel
    delimiter: str | None = None  # a CSV file's; None for a workbook's sheet


@dataclass(frozen=True)
class RegionColumn:
    index: int
    holds: str  # "code" or "name"
    width: int | None


@dataclass(frozen=True)
class Layout:
    header_index: int
    period: int
    regions: list[RegionColumn]  # most specific (kommun) first
    dimensions: list[int]
    values: dict[int, dict[str, str]]  # column index -> the group its header names
    header_says_share: bool
    header_says_percent: bool
    headers: dict[int, str]  # value column index -> its header as written


@dataclass(frozen=True)
class Figure:
    row: int
    column: int
    key: dict[str, str]  # region_code, period and the four group dimensions
    value: float | None
    status: str | None


def locate(file_name: str, sheet: str, row: int | None = None, column: int | None = None) -> str:
    """Name a spot as Excel shows it: 0-based indexes become row 1.. and column A.."""
    location = f"{file_name}, sheet {sheet}"
    if row is not None:
        location += f", row {row + 1}"
    if column is not None:
        location += f", column {get_column_letter(column + 1)}"
    return location


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_sheet(worksheet: ReadOnlyWorksheet, file_name: str, max_row: int | None = None) -> Sheet:
    """A sheet's rows up to max_row (all when None), with the cells Excel shows as percent."""
    rows, percent_formatted = [], set()
    for row_index, cells in enumerate(
        iterate_rows(worksheet, locate(file_name, worksheet.title), max_row)
    ):
        values = []
        for column_index, cell in enumerate(cells):
            if isinstance(cell, Cell):
                if cell.is_percent:
                    percent_formatted.add((row_index, column_index))
                cell = cell.value
            values.append(cell)
        rows.append(values)
    return Sheet(worksheet.title, rows, frozenset(percent_formatted))


def read_xlsx(raw: bytes, file_name: str) -> tuple[Sheet, int]:
    """Find the table's sheet by each sheet's first rows, then read that one sheet in full."""
    open_workbook(raw, file_name).close()
    workbook = open_sheets(raw, file_name)
    try:
        names = [worksheet.title for worksheet in workbook.worksheets]
        shares = [
            read_sheet(workbook[name], file_name, HEADER_SEARCH_ROWS)
            for name in names
            if is_share_sheet(name)
        ]
        others = (
            read_sheet(workbook[name], file_name, HEADER_SEARCH_ROWS)
            for name in names
            if not is_share_sheet(name)
        )
        head, header_index = choose_sheet(shares, others, names, file_name)
        return read_sheet(workbook[head.name], file_name), header_index
    finally:
        workbook.close()


def decode_text(raw: bytes, file_name: str) -> str:
    """Decode as UTF-8 (BOM or not), else cp1252: the encoding Swedish Excel saves CSV in.

    A file that says it is UTF-8 (a byte-order mark, or UTF-8 letters) but holds a byte that is
    not is refused: read as cp1252 its names would turn into "SÃ¶dertÃ¤lje".
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return check_text(raw.decode("utf-16"), file_name)
        except UnicodeDecodeError as error:
            raise SourceError(
                SOURCE,
                file_name,
                f"UTF-16 text (it starts with a byte-order mark) but byte {error.start} is not:"
                " save it as UTF-8 CSV or as an Excel workbook (.xlsx)",
            ) from error
    if UTF16_WITHOUT_BOM.match(raw):
        raise SourceError(
            SOURCE,
            file_name,
            "UTF-16 text without a byte-order mark: save it as UTF-8 CSV or as an Excel"
            " workbook (.xlsx)",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as not_utf8:
        if raw.startswith(codecs.BOM_UTF8) or UTF8_SWEDISH_LETTER.search(raw):
            spot = locate_byte(raw, not_utf8.start)
            raise SourceError(
                SOURCE,
                f"{file_name}, {spot}",
                f"mixed encodings: the file is UTF-8 but byte {not_utf8.start}"
                f" (0x{raw[not_utf8.start]:02x}) is not; save it again as UTF-8",
            ) from not_utf8
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as error:
            raise SourceError(
                SOURCE, file_name, f"not a spreadsheet: byte {error.start} is neither text nor xlsx"
            ) from error
    return check_text(text, file_name)


def check_text(text: str, file_name: str) -> str:
    binary = BINARY_BYTES.search(text)
    if binary:
        raise SourceError(
            SOURCE, file_name, f"not a spreadsheet: binary data at character {binary.start()}"
        )
    return text


def read_csv(raw: bytes, file_name: str) -> Sheet:
    """Read CSV with the delimiter (`;`, `,` or tab) that yields the best-recognised header."""
    text = decode_text(raw, file_name)
    # Excel opens a CSV as one sheet named after the file, so errors name that sheet too.
    sheet_name = Path(file_name).stem
    best, best_score = Sheet(sheet_name, [[line] for line in text.splitlines()], frozenset()), 0
    for delimiter in CSV_DELIMITERS:
        if delimiter not in text:
            continue
        rows = [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
        sheet = Sheet(sheet_name, rows, frozenset(), delimiter)
        _, score = find_header(sheet)
        if score > best_score:
            best, best_score = sheet, score
    return best


def read_table(raw: bytes, file_name: str) -> tuple[Sheet, int]:
    """The sheet holding the table and its header row; xlsx is told by its bytes, not its name."""
    if raw.startswith(XLSX_MAGIC):
        return read_xlsx(raw, file_name)
    if raw.startswith(XLS_MAGIC):
        raise SourceError(
            SOURCE, file_name, "an Excel 97-2003 (.xls) workbook: open it and save it as .xlsx"
        )
    for magic, what in OTHER_FORMATS.items():
        if raw.startswith(magic):
            raise SourceError(SOURCE, file_name, f"not a spreadsheet: {what}, not xlsx or csv")
    if HTML_START.match(raw):
        raise SourceError(
            SOURCE, file_name, "an HTML page, not a spreadsheet: download the Excel or CSV file"
        )
    if not raw.strip():
        raise SourceError(SOURCE, file_name, "the file is empty")
    sheet = read_csv(raw, file_name)
    return choose_sheet([sheet], [], [sheet.name], file_name)


def classify_header(label: str) -> str | None:
    """Say what a header cell names: period, region, dimension, value, or None if unknown."""
    if label in PERIOD_HEADERS:
        return "period"
    if label in REGION_HEADERS:
        return "region"
    if label in DIMENSION_HEADERS:
        return "dimension"
    if read_value_header(label) is not None:
        return "value"
    return None


def read_value_header(label: str) -> dict[str, str] | None:
    """Map a value column's header to its group; a bare "Andel (%)" is the measure's total."""
    stripped = " ".join(SHARE_WORDS.sub(" ", label).split())
    if not stripped:
        return {} if label else None
    return map_group(stripped)


def map_group(label: str) -> dict[str, str] | None:
    """Map a group label ("Unga 18-24 år", "Utrikes födda kvinnor") to group codes, or None.

    An age band stays a band here; settle_age turns the measure's own population into total.
    """
    text = normalise_name(label)
    group: dict[str, str] = {}
    band = AGE_BAND.search(text)
    if band:
        group["age"] = f"{band[1]}-{band[2]}"
        text = " ".join((text[: band.start()] + " " + text[band.end() :]).split())
    words = text.split()
    for position in (0, -1):
        if len(words) > 0 and words[position] in SEX_WORDS:
            group["sex"] = SEX_WORDS[words.pop(position)]
            break
    rest = " ".join(words)
    if rest in GROUP_LABELS:
        return group | GROUP_LABELS[rest]
    if rest in AGE_FILLERS and group:
        return group
    return None


def find_header(sheet: Sheet) -> tuple[int | None, int]:
    """Return the row near the top with the most recognised header cells (two or more)."""
    best, best_count = None, 1
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        labels = [normalise_name(cell) for cell in row if isinstance(cell, str)]
        count = sum(classify_header(label) is not None for label in labels if label)
        if count > best_count:
            best, best_count = index, count
    return best, best_count if best is not None else 0


def is_share_sheet(name: str) -> bool:
    return "andel" in name.casefold()


def choose_sheet(
    shares: list[Sheet], others: Iterable[Sheet], names: list[str], file_name: str
) -> tuple[Sheet, int]:
    """Prefer a sheet named like "Andel"; otherwise the first with a recognisable header.

    Every share-named sheet is looked at (two share tables are refused); `others` are read
    only when none of those has a table, and only until one has a header.
    """
    share_tables = [
        (sheet, index) for sheet in shares if (index := find_header(sheet)[0]) is not None
    ]
    chosen = None
    if not share_tables:
        for sheet in others:
            index = find_header(sheet)[0]
            if index is not None:
                chosen = (sheet, index)
                break
    if len(share_tables) > 1:
        tables = ", ".join(repr(sheet.name) for sheet, _ in share_tables)
        raise SourceError(
            SOURCE, file_name, f"several sheets hold share tables ({tables}): keep one per file"
        )
    if share_tables:
        return share_tables[0]
    if chosen is None:
        listed = ", ".join(repr(name) for name in names[:LISTED_SHEETS])
        if len(names) > LISTED_SHEETS:
            listed += f" and {len(names) - LISTED_SHEETS} more"
        raise SourceError(
            SOURCE,
            file_name,
            f"not a recognisable table: no header row (PERIOD, Kommunkod, Totalt, ...) in the"
            f" first {HEADER_SEARCH_ROWS} rows of sheet(s) {listed}",
        )
    return chosen


def detect_measure(sheet: Sheet, header_index: int, file_name: str) -> str:
    """Tell the definition from the title block: BAS or registerbaserad; refused if both."""
    title = " ".join(
        str(cell) for row in sheet.rows[: header_index + 1] for cell in row if not is_blank(cell)
    )
    text = f"{sheet.name} {title}"
    says_bas = bool(re.search(r"\bBAS\b", text))
    says_reg = "registerbaserad" in text.casefold()
    if says_bas and says_reg:
        raise SourceError(
            SOURCE,
            locate(file_name, sheet.name, 0),
            f"the title (rows 1-{header_index + 1}) names both the registerbaserad arbetskraft"
            " and BAS: cannot tell which labour-force definition the shares use",
        )
    if says_bas:
        return BAS_MEASURE
    if says_reg:
        return REG_MEASURE
    raise SourceError(
        SOURCE,
        locate(file_name, sheet.name, 0),
        f"the title (rows 1-{header_index + 1}) names neither the registerbaserad arbetskraft nor"
        " BAS: cannot tell which labour-force definition the shares use",
    )


def read_layout(sheet: Sheet, header_index: int, file_name: str) -> Layout:
    """Classify every header cell; an unknown one stops the import naming its cell."""
    period = None
    regions, dimensions, values = [], [], {}
    headers: dict[int, str] = {}
    says_share = says_percent = False
    for column, cell in enumerate(sheet.rows[header_index]):
        where = locate(file_name, sheet.name, header_index, column)
        if isinstance(cell, Unreadable):
            raise SourceError(SOURCE, where, cell.reason)
        label = normalise_name(cell)
        if not label:
            continue
        kind = classify_header(label)
        if kind is None:
            raise SourceError(SOURCE, where, f"unknown column header {cell!r}")
        if kind == "period":
            if period is not None:
                raise SourceError(SOURCE, where, "a second period column")
            period = column
        elif kind == "region":
            holds, width = REGION_HEADERS[label]
            regions.append(RegionColumn(column, holds, width))
        elif kind == "dimension":
            dimensions.append(column)
        else:
            values[column] = read_value_header(label) or {}
            headers[column] = str(cell).strip()
            says_share |= bool(SAYS_SHARE.search(label))
            says_percent |= bool(SAYS_PERCENT.search(label))
    where = locate(file_name, sheet.name, header_index)
    if period is None:
        raise SourceError(
            SOURCE, where, "no period column (PERIOD, Period or Månad) in the header row"
        )
    if not values:
        raise SourceError(SOURCE, where, "no value column (Totalt, 18-24 år, Andel, ...)")
    # Codes beat names, and the most specific level (kommun) beats the county.
    order = {4: 0, None: 1, 2: 2}
    regions.sort(key=lambda region: (region.holds != "code", order[region.width]))
    return Layout(
        header_index, period, regions, dimensions, values, says_share, says_percent, headers
    )


def read_period(
    value: Any, where: str, file_month: str | None = None, bound_from: str = "its name"
) -> str:
    """Turn `2024-10`, `202410`, `2024M10` or a date cell into the canonical `2024M10`.

    A month before 1990, after this month or after the file's own month is refused.
    """
    if isinstance(value, datetime | date):
        period = f"{value.year:04d}M{value.month:02d}"
        check_month(period, where, file_month, bound_from=bound_from)
        return period
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    is_text = isinstance(value, str | int) and not isinstance(value, bool)
    match = PERIOD_CELL.match(str(value).strip()) if is_text else None
    if not match or not 1 <= int(match[2]) <= 12:
        raise SourceError(SOURCE, where, f"{value!r} is not a month (YYYY-MM, YYYYMM or a date)")
    period = f"{match[1]}M{match[2]}"
    check_month(period, where, file_month, bound_from=bound_from)
    return period


@dataclass(frozen=True)
class Regions:
    """The regions table as a row's region cells are checked against it."""

    lookups: dict[str, NameLookup]  # by level; "any": every level, a kommun's own name winning
    names: dict[str, str]  # code -> name
    codes: frozenset[str]
    counties: dict[str, str]  # kommun code -> its county's code
    members: dict[str, list[str]]  # county code -> its kommuner's codes

    def find(self, name: Any) -> str | None:
        """The code of a name at any level (a title's), None for an unknown or residual name."""
        code = self.lookups[ANY_LEVEL].find(name)
        return None if code == RESIDUAL else code

    def find_in_column(self, name: Any, width: int | None) -> str | None:
        """The code a name column of this code width names: its own level first, then broader.

        "Region X" is the county X (the county council signs so); in a kommun column, a county
        of one kommun (Region Gotland) is that kommun.
        """
        for level in NAME_LEVELS[width]:
            code = self.lookups[level].find(name)
            if code is not None:
                return None if code == RESIDUAL else code
        normalised = normalise_name(name)
        if not normalised.startswith("region "):
            return None
        county = self.lookups["county"].find(normalised.removeprefix("region "))
        if county is None or county == RESIDUAL:
            return None
        kommuner = self.members.get(county, [])
        return kommuner[0] if width == KOMMUN_WIDTH and len(kommuner) == 1 else county


def build_regions(regions: pd.DataFrame) -> Regions:
    names = dict(zip(regions["region_code"], regions["region_name"], strict=True))
    lookups = {level: build_lookup(regions, level) for level in LEVELS}
    lookups[ANY_LEVEL] = build_lookup(regions)
    kommuner = regions[regions["level"] == "municipality"]
    counties = dict(zip(kommuner["region_code"], kommuner["county_code"], strict=True))
    members: dict[str, list[str]] = {}
    for kommun, county in counties.items():
        members.setdefault(county, []).append(kommun)
    return Regions(lookups, names, frozenset(names), counties, members)


def normalise_code(digits: str, width: int | None) -> str:
    """Restore leading zeros a number cell lost (181 -> 0181); Kolada's 0001 means county 01."""
    if width is None:
        width = 2 if len(digits) <= 2 else 4
    code = digits.zfill(width) if len(digits) <= width else digits
    if len(code) == 4 and code.startswith("00"):
        return code[2:]
    return code


@dataclass(frozen=True)
class Reading:
    """What one region cell says: the region's code, from a code or from a name."""

    column: int
    holds: str  # "code" or "name"
    value: Any  # as written; for a name after a code in its cell, that name
    code: str


def rank_detail(code: str) -> int:
    """0 for a kommun, 1 for a county, 2 for Riket: the lower, the more detailed."""
    if len(code) == KOMMUN_WIDTH:
        return 0
    return 2 if code == RIKET else 1


def read_region(
    row: list[Any], layout: Layout, regions: Regions, where: Callable[[int], str]
) -> str:
    """Read every region cell at its column's level; the most detailed region is the row's.

    A code beats a name of its own level. Every other cell must name the same region or, a
    level up, its county: "0181" beside "Botkyrka" (0127), or "Södertälje" beside Länskod 03,
    is refused, not filed under either. An unknown name is refused unless a code at least as
    detailed stands beside it (a kommun name beside only a county code would file the kommun's
    figures under its county).
    """
    readings, unknown = read_readings(row, layout, regions, where)
    readings.sort(key=lambda reading: (rank_detail(reading.code), reading.holds != "code"))
    for region, value in unknown:
        if not is_covered(region, readings):
            raise SourceError(
                SOURCE,
                where(region.index),
                f"unknown region name {value!r} (not in the regions table)",
            )
    if not readings:
        raise SourceError(
            SOURCE, where(layout.regions[0].index), "no region code or name in this row"
        )
    chosen = readings[0]
    for other in readings[1:]:
        if other.code == chosen.code or regions.counties.get(chosen.code) == other.code:
            continue
        across = len(other.code) != len(chosen.code)
        raise SourceError(
            SOURCE,
            where(other.column),
            f"{describe_reading(chosen, regions, where_column=True, with_county=across)} but"
            f" {describe_reading(other, regions)}: refused rather than filed under either",
        )
    return chosen.code


def is_covered(region: RegionColumn, readings: list[Reading]) -> bool:
    """An unknown name is harmless beside a code at least as detailed as its column."""
    most_general = {KOMMUN_WIDTH: 0, COUNTY_WIDTH: 1, None: 2}[region.width]
    return any(
        reading.holds == "code" and rank_detail(reading.code) <= most_general
        for reading in readings
    )


def read_readings(
    row: list[Any], layout: Layout, regions: Regions, where: Callable[[int], str]
) -> tuple[list[Reading], list[tuple[RegionColumn, Any]]]:
    """Each non-blank region cell's reading, in layout order, and the names not in the table."""
    readings, unknown = [], []
    for region in layout.regions:
        value = row[region.index]
        if is_blank(value):
            continue
        spot = where(region.index)
        if region.holds == "code":
            code = read_code(value, region.width, spot)
            named_code = None
            name = strip_code(value)
            if name is not None:
                named_code = read_region_name(name, len(code), regions)
        else:
            code = read_region_name(value, region.width, regions)
            if code is None:
                unknown.append((region, value))
                continue
        if code not in regions.codes:
            raise SourceError(SOURCE, spot, f"unknown region code {code!r} (from {value!r})")
        readings.append(Reading(region.index, region.holds, value, code))
        if region.holds == "code" and named_code is not None:
            readings.append(Reading(region.index, "name", name, named_code))
    return readings, unknown


def describe_reading(
    reading: Reading, regions: Regions, where_column: bool = False, with_county: bool = False
) -> str:
    """ "the code 0181 in column B is Södertälje", "the name 'Botkyrka' is 0127", and so on."""
    is_code = reading.holds == "code"
    text = f"the code {reading.code}" if is_code else f"the name {reading.value!r}"
    if where_column:
        text += f" in column {get_column_letter(reading.column + 1)}"
    text += f" is {regions.names[reading.code] if is_code else reading.code}"
    county = regions.counties.get(reading.code)
    if with_county and county is not None:
        text += f" in {regions.names[county]}"
    return text


def strip_code(value: Any) -> str | None:
    """The name after the digits of a code cell ("0181 Södertälje" -> "Södertälje"), if any."""
    match = CODE_CELL.match(value.strip()) if isinstance(value, str) else None
    return match[2] if match and match[2] else None


def read_code(value: Any, width: int | None, where: str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    is_text = isinstance(value, str | int) and not isinstance(value, bool)
    match = CODE_CELL.match(str(value).strip()) if is_text else None
    if not match:
        raise SourceError(SOURCE, where, f"{value!r} is not a region code")
    return normalise_code(match[1], width)


def read_region_name(value: Any, width: int | None, regions: Regions) -> str | None:
    """The code a name cell names at its column's level ("0127 Botkyrka": 0127); None if unknown."""
    coded = NAME_WITH_CODE.match(normalise_name(value))
    if coded:
        return normalise_code(coded[1], None)
    return regions.find_in_column(value, width)


def read_value(value: Any, where: str) -> tuple[float | None, str | None]:
    """Return (value, status): numbers and decimal commas; `-`, blank -> null; `..`, `<5` hidden."""
    if isinstance(value, bool | datetime | date):
        raise SourceError(SOURCE, where, f"{value!r} is not a number")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise SourceError(SOURCE, where, f"{value} is not a number")
        return float(value), None
    text = "" if value is None else str(value).replace("\u00a0", " ").strip()
    if text in MISSING_CELLS:
        return None, None
    if text in SUPPRESSED_CELLS or SUPPRESSED_CELL.match(text):
        return None, "suppressed"
    if not NUMBER_CELL.match(text):
        raise SourceError(SOURCE, where, f"{value!r} is not a number, '..', '-', '<5' or blank")
    return float(text.replace(",", ".")), None


def merge_groups(groups: list[dict[str, str]], where: str) -> dict[str, str]:
    """Combine the groups a row's group cells and a column's header name; they must not clash."""
    merged: dict[str, str] = {}
    for group in groups:
        for dimension, code in group.items():
            if merged.get(dimension, code) != code:
                raise SourceError(
                    SOURCE, where, f"two {dimension} groups: {merged[dimension]!r} and {code!r}"
                )
            merged[dimension] = code
    return merged


def settle_age(group: dict[str, str], measure_id: str) -> dict[str, str]:
    """The measure's whole population (16-64 år) is the total group, not a band of it."""
    if group.get("age") == POPULATION_AGE[measure_id]:
        return group | {"age": "total"}
    return group


def iter_data_rows(sheet: Sheet, layout: Layout) -> Iterator[tuple[int, list[Any]]]:
    """Yield rows below the header, skipping blank rows and one-cell notes ("Källa: ...")."""
    for index in range(layout.header_index + 1, len(sheet.rows)):
        row = sheet.rows[index]
        filled = [cell for cell in row if not is_blank(cell)]
        if not filled or (len(filled) == 1 and isinstance(filled[0], str)):
            continue
        yield index, row


def read_figures(
    sheet: Sheet,
    layout: Layout,
    measure_id: str,
    regions: pd.DataFrame,
    file_name: str,
    fixed_region: str | None = None,
) -> list[Figure]:
    table = build_regions(regions)
    file_month, bound_from = read_file_month(file_name), "its name"
    if file_month is None:
        file_month, bound_from = read_title_month(sheet.rows[: layout.header_index]) or (None, "")
    header = sheet.rows[layout.header_index]
    width = len(header)
    figures = []
    for index, short_row in iter_data_rows(sheet, layout):
        row = short_row + [None] * (width - len(short_row))
        where = partial(locate, file_name, sheet.name, index)
        check_cells(row, header, where, sheet.delimiter)
        period = read_period(row[layout.period], where(layout.period), file_month, bound_from)
        region_code = fixed_region or read_region(row, layout, table, where)
        row_groups = []
        for column in layout.dimensions:
            group = map_group(normalise_name(row[column]))
            if group is None:
                raise SourceError(SOURCE, where(column), f"unknown group label {row[column]!r}")
            row_groups.append(group)
        for column, header_group in layout.values.items():
            group = settle_age(merge_groups([*row_groups, header_group], where(column)), measure_id)
            value, status = read_value(row[column], where(column))
            key = {"region_code": region_code, "period": period, **TOTAL_GROUP, **group}
            figures.append(Figure(index, column, key, value, status))
    if not figures:
        raise SourceError(
            SOURCE,
            locate(file_name, sheet.name, layout.header_index),
            "no data rows under the header",
        )
    return figures


HEADERLESS_HINTS = {
    ",": "is a decimal comma splitting a number in a comma-separated file?",
    None: "a merged header cell? give each column its own header",
    "other": "a separator too many in this line?",
}


def check_cells(
    row: list[Any], header: list[Any], where: Callable[[int], str], delimiter: str | None
) -> None:
    """Refuse a cell read as empty that is not, and a value in a column without a header.

    A value without a header belongs to no group, so it is no figure. In a comma-separated file
    a decimal comma splits 14,5 into 14 and 5, and the 5 lands there; in a workbook it is most
    likely under a header merged across two columns.
    """
    for column, value in enumerate(row):
        if isinstance(value, Unreadable):
            raise SourceError(SOURCE, where(column), value.reason)
        if not is_blank(value) and (column >= len(header) or is_blank(header[column])):
            hint = HEADERLESS_HINTS.get(delimiter, HEADERLESS_HINTS["other"])
            raise SourceError(
                SOURCE,
                where(column),
                f"{describe_number(value)} stands in a column without a header ({hint})",
            )


def describe_number(value: Any) -> str:
    """A cell's value as written: 100.0001 stays 100.0001, 145.0 reads 145, text keeps quotes."""
    if isinstance(value, float) and math.isfinite(value):
        text = repr(value)
        return text.removesuffix(".0")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return repr(value)


def choose_scale(sheet: Sheet, layout: Layout, figures: list[Figure], file_name: str) -> int:
    """Return 100 for a file of fractions, 1 for one in percent; refuse a file that does not say.

    - any value above 1: percent, values kept as they are;
    - every value within 0..1 and the value cells carry Excel's percent format: fractions;
    - else a value header saying "%" or "procent" over values all within 0..1: refused, as
      fractions under a per-cent header (0.081: 0,081 % or 8,1 %?) read 100 times too small;
    - else the sheet name or a value header saying "andel": fractions, times 100;
    - every value within 0..1 and nothing says so: ambiguous (0.8 could mean 0.8 %), refused;
    - a percent-formatted cell beside values above 1 (Excel would show 1450 %): refused.
    """
    numbers = [figure for figure in figures if figure.value is not None]
    if not numbers:
        return 1
    formatted = [f for f in numbers if (f.row, f.column) in sheet.percent_formatted]
    above_one = next((f for f in numbers if f.value > 1), None)
    if above_one is not None:
        if formatted:
            raise SourceError(
                SOURCE,
                locate(file_name, sheet.name, above_one.row, above_one.column),
                f"{describe_number(above_one.value)} is above 1 while {len(formatted)} cell(s)"
                " carry Excel's percent format (fractions): cannot tell fractions from percent",
            )
        return 1
    if formatted:
        return 100
    if layout.header_says_percent:
        first = next((f for f in numbers if f.value > 0), None)
        if first is None:
            return 1  # zeros read the same either way
        header = next(
            (text for column, text in layout.headers.items() if SAYS_PERCENT.search(text.lower())),
            layout.headers.get(first.column, ""),
        )
        value = describe_number(first.value)
        raise SourceError(
            SOURCE,
            locate(file_name, sheet.name, first.row, first.column),
            f"the header {header!r} says per cent but every value under it is between 0 and 1,"
            f" as fractions are: {value} reads as {value.replace('.', ',')} % or as"
            f" {describe_number(scale_value(first.value, 100)).replace('.', ',')} %; refused"
            " rather than guessed (head the column 'Andel' if they are fractions)",
        )
    if layout.header_says_share or "andel" in sheet.name.casefold():
        return 100
    columns = ", ".join(get_column_letter(column + 1) for column in layout.values)
    raise SourceError(
        SOURCE,
        locate(file_name, sheet.name, layout.header_index),
        f"every value in column(s) {columns} is between 0 and 1 but neither the sheet name, a"
        " header nor Excel's percent format says andel or %: cannot tell fractions from percent",
    )


def scale_value(value: float, scale: int) -> float:
    """Scale through the shortest decimal repr so 0.145 becomes 14.5, not 14.499999999999998."""
    return value if scale == 1 else float(Decimal(repr(value)).scaleb(2))


def check_unique(figures: list[Figure], sheet: Sheet, file_name: str) -> None:
    seen: dict[tuple[str, ...], Figure] = {}
    for figure in figures:
        key = tuple(figure.key[column] for column in GROUP_KEY)
        if key in seen:
            first = seen[key]
            raise SourceError(
                SOURCE,
                locate(file_name, sheet.name, figure.row, figure.column),
                f"the same region, period and group as row {first.row + 1}, column"
                f" {get_column_letter(first.column + 1)}",
            )
        seen[key] = figure


def find_title_region(sheet: Sheet, header_index: int, regions: pd.DataFrame) -> str | None:
    """The one region the title rows name ("Södertälje", "Stockholms län", "Riket"), if one."""
    table = build_regions(regions)
    named = set()
    for row in sheet.rows[:header_index]:
        for cell in row:
            text = normalise_name(cell)
            for candidate in (text, text.removeprefix("region ")):
                code = table.find(candidate)
                if code is not None:
                    named.add(code)
    return named.pop() if len(named) == 1 else None


def settle_region(
    sheet: Sheet,
    layout: Layout,
    regions: pd.DataFrame,
    file_name: str,
    region_code: str | None,
) -> str | None:
    """A one-region download has no region column: the region is the title's, or --region's."""
    if layout.regions:
        return None
    where = locate(file_name, sheet.name, layout.header_index)
    if region_code is not None:
        if region_code not in set(regions["region_code"]):
            raise SourceError(SOURCE, where, f"--region {region_code!r} is not a region code")
        return region_code
    titled = find_title_region(sheet, layout.header_index, regions)
    if titled is None:
        raise SourceError(
            SOURCE,
            where,
            "no region column (Kommunkod, Länskod, Kommun, Län) and the title rows name no"
            " single region: import it with --region CODE (e.g. --region 0181)",
        )
    return titled


def parse(
    raw: bytes, file_name: str, regions: pd.DataFrame, region_code: str | None = None
) -> pd.DataFrame:
    """Turn a downloaded xlsx or csv file into canonical rows (no period_start/source stamps)."""
    sheet, header_index = read_table(raw, file_name)
    measure_id = detect_measure(sheet, header_index, file_name)
    layout = read_layout(sheet, header_index, file_name)
    fixed_region = settle_region(sheet, layout, regions, file_name, region_code)
    figures = read_figures(sheet, layout, measure_id, regions, file_name, fixed_region)
    check_unique(figures, sheet, file_name)
    scale = choose_scale(sheet, layout, figures, file_name)
    rows = []
    for figure in figures:
        value = None if figure.value is None else scale_value(figure.value, scale)
        if value is not None and not 0 <= value <= 100:
            side = "above 100 %" if value > 100 else "below 0"
            raise SourceError(
                SOURCE,
                locate(file_name, sheet.name, figure.row, figure.column),
                f"{describe_number(figure.value)} is {side}: not a share",
            )
        rows.append(
            {"measure_id": measure_id, **figure.key, "value": value, "status": figure.status}
        )
    return pd.DataFrame(rows, columns=PARSED_COLUMNS).astype({"value": "float64"})
