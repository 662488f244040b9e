"""AF's time-without-work files -> counts of inskrivna arbetslösa without work > 6, 12, 24 months.

Two files: `…-tid-utan-arbete-lan-kom-…` has plain sheets (Total, Kön, Födelseland, …) with a
row per kommun and month, small numbers shown as "<5"; `web-tid-riket-…` holds exact national
counts in its pivot cache (PERIOD, KOEN, …, INSAL, UA06, UA12, UA24). Kommun and county rows come
from the first (a county sum with a "<5" part is a lower bound), Riket only from the second.
"""

import io
from dataclasses import dataclass

import numpy as np
import openpyxl
import pandas as pd

from etl.errors import SourceError
from etl.sources.af_andel import map_geography, read_counts, read_months
from etl.sources.af_counts import (
    COUNTRY_CODE,
    Counts,
    describe_status,
    sum_levels,
    sum_rows,
    take,
)
from etl.sources.af_names import normalise_name
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
    workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        worksheet = find_sheet(workbook, "total")
        if worksheet is None:
            return False
        for row in worksheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True):
            labels = {normalise_name(cell) for cell in row}
            if {"period", "kommun", *DURATION_HEADERS} <= labels:
                return True
        return False
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


def map_group_values(values: pd.Series, spec: SheetSpec, where: str) -> np.ndarray:
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
                f"{where}, row {position + 1} under the header",
                f"unknown {spec.column!r} value {value!r}",
            )
        mapped.append(spec.values[label])
    return np.array(mapped, dtype=object)


def parse_riket_records(records: pd.DataFrame, where: str) -> pd.DataFrame:
    """Exact national counts: all records of a month summed, in total and by sex."""
    fields = list(MEASURES)
    period = read_months(records["PERIOD"], where)
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


def read_sheet_table(worksheet: object, where: str) -> pd.DataFrame:
    """The table under the header row (PERIOD, LÄN, KOMMUN, …), columns named as in the file."""
    rows = worksheet.iter_rows(values_only=True)  # type: ignore[attr-defined]
    header = None
    for _ in range(HEADER_SEARCH_ROWS):
        row = next(rows, None)
        if row is None:
            break
        labels = [normalise_name(cell) for cell in row]
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
    data = [row for row in rows if any(cell is not None for cell in row)]
    return pd.DataFrame(data, columns=header[: len(data[0])] if data else header)


def parse_sheet(table: pd.DataFrame, spec: SheetSpec, regions: pd.DataFrame, where: str) -> list:
    """One sheet's kommun and county counts (no Riket: that comes exact from the riket file)."""
    records = table.rename(columns={**GEOGRAPHY_HEADERS, **DURATION_HEADERS})
    records = records[records["PERIOD"].notna()]
    fields = list(MEASURES)
    period = read_months(records["PERIOD"], where)
    kommun, county = map_geography(records, regions, where)
    values, hidden = read_counts(records, fields, where)
    ones = np.ones(len(records), dtype=int)
    groups = np.full(len(records), "total", dtype=object)
    if spec.column is not None:
        if spec.column not in records:
            raise SourceError(SOURCE, where, f"no column {spec.column.upper()!r}")
        groups = map_group_values(records[spec.column], spec, where)
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
    workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        frames = []
        for spec in SHEETS:
            worksheet = find_sheet(workbook, spec.name)
            where = f"{file_name}, sheet {spec.name.capitalize()}"
            if worksheet is None:
                if spec.column is None:
                    raise SourceError(SOURCE, file_name, "no sheet Total")
                continue
            frames += parse_sheet(read_sheet_table(worksheet, where), spec, regions, where)
    finally:
        workbook.close()
    return pd.concat(frames, ignore_index=True)
