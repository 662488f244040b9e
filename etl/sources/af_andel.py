"""AF's andel pivot records (PERIOD, LAN, KOM, xxSOK/xxAK) -> canonical shares with their counts.

Each kommun's share is 100 * SOK / AK from its own row(s); counties and Riket are computed from
summed counts (never averaged shares), so they match what AF shows for them.
"""

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from etl.errors import SourceError
from etl.sources.af_counts import Counts, describe_status, sum_levels, take
from etl.sources.af_names import RESIDUAL, build_lookup, map_names
from etl.sources.af_period import check_month
from labourmarket.core.schema import GROUP_DIMENSIONS, KEY, repeat_category

SOURCE = "arbetsformedlingen"
REG_MEASURE = "af_inskrivna_andel_reg"
BAS_MEASURE = "af_inskrivna_andel_bas"
NUMERATOR_SUFFIX, DENOMINATOR_SUFFIX = "SOK", "AK"
# AF's count-pair prefixes, in the files' order, and the group each names (sex crosses each).
BASE_GROUPS: dict[str, dict[str, str]] = {
    "TOT": {},
    "UNG": {"age": "18-24"},
    "GAM": {"age": "55-64"},
    "INR": {"birth_region": "born_in_sweden"},
    "UTR": {"birth_region": "foreign_born"},
    "FG": {"education": "pre_upper_secondary"},
    "GY": {"education": "upper_secondary"},
    "EG": {"education": "post_secondary"},
}


def list_count_groups() -> dict[str, dict[str, str]]:
    """TOT, KVI, MAN, UNG, UNGK, UNGM, ...: each base prefix, then its women and men."""
    groups = {}
    for prefix, group in BASE_GROUPS.items():
        women, men = ("KVI", "MAN") if prefix == "TOT" else (f"{prefix}K", f"{prefix}M")
        groups |= {prefix: group, women: group | {"sex": "women"}, men: group | {"sex": "men"}}
    return groups


COUNT_GROUPS = list_count_groups()
GEOGRAPHY_FIELDS = ("PERIOD", "LAN", "KOM")
COUNT_FIELDS = tuple(
    f"{prefix}{suffix}" for prefix in COUNT_GROUPS for suffix in (NUMERATOR_SUFFIX, "AK")
)
# Where records come from: a cache part's name, or for a sheet's rows a function giving the
# spot of a row by its position ("…, sheet Total, row 7").
Where = str | Callable[[int], str]
MONTH = re.compile(r"^(\d{4})-?M?(\d{2})$")
HIDDEN = re.compile(r"^<\s*\d+$")


def is_andel_cache(field_names: list[str]) -> bool:
    """An andel cache names its geography and at least the total count pair."""
    return {*GEOGRAPHY_FIELDS, "TOTSOK", "TOTAK"} <= set(field_names)


def locate_record(where: Where, position: int) -> str:
    """A record of a cache part ("…, record 3"), or a sheet's own spot for the position."""
    if callable(where):
        return where(position)
    return f"{where}, record {position + 1}"


def read_months(values: pd.Series, where: Where, file_month: str | None = None) -> np.ndarray:
    """`2024-10` (AF's PERIOD) -> `2024M10`, each distinct value parsed once and checked: none
    before 1990, after this month or after the file's own month (etl/sources/af_period.py)."""
    categorical = values.astype("category")
    codes = categorical.cat.codes.to_numpy()
    if (codes < 0).any():
        position = int(np.flatnonzero(codes < 0)[0])
        raise SourceError(SOURCE, locate_record(where, position), "PERIOD is empty")
    parsed = []
    for index, value in enumerate(categorical.cat.categories):
        match = MONTH.match(str(value).strip())
        if not match or not 1 <= int(match[2]) <= 12:
            position = int(np.flatnonzero(codes == index)[0])
            raise SourceError(
                SOURCE, locate_record(where, position), f"PERIOD {value!r} is not a month YYYY-MM"
            )
        period = f"{match[1]}M{match[2]}"
        position = int(np.flatnonzero(codes == index)[0])
        check_month(period, f"{locate_record(where, position)}, field PERIOD", file_month)
        parsed.append(period)
    return np.array(parsed, dtype=object)[codes]


def map_geography(records: pd.DataFrame, regions: pd.DataFrame, where: Where) -> tuple:
    """KOM and LAN names -> SCB codes; a name that maps to nothing stops the import, named."""
    mapped = []
    for field, level in (("KOM", "municipality"), ("LAN", "county")):
        codes, unknown = map_names(records[field], build_lookup(regions, level))
        if unknown:
            position, name = unknown[0]
            others = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
            kind = "kommun" if field == "KOM" else "county"
            raise SourceError(
                SOURCE,
                f"{locate_record(where, position)}, field {field}",
                f"unknown {kind} name {name!r}{others}: not in regions.csv",
            )
        mapped.append(codes)
    return mapped[0], mapped[1]


def read_counts(records: pd.DataFrame, fields: list[str], where: Where) -> tuple:
    """The count columns as floats; "<5" cells hidden; any other text or a negative stops."""
    values = np.empty((len(records), len(fields)))
    hidden = np.zeros(values.shape, dtype=bool)
    for index, field in enumerate(fields):
        column = records[field]
        if pd.api.types.is_float_dtype(column):
            numbers = column.to_numpy(dtype="float64")
        else:
            is_hidden = column.map(lambda v: isinstance(v, str) and bool(HIDDEN.match(v.strip())))
            hidden[:, index] = is_hidden.to_numpy(dtype=bool)
            numeric = pd.to_numeric(column.where(~is_hidden), errors="coerce")
            bad = numeric.isna() & column.notna() & ~is_hidden
            if bad.any():
                position = int(np.flatnonzero(bad.to_numpy())[0])
                raise SourceError(
                    SOURCE,
                    f"{locate_record(where, position)}, field {field}",
                    f"{column.iloc[position]!r} is not a count, a missing cell or '<5'",
                )
            numbers = numeric.to_numpy(dtype="float64")
        negative = numbers < 0
        if negative.any():
            position = int(np.flatnonzero(negative)[0])
            raise SourceError(
                SOURCE,
                f"{locate_record(where, position)}, field {field}",
                f"{numbers[position]:g} is a negative count",
            )
        values[:, index] = numbers
    return values, hidden


def check_fields(field_names: list[str], where: str) -> None:
    missing = [field for field in (*GEOGRAPHY_FIELDS, *COUNT_FIELDS) if field not in field_names]
    if missing:
        raise SourceError(
            SOURCE, where, f"the pivot cache lacks field(s) {', '.join(missing)} of AF's andel file"
        )


def check_shares(counts: Counts, where: str, positions: np.ndarray) -> None:
    """A kommun row with more inskrivna arbetslösa than labour force is no share: stop, named."""
    numerators, denominators = counts.values[:, 0::2], counts.values[:, 1::2]
    with np.errstate(invalid="ignore"):
        bad = numerators > denominators
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        prefix = list(COUNT_GROUPS)[column]
        raise SourceError(
            SOURCE,
            f"{locate_record(where, int(positions[row]))}, fields {prefix}SOK/{prefix}AK",
            f"{numerators[row, column]:g} inskrivna arbetslösa is more than the labour force"
            f" {denominators[row, column]:g}",
        )


def parse_records(
    records: pd.DataFrame,
    measure_id: str,
    regions: pd.DataFrame,
    where: str,
    file_month: str | None = None,
) -> pd.DataFrame:
    """Canonical rows for every kommun, county and Riket, month and group in the records."""
    check_fields(list(records.columns), where)
    period = read_months(records["PERIOD"], where, file_month)
    kommun, county = map_geography(records, regions, where)
    values, hidden = read_counts(records, list(COUNT_FIELDS), where)
    # A row without a known kommun has no labour force of its own (the register counts people
    # where they live): its empty cells add nothing, where a named kommun's empty cell is missing.
    residual = (kommun == RESIDUAL)[:, None] & np.isnan(values) & ~hidden
    values[residual] = 0.0
    rows = Counts(kommun, period, values, hidden, np.ones(len(records), dtype=int))
    named = kommun != RESIDUAL
    check_shares(take(rows, named), where, np.flatnonzero(named))
    return shape_rows(sum_levels(kommun, county, rows), measure_id)


def shape_rows(summed: Counts, measure_id: str) -> pd.DataFrame:
    """One row per region, period and group: counts, the share from them, and a status."""
    numerators, denominators = summed.values[:, 0::2], summed.values[:, 1::2]
    status = describe_status(summed)
    pair_status = np.where(status[:, 0::2] == None, status[:, 1::2], status[:, 0::2])  # noqa: E711
    # A share of a hidden or partly missing count is no share: missing, with the reason.
    pair_status = np.where(pair_status == "lower_bound", "missing_part", pair_status)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = 100.0 * numerators / denominators
    exact = pair_status == None  # noqa: E711
    shares = np.where(exact & (denominators > 0), shares, np.nan)
    numerators = np.where(exact, numerators, np.nan)
    denominators = np.where(exact, denominators, np.nan)
    regions_count, groups_count = shares.shape
    groups = [COUNT_GROUPS[prefix] for prefix in COUNT_GROUPS]
    frame = pd.DataFrame(
        {
            "measure_id": repeat_category(measure_id, regions_count * groups_count),
            "region_code": repeat_codes(summed.region_code, groups_count),
            "period": repeat_codes(summed.period, groups_count),
            **{
                dimension: tile_codes([g.get(dimension, "total") for g in groups], regions_count)
                for dimension in GROUP_DIMENSIONS
            },
            "value": shares.ravel(),
            "numerator": numerators.ravel(),
            "denominator": denominators.ravel(),
            "status": pair_status.ravel(),
        }
    )
    return frame[[*KEY, "value", "numerator", "denominator", "status"]]


def repeat_codes(values: np.ndarray, times: int) -> pd.Categorical:
    """Each value `times` times in a row, as a categorical built from codes (millions of rows)."""
    codes, categories = pd.factorize(values)
    return pd.Categorical.from_codes(np.repeat(codes, times), categories=categories)


def tile_codes(values: list[str], times: int) -> pd.Categorical:
    """The list repeated `times` times, as a categorical built from codes."""
    codes, categories = pd.factorize(np.array(values, dtype=object))
    return pd.Categorical.from_codes(np.tile(codes, times), categories=categories)
