"""The canonical observations table: columns, dtypes, allowed codes and the checks that guard it."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from labourmarket.core.catalog import Catalog
from labourmarket.core.periods import PERIOD_PATTERNS, parse_period

KEY = ["measure_id", "region_code", "period", "sex", "age", "birth_region", "education"]
# What every source's parse() returns; the pipeline adds period_start, frequency and provenance.
PARSED_COLUMNS = [*KEY, "value", "status"]
# Optional in a parse() result: counts behind the figure; null where a source gives none.
COUNT_COLUMNS = ["numerator", "denominator"]
NUMBER_COLUMNS = ["value", *COUNT_COLUMNS]
GROUP_DIMENSIONS = ["sex", "age", "birth_region", "education"]

ARROW_SCHEMA = pa.schema(
    [
        pa.field("measure_id", pa.string(), nullable=False),
        pa.field("region_code", pa.string(), nullable=False),
        pa.field("period", pa.string(), nullable=False),
        pa.field("period_start", pa.date32(), nullable=False),
        pa.field("frequency", pa.string(), nullable=False),
        pa.field("sex", pa.string(), nullable=False),
        pa.field("age", pa.string(), nullable=False),
        pa.field("birth_region", pa.string(), nullable=False),
        pa.field("education", pa.string(), nullable=False),
        pa.field("value", pa.float64(), nullable=True),
        # The counts behind a share where the source gives them (AF: inskrivna arbetslösa over
        # the labour force); aggregates are summed from these, never averaged from shares.
        pa.field("numerator", pa.float64(), nullable=True),
        pa.field("denominator", pa.float64(), nullable=True),
        pa.field("status", pa.string(), nullable=True),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("retrieved_at", pa.timestamp("s", tz="UTC"), nullable=False),
    ]
)
COLUMNS = ARROW_SCHEMA.names
NULLABLE_COLUMNS = [field.name for field in ARROW_SCHEMA if field.nullable]

# Group codes in reading order (total first); age is open-ended: `total` or a band.
GROUP_CODES: dict[str, tuple[str, ...]] = {
    "sex": ("total", "women", "men"),
    "birth_region": ("total", "born_in_sweden", "foreign_born"),
    "education": ("total", "pre_upper_secondary", "upper_secondary", "post_secondary", "unknown"),
}
ALLOWED_CODES: dict[str, frozenset[str]] = {
    "frequency": frozenset(PERIOD_PATTERNS),
    **{dimension: frozenset(codes) for dimension, codes in GROUP_CODES.items()},
    # lower_bound: the true figure is at least `value` (AF's "<5" cells, and sums holding one).
    # missing_part: an aggregate left null because one of its parts is missing.
    "status": frozenset(
        {"suppressed", "provisional", "not_applicable", "lower_bound", "missing_part"}
    ),
}
AGE_PATTERN = r"^(total|\d{2}-\d{2}|\d{2}\+)$"
STATUSES_WITHOUT_VALUE = frozenset({"suppressed", "not_applicable", "missing_part"})

DTYPE_CHECKS: dict[str, Callable[[pd.Series], bool]] = {
    "period_start": pd.api.types.is_datetime64_any_dtype,
    "retrieved_at": lambda s: isinstance(s.dtype, pd.DatetimeTZDtype),
    "value": pd.api.types.is_float_dtype,
    "numerator": pd.api.types.is_float_dtype,
    "denominator": pd.api.types.is_float_dtype,
}


def repeat_category(value: str, length: int) -> pd.Categorical:
    """One value for every row, stored once: a national table has millions of such cells."""
    return pd.Categorical.from_codes(np.zeros(length, dtype="int8"), categories=[value])


def is_text(values: pd.Series) -> bool:
    """Text, or a categorical of text (the build's dtype); an all-null categorical counts too."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories
        return categories.empty or pd.api.types.is_string_dtype(categories)
    return pd.api.types.is_string_dtype(values)


class ValidationError(Exception):
    """Raised when observations fail a check; the message names the check and the rows."""

    def __init__(self, failures: list["CheckFailure"], origins: pd.Series | None = None) -> None:
        self.failures = failures
        super().__init__(describe_failures(failures, origins=origins))


@dataclass(frozen=True)
class CheckFailure:
    check: str
    description: str
    rows: pd.DataFrame


def select_missing_required(frame: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    required = [c for c in COLUMNS if c not in NULLABLE_COLUMNS]
    return frame[frame[required].isna().any(axis=1)]


def select_unknown_codes(frame: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    bad = pd.Series(False, index=frame.index)
    for column, allowed in ALLOWED_CODES.items():
        values = frame[column]
        is_allowed = values.isin(allowed)
        if column in NULLABLE_COLUMNS:
            is_allowed |= values.isna()
        bad |= ~is_allowed
    bad |= ~frame["age"].str.match(AGE_PATTERN).eq(True)
    return frame[bad]


def select_bad_periods(frame: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    def is_consistent(combo: pd.Series) -> bool:
        try:
            period = parse_period(str(combo["period"]))
        except ValueError:
            return False
        start = combo["period_start"]
        return period.frequency == combo["frequency"] and period.start == start.date()

    # Each distinct (period, frequency, start) is checked once: a national table repeats few.
    columns = ["period", "frequency", "period_start"]
    combos = frame[columns].drop_duplicates()
    if combos.empty:
        return frame
    bad = combos[~combos.apply(is_consistent, axis=1)]
    return frame[pd.MultiIndex.from_frame(frame[columns]).isin(pd.MultiIndex.from_frame(bad))]


def select_mixed_frequencies(frame: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Rows of a measure with more than one frequency (kv 3 2013 and 2013M07 start on one day)."""
    frequencies = frame.groupby("measure_id", observed=True)["frequency"].nunique()
    mixed = frequencies.index[frequencies > 1]
    return frame[frame["measure_id"].isin(mixed)]


def select_duplicate_keys(frame: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    return frame[frame.duplicated(KEY, keep=False)]


def select_unknown_measures(frame: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    return frame[~frame["measure_id"].isin(catalog.measures["measure_id"])]


def select_unknown_regions(frame: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    return frame[~frame["region_code"].isin(catalog.regions["region_code"])]


def select_unknown_sources(frame: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    return frame[~frame["source_id"].isin(catalog.sources["source_id"])]


def select_percent_out_of_range(frame: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    measures = catalog.measures
    percent_ids = measures.loc[measures["unit"] == "percent", "measure_id"]
    is_percent = frame["measure_id"].isin(percent_ids)
    return frame[is_percent & ~frame["value"].between(0, 100) & frame["value"].notna()]


def select_values_despite_status(frame: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    return frame[frame["status"].isin(STATUSES_WITHOUT_VALUE) & frame["value"].notna()]


CHECKS: list[tuple[str, str, Callable[[pd.DataFrame, Catalog], pd.DataFrame]]] = [
    ("missing_required", "required column is null", select_missing_required),
    ("unknown_codes", "group, frequency or status code not allowed", select_unknown_codes),
    ("bad_period", "period code does not match frequency/period_start", select_bad_periods),
    ("duplicate_key", "key is not unique", select_duplicate_keys),
    ("mixed_frequency", "one measure holds more than one frequency", select_mixed_frequencies),
    ("unknown_measure", "measure_id not in measures.csv", select_unknown_measures),
    ("unknown_region", "region_code not in regions.csv", select_unknown_regions),
    ("unknown_source", "source_id not in sources.csv", select_unknown_sources),
    ("percent_out_of_range", "percent value outside 0-100", select_percent_out_of_range),
    (
        "value_despite_status",
        "suppressed/not applicable row has a value",
        select_values_despite_status,
    ),
]


def check_columns(frame: pd.DataFrame) -> list[str]:
    """Return one problem per missing, extra or wrongly typed column."""
    problems = [f"missing column {c!r}" for c in COLUMNS if c not in frame.columns]
    problems += [f"unexpected column {c!r}" for c in frame.columns if c not in COLUMNS]
    for column in COLUMNS:
        if column not in frame.columns:
            continue
        is_right_type = DTYPE_CHECKS.get(column, is_text)
        if not is_right_type(frame[column]):
            problems.append(f"column {column!r} has dtype {frame[column].dtype}")
    return problems


def validate(frame: pd.DataFrame, catalog: Catalog, origins: pd.Series | None = None) -> None:
    """Raise ValidationError naming every failing check and its rows; return None when clean.

    origins: the raw file each row came from (same index), for the message.
    """
    problems = check_columns(frame)
    if problems:
        raise ValidationError([CheckFailure("schema", "; ".join(problems), frame.head(0))])
    failures = []
    for name, description, select in CHECKS:
        rows = select(frame, catalog)
        if not rows.empty:
            failures.append(CheckFailure(name, description, rows))
    if failures:
        raise ValidationError(failures, origins)


def describe_failures(
    failures: list[CheckFailure], max_rows: int = 10, origins: pd.Series | None = None
) -> str:
    """Render failures as text: one heading per check, then up to max_rows of its rows."""
    lines = [f"validation failed: {len(failures)} check(s)"]
    for failure in failures:
        lines.append(f"- {failure.check}: {failure.description} ({len(failure.rows)} row(s))")
        shown = [c for c in [*KEY, "value", "status"] if c in failure.rows.columns]
        for index, row in failure.rows.head(max_rows).iterrows():
            cells = ", ".join(f"{c}={row[c]!r}" for c in shown)
            origin = f" in {origins[index]}" if origins is not None else ""
            lines.append(f"    row {index}{origin}: {cells}")
    return "\n".join(lines)
