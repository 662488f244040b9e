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
# A title line ending in a month names the file's month: "Oktober 2024", "2008 – maj 2023".
# A month inside a line is left alone: "Från januari 2023 används BAS" dates a note, not the file.
TITLE_MONTH = re.compile(rf"\b({'|'.join(MONTH_NAMES)})\s+(\d{{4}})\s*$", re.IGNORECASE)


def read_file_month(file_name: str) -> str | None:
    """`YYYY-MM` from a file name ending in the month (before any import hash), else None."""
    match = FILE_MONTH.search(PurePath(file_name).stem)
    return f"{match[1]}-{match[2]}" if match else None


def read_title_month(cells: list[object]) -> str | None:
    """The latest `YYYY-MM` that title lines end in ("… 2008 – maj 2023"), else None."""
    months = [
        f"{match[2]}-{MONTH_NAMES.index(match[1].casefold()) + 1:02d}"
        for cell in cells
        if isinstance(cell, str)
        for line in cell.splitlines()
        if (match := TITLE_MONTH.search(line.strip()))
    ]
    return max(months, default=None)


def check_month(period: str, where: str, file_month: str | None, today: date | None = None) -> None:
    """Refuse a canonical `YYYYMmm` before EARLIEST_YEAR, after this month or the file's month."""
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
            f"{period} is after the file's own month {file_month} (from its name or title)",
        )
