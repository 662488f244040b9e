"""AF's downloaded sheet tables (xlsx or csv, a header row and share columns) -> canonical rows."""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from etl.checks import locate_byte
from etl.errors import SourceError
from etl.sources.af_archive import XLSX_MAGIC, open_workbook
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
REGION_ALIASES = {"hela riket": "00", "sverige": "00"}

MISSING_CELLS = frozenset({"", "..", "-", "–", "—"})
SUPPRESSED_CELL = re.compile(r"^<\s*\d+$")
NUMBER_CELL = re.compile(r"^\d+(?:[.,]\d+)?$")
PERIOD_CELL = re.compile(r"^(\d{4})(?:-|M)?(\d{2})(?:-01)?(?:[ T]00:00(?::00)?)?$")
CODE_CELL = re.compile(r"^(\d{1,4})(?:\s+\S.*)?$")
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


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[Any]]  # rows[0][0] is cell A1
    percent_formatted: frozenset[tuple[int, int]]  # (row, column) indexes shown as % by Excel


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


def normalise_label(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\u00a0", " ").replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(text.split()).casefold()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_xlsx(raw: bytes, file_name: str) -> list[Sheet]:
    try:
        open_workbook(raw, file_name).close()
        workbook = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SourceError(
            SOURCE, file_name, f"a zip archive but not a readable xlsx workbook: {error}"
        ) from error
    sheets = []
    for worksheet in workbook.worksheets:
        rows, percent_formatted = [], set()
        for row_index, cells in enumerate(worksheet.iter_rows(min_row=1, min_col=1)):
            rows.append([cell.value for cell in cells])
            for column_index, cell in enumerate(cells):
                if isinstance(cell.value, int | float) and "%" in (cell.number_format or ""):
                    percent_formatted.add((row_index, column_index))
        sheets.append(Sheet(worksheet.title, rows, frozenset(percent_formatted)))
    return sheets


def decode_text(raw: bytes, file_name: str) -> str:
    """Decode as UTF-8 (BOM or not), else cp1252: the encoding Swedish Excel saves CSV in.

    A file that says it is UTF-8 (a byte-order mark, or UTF-8 letters) but holds a byte that is
    not is refused: read as cp1252 its names would turn into "SÃ¶dertÃ¤lje".
    """
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
        sheet = Sheet(sheet_name, rows, frozenset())
        _, score = find_header(sheet)
        if score > best_score:
            best, best_score = sheet, score
    return best


def read_sheets(raw: bytes, file_name: str) -> list[Sheet]:
    """Return the file's sheets; xlsx is told by its zip signature, not by the file name."""
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
    return [read_csv(raw, file_name)]


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
    text = normalise_label(label)
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
        labels = [normalise_label(cell) for cell in row if isinstance(cell, str)]
        count = sum(classify_header(label) is not None for label in labels if label)
        if count > best_count:
            best, best_count = index, count
    return best, best_count if best is not None else 0


def choose_sheet(sheets: list[Sheet], file_name: str) -> tuple[Sheet, int]:
    """Prefer a sheet named like "Andel"; otherwise the first with a recognisable header."""
    is_share = {sheet.name: "andel" in sheet.name.casefold() for sheet in sheets}
    ordered = sorted(sheets, key=lambda sheet: not is_share[sheet.name])
    found = [(sheet, find_header(sheet)[0]) for sheet in ordered]
    found = [(sheet, index) for sheet, index in found if index is not None]
    if not found:
        names = ", ".join(repr(sheet.name) for sheet in sheets)
        raise SourceError(
            SOURCE,
            file_name,
            f"not a recognisable table: no header row (PERIOD, Kommunkod, Totalt, ...) in the"
            f" first {HEADER_SEARCH_ROWS} rows of sheet(s) {names}",
        )
    share_tables = [sheet.name for sheet, _ in found if is_share[sheet.name]]
    if len(share_tables) > 1:
        names = ", ".join(repr(name) for name in share_tables)
        raise SourceError(
            SOURCE, file_name, f"several sheets hold share tables ({names}): keep one per file"
        )
    return found[0]


def detect_measure(sheet: Sheet, header_index: int, file_name: str) -> str:
    """Tell the definition from the title block: BAS named explicitly wins over registerbaserad."""
    title = " ".join(
        str(cell) for row in sheet.rows[: header_index + 1] for cell in row if not is_blank(cell)
    )
    text = f"{sheet.name} {title}"
    if re.search(r"\bBAS\b", text):
        return BAS_MEASURE
    if "registerbaserad" in text.casefold():
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
    says_share = says_percent = False
    for column, cell in enumerate(sheet.rows[header_index]):
        label = normalise_label(cell)
        if not label:
            continue
        where = locate(file_name, sheet.name, header_index, column)
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
    return Layout(header_index, period, regions, dimensions, values, says_share, says_percent)


def read_period(value: Any, where: str) -> str:
    """Turn `2024-10`, `202410`, `2024M10` or a date cell into the canonical `2024M10`."""
    if isinstance(value, datetime | date):
        return f"{value.year:04d}M{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    is_text = isinstance(value, str | int) and not isinstance(value, bool)
    match = PERIOD_CELL.match(str(value).strip()) if is_text else None
    if not match or not 1 <= int(match[2]) <= 12:
        raise SourceError(SOURCE, where, f"{value!r} is not a month (YYYY-MM, YYYYMM or a date)")
    return f"{match[1]}M{match[2]}"


def build_name_lookup(regions: pd.DataFrame) -> dict[str, str]:
    lookup = {
        normalise_label(name): code for code, name in regions[["region_code", "region_name"]].values
    }
    return {**REGION_ALIASES, **lookup}


def normalise_code(digits: str, width: int | None) -> str:
    """Restore leading zeros a number cell lost (181 -> 0181); Kolada's 0001 means county 01."""
    if width is None:
        width = 2 if len(digits) <= 2 else 4
    code = digits.zfill(width) if len(digits) <= width else digits
    if len(code) == 4 and code.startswith("00"):
        return code[2:]
    return code


def read_region(
    row: list[Any],
    layout: Layout,
    known: dict[str, str],
    codes: frozenset[str],
    where: Callable[[int], str],
) -> str:
    """Take the most specific non-blank region cell: a code, else a name from the regions table."""
    for region in layout.regions:
        value = row[region.index]
        if is_blank(value):
            continue
        spot = where(region.index)
        if region.holds == "code":
            code = read_code(value, region.width, spot)
        else:
            code = read_region_name(value, known, spot)
        if code not in codes:
            raise SourceError(SOURCE, spot, f"unknown region code {code!r} (from {value!r})")
        return code
    raise SourceError(SOURCE, where(layout.regions[0].index), "no region code or name in this row")


def read_code(value: Any, width: int | None, where: str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    is_text = isinstance(value, str | int) and not isinstance(value, bool)
    match = CODE_CELL.match(str(value).strip()) if is_text else None
    if not match:
        raise SourceError(SOURCE, where, f"{value!r} is not a region code")
    return normalise_code(match[1], width)


def read_region_name(value: Any, known: dict[str, str], where: str) -> str:
    name = normalise_label(value)
    coded = NAME_WITH_CODE.match(name)
    if coded:
        return normalise_code(coded[1], None)
    for candidate in (name, name.removesuffix(" kommun")):
        if candidate in known:
            return known[candidate]
    raise SourceError(SOURCE, where, f"unknown region name {value!r} (not in the regions table)")


def read_value(value: Any, where: str) -> tuple[float | None, str | None]:
    """Return (value, status): numbers and decimal commas; `..`, `-`, blank -> null; `<5` hidden."""
    if isinstance(value, bool | datetime | date):
        raise SourceError(SOURCE, where, f"{value!r} is not a number")
    if isinstance(value, int | float):
        return float(value), None
    text = "" if value is None else str(value).replace("\u00a0", " ").strip()
    if text in MISSING_CELLS:
        return None, None
    if SUPPRESSED_CELL.match(text):
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
    known = build_name_lookup(regions)
    codes = frozenset(regions["region_code"])
    header = sheet.rows[layout.header_index]
    width = len(header)
    figures = []
    for index, short_row in iter_data_rows(sheet, layout):
        row = short_row + [None] * (width - len(short_row))
        where = partial(locate, file_name, sheet.name, index)
        check_headed(row, header, where)
        period = read_period(row[layout.period], where(layout.period))
        region_code = fixed_region or read_region(row, layout, known, codes, where)
        row_groups = []
        for column in layout.dimensions:
            group = map_group(normalise_label(row[column]))
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


def check_headed(row: list[Any], header: list[Any], where: Callable[[int], str]) -> None:
    """Refuse a value in a column without a header: it belongs to no group, so it is no figure.

    In a comma-separated file a decimal comma splits 14,5 into 14 and 5, and the 5 lands here.
    """
    for column, value in enumerate(row):
        if not is_blank(value) and (column >= len(header) or is_blank(header[column])):
            raise SourceError(
                SOURCE,
                where(column),
                f"{value!r} stands in a column without a header (is a decimal comma splitting"
                " a number in a comma-separated file?)",
            )


def choose_scale(sheet: Sheet, layout: Layout, figures: list[Figure], file_name: str) -> int:
    """Return 100 for a file of fractions, 1 for one in percent; refuse a file that does not say.

    - any value above 1: percent, values kept as they are;
    - every value within 0..1 and the value cells carry Excel's percent format: fractions;
    - else a value header saying "%" or "procent": percent as they are (0,9 % is a real rate);
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
                f"{above_one.value:g} is above 1 while {len(formatted)} cell(s) carry Excel's"
                " percent format (fractions): cannot tell fractions from percent",
            )
        return 1
    if formatted:
        return 100
    if layout.header_says_percent:
        return 1
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
    known = build_name_lookup(regions)
    named = set()
    for row in sheet.rows[:header_index]:
        for cell in row:
            text = normalise_label(cell)
            for candidate in (text, text.removesuffix(" kommun"), text.removeprefix("region ")):
                if candidate in known:
                    named.add(known[candidate])
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
    sheet, header_index = choose_sheet(read_sheets(raw, file_name), file_name)
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
                f"{figure.value:g} is {side}: not a share",
            )
        rows.append(
            {"measure_id": measure_id, **figure.key, "value": value, "status": figure.status}
        )
    return pd.DataFrame(rows, columns=PARSED_COLUMNS).astype({"value": "float64"})
