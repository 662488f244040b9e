"""AF's time-without-work files -> counts of inskrivna arbetslösa without work > 6, 12, 24 months.

Two files: `…-tid-utan-arbete-lan-kom-…` has plain sheets (Total, Kön, Födelseland, …) with a
row per kommun and month, small numbers shown as "<5"; `web-tid-riket-…` holds exact national
counts in its pivot cache (PERIOD, KOEN, …, INSAL, UA06, UA12, UA24). Kommun and county rows come
from the first (a county sum with a "<5" part is a lower bound), Riket only from the second.
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from etl.errors import SourceError
from etl.sources.af_andel import Where, locate_record, map_geography, read_counts, read_months
from etl.sources.af_counts import (
    COUNTRY_CODE,
    Counts,
    describe_status,
    sum_levels,
    sum_rows,
    take,
)
from etl.sources.af_names import normalise_name
from etl.sources.af_period import read_file_month
from etl.sources.af_xlsx import Cell, Unreadable, iterate_rows, open_sheets
from labourmarket.core.schema import GROUP_DIMENSIONS, KEY

SOURCE = "arbetsformedlingen"
MEASURES = {
    "UA06": "af_utan_arbete_over_6",
    "UA12": "af_utan_arbete_over_12",
    "UA24": "af_utan_arbete_over_24",
}
RIKET_FIELDS = {"PERIOD", "KOEN", "INSAL", *MEASURES}
# The kommun file's headers for the same counts.
DURATION_HEADERS = {
    "utan arbete mer än 6 månader": "UA06",
    "utan arbete mer än 12 månader": "UA12",
    "utan arbete mer än 24 månader": "UA24",
}
GEOGRAPHY_HEADERS = {"period": "PERIOD", "län": "LAN", "kommun": "KOM"}
SEX_VALUES = {"kvinnor": "women", "kvinna": "women", "k": "women", "män": "men", "man": "men"}
SEX_VALUES |= {"m": "men"}
BIRTH_VALUES = {
    "sverige": "born_in_sweden",
    "europa": "foreign_born",
    "övriga länder": "foreign_born",
    "övriga världen": "foreign_born",
    "utanför europa": "foreign_born",
}
HEADER_SEARCH_ROWS = 12


@dataclass(frozen=True)
class SheetSpec:
    """A sheet of the kommun file: its group column (if any) and how its values map."""

    name: str
    column: str | None
    dimension: str | None
    values: dict[str, str]


SHEETS = [
    SheetSpec("total", None, None, {}),
    SheetSpec("kön", "koen", "sex", SEX_VALUES),
    SheetSpec("födelseland", "födelseland", "birth_region", BIRTH_VALUES),
]
UNKNOWN_GROUP = "uppgift saknas"  # counted in Total, belongs to no group of its own


def is_riket_cache(field_names: list[str]) -> bool:
    return set(field_names) >= RIKET_FIELDS


def is_tid_workbook(raw: bytes) -> bool:
    """The kommun file: a sheet Total headed PERIOD, LÄN, KOMMUN, … "Utan arbete mer än …"."""
    try:
        workbook = open_sheets(raw, "")
    except SourceError:
        return False  # the sheet reader refuses it again, naming the file
    try:
        worksheet = find_sheet(workbook, "total")
        if worksheet is None:
            return False
        for row in iterate_rows(worksheet, "", HEADER_SEARCH_ROWS):
            labels = {normalise_name(cell) for cell in row if isinstance(cell, str)}
            if {"period", "kommun", *DURATION_HEADERS} <= labels:
                return True
        return False
    except SourceError:
        return False  # as above
    finally:
        workbook.close()


def shape_counts(summed: Counts, fields: list[str], group: dict[str, str]) -> pd.DataFrame:
    """One row per region, period and duration measure, with the count's status."""
    status = describe_status(summed)
    frames = []
    for index, field in enumerate(fields):
        frames.append(
            pd.DataFrame(
                {
                    "measure_id": MEASURES[field],
                    "region_code": summed.region_code,
                    "period": summed.period,
                    **{dimension: group.get(dimension, "total") for dimension in GROUP_DIMENSIONS},
                    "value": summed.values[:, index],
                    "status": status[:, index],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[[*KEY, "value", "status"]]


def map_group_values(values: pd.Series, spec: SheetSpec, where: Where) -> np.ndarray:
    """A group column's labels -> group codes; "Uppgift saknas" -> None; unknown stops, named."""
    mapped = []
    for position, value in enumerate(values):
        label = normalise_name(value)
        if label == UNKNOWN_GROUP:
            mapped.append(None)
            continue
        if label not in spec.values:
            raise SourceError(
                SOURCE,
                locate_record(where, position),
                f"unknown {spec.column!r} value {value!r}",
            )
        mapped.append(spec.values[label])
    return np.array(mapped, dtype=object)


def parse_riket_records(
    records: pd.DataFrame, where: str, file_month: str | None = None
) -> pd.DataFrame:
    """Exact national counts: all records of a month summed, in total and by sex."""
    fields = list(MEASURES)
    period = read_months(records["PERIOD"], where, file_month)
    values, hidden = read_counts(records, fields, where)
    rows = Counts(
        np.full(len(records), COUNTRY_CODE, dtype=object),
        period,
        values,
        hidden,
        np.ones(len(records), dtype=int),
    )
    frames = [shape_counts(sum_rows(rows.region_code, period, rows), fields, {})]
    spec = SheetSpec("riket", "KOEN", "sex", SEX_VALUES)
    sexes = map_group_values(records["KOEN"], spec, f"{where}, field KOEN")
    for sex in ("women", "men"):
        chosen = sexes == sex
        part = take(rows, chosen)
        summed = sum_rows(part.region_code, part.period, part)
        frames.append(shape_counts(summed, fields, {"sex": sex}))
    return pd.concat(frames, ignore_index=True)


def read_cell(cell: Any, where: str) -> Any:
    """A cell's value; a formula without its value or a NaN/infinite number is refused."""
    if isinstance(cell, Unreadable):
        raise SourceError(SOURCE, where, cell.reason)
    value = cell.value if isinstance(cell, Cell) else cell
    if isinstance(value, float) and not math.isfinite(value):
        raise SourceError(SOURCE, where, f"{value} is not a number")
    return value


def read_sheet_table(worksheet: object, where: str) -> pd.DataFrame:
    """The table under the header row (PERIOD, LÄN, KOMMUN, …), columns named as in the file."""
    rows = enumerate(iterate_rows(worksheet, where), start=1)  # type: ignore[arg-type]
    header = None
    for _ in range(HEADER_SEARCH_ROWS):
        number, row = next(rows, (0, None))
        if row is None:
            break
        labels = [normalise_name(read_cell(cell, f"{where}, row {number}")) for cell in row]
        if {"period", "län", "kommun"} <= set(labels):
            header = labels
            break
    if header is None:
        raise SourceError(
            SOURCE,
            where,
            f"no header row with PERIOD, LÄN, KOMMUN in the first {HEADER_SEARCH_ROWS}",
        )
    missing = [label for label in DURATION_HEADERS if label not in header]
    if missing:
        raise SourceError(SOURCE, where, f"no column {', '.join(missing)}")
    width = len(header)
    data, numbers = [], []
    for number, row in rows:
        values = [
            read_cell(cell, f"{where}, row {number}, column {get_column_letter(column + 1)}")
            for column, cell in enumerate(row)
        ]
        if any(value is not None for value in values):
            data.append((values + [None] * width)[:width])
            numbers.append(number)
    # Indexed by row number, so an error can name the row as Excel shows it.
    return pd.DataFrame(data, columns=header, index=pd.Index(numbers, dtype="int64"))


def parse_sheet(
    table: pd.DataFrame,
    spec: SheetSpec,
    regions: pd.DataFrame,
    where: str,
    file_month: str | None = None,
) -> list:
    """One sheet's kommun and county counts (no Riket: that comes exact from the riket file)."""
    records = table.rename(columns={**GEOGRAPHY_HEADERS, **DURATION_HEADERS})
    records = records[records["PERIOD"].notna()]
    row_numbers = records.index.to_numpy()

    def locate_row(position: int) -> str:
        return f"{where}, row {row_numbers[position]}"

    fields = list(MEASURES)
    period = read_months(records["PERIOD"], locate_row, file_month)
    kommun, county = map_geography(records, regions, locate_row)
    values, hidden = read_counts(records, fields, locate_row)
    ones = np.ones(len(records), dtype=int)
    groups = np.full(len(records), "total", dtype=object)
    if spec.column is not None:
        if spec.column not in records:
            raise SourceError(SOURCE, where, f"no column {spec.column.upper()!r}")
        groups = map_group_values(records[spec.column], spec, locate_row)
    frames = []
    for code in dict.fromkeys(code for code in groups if code is not None):
        chosen = groups == code
        rows = Counts(kommun[chosen], period[chosen], values[chosen], hidden[chosen], ones[chosen])
        summed = sum_levels(kommun[chosen], county[chosen], rows, with_country=False)
        group = {spec.dimension: code} if spec.dimension else {}
        frames.append(shape_counts(summed, fields, group))
    return frames


def find_sheet(workbook: openpyxl.Workbook, name: str) -> object | None:
    for title in workbook.sheetnames:
        if normalise_name(title) == name:
            return workbook[title]
    return None


def parse_kommun_workbook(raw: bytes, file_name: str, regions: pd.DataFrame) -> pd.DataFrame:
    """Total, Kön and Födelseland sheets -> kommun and county counts by group."""
    workbook = open_sheets(raw, file_name)
    file_month = read_file_month(file_name)
    try:
        frames = []
        for spec in SHEETS:
            worksheet = find_sheet(workbook, spec.name)
            where = f"{file_name}, sheet {spec.name.capitalize()}"
            if worksheet is None:
                if spec.column is None:
                    raise SourceError(SOURCE, file_name, "no sheet Total")
                continue
            table = read_sheet_table(worksheet, where)
            frames += parse_sheet(table, spec, regions, where, file_month)
    finally:
        workbook.close()
    return pd.concat(frames, ignore_index=True)
