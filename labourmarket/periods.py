"""SCB-style period codes (2023, 2013K3, 2024M10): frequency and first day."""

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
