"""The months an AF file may hold: none before 1990, after this month, or after the file's own."""

import re
from datetime import date
from pathlib import PurePath

from etl.errors import SourceError

SOURCE = "arbetsformedlingen"
# AF's monthly series start in 2008 (andel-av-reg) and the register counts behind them in the
# 1990s; a month before this year is a typo or a code (`000001`), never a published figure.
EARLIEST_YEAR = 1990
# AF names its files `<prefix>-YYYY-MM.xlsx` after the statistics month; an import adds
# `-<12 hex digits>` (etl/sources/arbetsformedlingen.py name_raw_file). A user's own name may
# end in the month too ("Inskrivna arbetslösa 2024-10.xlsx").
FILE_MONTH = re.compile(r"(?<!\d)(\d{4})-(0[1-9]|1[0-2])(?:-[0-9a-f]{12})?$")
MONTH_NAMES = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
MONTH = rf"({'|'.join(MONTH_NAMES)})\s+(\d{{4}})"
# A title line states the file's period when it is a range ending in a month ("Kommuner,
# januari 2008 – maj 2023"), says "Månad: oktober 2024", or is the last line above the header
# and ends in a month ("Oktober 2024"). Any other line's month dates a note ("Ny definition av
# arbetskraften från januari 2023"), not the file, and so does a last line saying "från maj 2023".
PERIOD_RANGE = re.compile(rf"\d{{4}}\s*[-\u2013\u2014]\s*{MONTH}\s*$", re.IGNORECASE)
PERIOD_LABEL = re.compile(
    rf"^(?:månad|period|tidsperiod|statistikmånad)\s*:\s*{MONTH}\s*$", re.IGNORECASE
)
TITLE_MONTH = re.compile(rf"\b{MONTH}\s*$", re.IGNORECASE)
NOTE_MONTH = re.compile(
    rf"\b(?:från|sedan|fr\.o\.m\.|efter|före|innan)\s+{MONTH}\s*$", re.IGNORECASE
)


def read_file_month(file_name: str) -> str | None:
    """`YYYY-MM` from a file name ending in the month (before any import hash), else None."""
    match = FILE_MONTH.search(PurePath(file_name).stem)
    return f"{match[1]}-{match[2]}" if match else None


def read_title_month(rows: list[list[object]]) -> tuple[str, str] | None:
    """The latest `YYYY-MM` a title line states as the file's period, and which line said it.

    rows are the rows above the header; the line is named as "title row 2: 'Oktober 2024'".
    """
    lines = [
        (row_index, line.strip())
        for row_index, row in enumerate(rows)
        for cell in row
        if isinstance(cell, str)
        for line in cell.splitlines()
        if line.strip()
    ]
    stated = [
        (row_index, line, match)
        for row_index, line in lines
        if (match := PERIOD_RANGE.search(line) or PERIOD_LABEL.match(line))
    ]
    if lines:
        row_index, line = lines[-1]
        match = TITLE_MONTH.search(line)
        if match and not NOTE_MONTH.search(line):
            stated.append((row_index, line, match))
    if not stated:
        return None
    month, row_index, line = max(
        (f"{match[2]}-{MONTH_NAMES.index(match[1].casefold()) + 1:02d}", row_index, line)
        for row_index, line, match in stated
    )
    return month, f"title row {row_index + 1}: {line!r}"


def check_month(
    period: str,
    where: str,
    file_month: str | None,
    today: date | None = None,
    bound_from: str = "its name or title",
) -> None:
    """Refuse a canonical `YYYYMmm` before EARLIEST_YEAR, after this month or the file's month.

    bound_from says where file_month came from ("its name", "title row 2: 'Oktober 2024'").
    """
    today = today or date.today()
    year, month = int(period[:4]), int(period[5:])
    if year < EARLIEST_YEAR:
        raise SourceError(
            SOURCE,
            where,
            f"{period} is before {EARLIEST_YEAR}, the earliest year Arbetsförmedlingen's files"
            " cover",
        )
    if (year, month) > (today.year, today.month):
        raise SourceError(
            SOURCE, where, f"{period} is after this month ({today:%Y-%m}): not a published month"
        )
    if file_month is not None and f"{year:04d}-{month:02d}" > file_month:
        raise SourceError(
            SOURCE,
            where,
            f"{period} is after the file's own month {file_month} (from {bound_from})",
        )
