"""Swedish number, gap and period formatting, and the labels of groups and breakdowns."""

import math
import re
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from labourmarket.core.periods import parse_period

LOCALE = "sv_SE"
MISSING = ".."  # SCB's symbol for a figure that is missing or too uncertain to publish
# A negative figure in text takes the true minus sign, as plotly's axes do; exported numbers
# stay numbers (CSV and Excel write -5.8 as a number, never this sign).
MINUS = "\u2212"

BREAKDOWN_LABELS: dict[str, str] = {
    "age": "Ålder",
    "birth_region": "Födelseland",
    "education": "Utbildning",
}
GROUP_LABELS: dict[str, dict[str, str]] = {
    "sex": {"total": "Båda könen", "women": "Kvinnor", "men": "Män"},
    "birth_region": {
        "born_in_sweden": "Inrikes födda",
        "foreign_born": "Utrikes födda",
    },
    "education": {
        "pre_upper_secondary": "Förgymnasial",
        "upper_secondary": "Gymnasial",
        "post_secondary": "Eftergymnasial",
        "unknown": "Okänd utbildning",
    },
}


def is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | None, decimals: int = 1) -> str:
    """Format with a decimal comma, a non-breaking-space thousands separator and a true minus
    sign: 1 234,5 and −2,3."""
    if is_missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    rounded = round_half_up(value, decimals)
    # -0,04 rounds to zero: "0,0", never "−0,0".
    shown = format_decimal(abs(rounded) if rounded == 0 else rounded, format=pattern, locale=LOCALE)
    return shown.replace("-", MINUS)


def round_half_up(value: float, decimals: int) -> Decimal:
    """Round as statistical tables do (2,25 -> 2,3), from the shortest repr of the float."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def format_percent(value: float | None, decimals: int = 1) -> str:
    """Format a percentage the Swedish way, with a space before the sign: 14,5 %."""
    if is_missing(value):
        return MISSING
    return f"{format_number(value, decimals)}\u00a0%"


def format_gap(value: float | None, decimals: int = 1, unit: str = "p.e.") -> str:
    """Format a signed difference: +11,3 p.e., −0,4 p.e. (a true minus), ±0,0 p.e."""
    if is_missing(value):
        return MISSING
    rounded = round_half_up(value, decimals)
    sign = "+" if rounded > 0 else MINUS if rounded < 0 else "±"
    return f"{sign}{format_number(abs(rounded), decimals)}\u00a0{unit}".rstrip()


def format_period(code: str) -> str:
    """Say a period the way Swedish reports do: 2023, kv 3 2013, oktober 2024."""
    period = parse_period(code)
    if period.frequency == "Q":
        return f"kv {code[-1]} {code[:4]}"
    if period.frequency == "M":
        return format_date(period.start, "LLLL yyyy", locale="sv")
    return code


def format_group(dimension: str, code: str, population: str = "") -> str:
    """Label a group; the total of any breakdown names the measure's population, so the total
    reads alike by age, birth region and education ("Totalt 16-64 år")."""
    if code == "total" and dimension != "sex":
        return f"Totalt {population}".strip()
    if dimension == "age":
        return f"{code} år"
    return GROUP_LABELS[dimension][code]


NON_BREAKING_HYPHEN = "\u2011"
DATES = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{4}-\d{4}\b")


def keep_dates_whole(text: str) -> str:
    """Join the hyphens of dates (2026-11-24) and year spans (2013-2014) so that a line in
    large type never breaks inside one: U+2011, a hyphen that looks the same but does not
    break."""
    return DATES.sub(lambda match: match.group().replace("-", NON_BREAKING_HYPHEN), text)


SWEDISH_LAST_LETTERS = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"})


def sort_key_sv(text: str) -> str:
    """Sort key for Swedish alphabetical order: å, ä, ö come after z (Python puts ä before å)."""
    return text.casefold().translate(SWEDISH_LAST_LETTERS)


PLAIN_LINK_VALUE = re.compile(r"[\w :,'-]*")
LINK_VALUE_LIMIT = 40


def quote_link_value(text: str) -> str:
    """A value from a link, for a notice: shortened, and never read as markdown.

    A link is anyone's text: a plain code is quoted as before ('9999'); anything else goes in a
    code span, so `[text](https://…)`, a bare URL or `:red[…]` show as typed, never as a link.
    """
    shown = " ".join(text.split())
    if len(shown) > LINK_VALUE_LIMIT:
        shown = shown[:LINK_VALUE_LIMIT] + "…"
    if PLAIN_LINK_VALUE.fullmatch(shown):
        return repr(shown)
    return "`" + shown.replace("`", "'") + "`"


# The sex choice in the order the picker shows it; "total" (Alla) is the default.
SEX_LABELS = {"women": "Kvinnor", "men": "Män", "total": "Alla"}
