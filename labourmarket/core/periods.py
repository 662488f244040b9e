"""SCB-style period codes (2023, 2013K3, 2024M10): frequency and first day."""

import functools
import re
from dataclasses import dataclass
from datetime import date

PERIOD_PATTERNS: dict[str, re.Pattern[str]] = {
    "A": re.compile(r"^(?P<year>\d{4})$"),
    "Q": re.compile(r"^(?P<year>\d{4})K(?P<quarter>[1-4])$"),
    "M": re.compile(r"^(?P<year>\d{4})M(?P<month>0[1-9]|1[0-2])$"),
}


@dataclass(frozen=True)
class Period:
    code: str
    frequency: str
    start: date


def find_break_between(breaks: list[str], earlier: str, later: str) -> str | None:
    """The first series break that starts after `earlier` and no later than `later`, if any."""
    start, end = parse_period(earlier).start, parse_period(later).start
    return next((b for b in breaks if start < parse_period(b).start <= end), None)


@functools.lru_cache(maxsize=8192)  # pure; views parse the same few hundred codes per row
def parse_period(code: str) -> Period:
    """Return the frequency and first day of a period code, or raise ValueError naming it."""
    for frequency, pattern in PERIOD_PATTERNS.items():
        match = pattern.match(code)
        if not match:
            continue
        year = int(match["year"])
        if frequency == "A":
            return Period(code, frequency, date(year, 1, 1))
        if frequency == "Q":
            return Period(code, frequency, date(year, 3 * int(match["quarter"]) - 2, 1))
        return Period(code, frequency, date(year, int(match["month"]), 1))
    raise ValueError(f"unknown period code {code!r}: expected YYYY, YYYYKn or YYYYMmm")


@functools.lru_cache(maxsize=8192)
def find_period_end(code: str) -> date:
    """The first day after a period: 2013K3 -> 2013-10-01, 2023 -> 2024-01-01."""
    period = parse_period(code)
    months = {"A": 12, "Q": 3, "M": 1}[period.frequency]
    month = period.start.month - 1 + months
    return date(period.start.year + month // 12, month % 12 + 1, 1)
