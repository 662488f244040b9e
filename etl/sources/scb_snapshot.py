"""Published SCB figures bundled as CSV snapshots (BAS monthly, integration statistics) -> rows."""

import csv
import io
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from etl.checks import check_unique_key, locate_byte
from etl.errors import SourceError
from labourmarket.core.catalog import Catalog

# Bundled, not fetched: the bytes were copied from public repositories' snapshots of SCB output,
# so this source has no fetch(); each sidecar names its layout, measure, vintage and copy's origin.
SOURCE = "scb_snapshot"
TOTAL_GROUP = {"sex": "total", "age": "total", "birth_region": "total", "education": "total"}
BIRTH_REGIONS = {
    "totalt": "total",
    "inrikes född": "born_in_sweden",
    "utrikes född": "foreign_born",
}
RATE_TOLERANCE = 0.05  # the published rate is unemployed / labour force rounded to one decimal


def split_fields(text: str, file_name: str) -> list[list[str]]:
    """The header and every line as fields, each line as long as the header.

    csv, not pd.read_csv: pandas takes a first line with one field too many for an index column
    and shifts every column by one (or, told not to, drops the extra field).
    """
    reader = csv.reader(io.StringIO(text.rstrip("\r\n")))
    rows: list[list[str]] = []
    try:
        for row in reader:
            if rows and len(row) != len(rows[0]):
                raise SourceError(
                    SOURCE,
                    f"{file_name}, line {reader.line_num}",
                    f"{len(row)} fields for {len(rows[0])} columns (a decimal comma in a"
                    " comma-separated file?)",
                )
            rows.append(row)
    except csv.Error as error:
        raise SourceError(
            SOURCE, f"{file_name}, line {reader.line_num}", f"not a CSV: {error}"
        ) from error
    return rows


def read_csv(raw: bytes, file_name: str, columns: list[str]) -> pd.DataFrame:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        spot = locate_byte(raw, error.start)
        raise SourceError(SOURCE, file_name, f"not UTF-8 at byte {error.start} ({spot})") from error
    if not text.strip():
        raise SourceError(SOURCE, file_name, "the file is empty")
    header, *rows = split_fields(text, file_name)
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceError(SOURCE, file_name, f"missing column(s) {', '.join(missing)}")
    return frame


def parse_numbers(frame: pd.DataFrame, column: str, file_name: str) -> pd.Series:
    """Parse a numeric column; `..` and blanks become null (never 0), anything else must parse."""
    text = frame[column].str.strip()
    missing = text.isin(["..", ""])
    numbers = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = numbers.isna() & ~missing
    if bad.any():
        line = int(bad.idxmax()) + 2  # +1 for the header, +1 for 1-based lines
        raise SourceError(
            SOURCE,
            f"{file_name}, line {line}, column {column}",
            f"{text[bad].iloc[0]!r} is not a number",
        )
    return numbers.astype("float64")


def mark_suppressed(frame: pd.DataFrame, column: str, otherwise: str | None) -> pd.Series:
    """`..` is SCB's "too uncertain or not published": suppressed, as in the API and the seed."""
    dots = frame[column].str.strip() == ".."
    return pd.Series(otherwise, index=frame.index, dtype=object).mask(dots, "suppressed")


def check_rate_matches_counts(frame: pd.DataFrame, rate: pd.Series, file_name: str) -> None:
    """Refuse a file whose rate does not follow from its own counts (a mangled copy)."""
    unemployed = parse_numbers(frame, "antal_arbetslosa", file_name)
    labour_force = parse_numbers(frame, "antal_arbetskraften", file_name)
    recomputed = (unemployed / labour_force * 100).round(1)
    off = (recomputed - rate).abs() > RATE_TOLERANCE
    if off.any():
        line = int(off.idxmax()) + 2
        raise SourceError(
            SOURCE,
            f"{file_name}, line {line}",
            f"arbetsloshet_pct {rate[off].iloc[0]} differs from counts ({recomputed[off].iloc[0]})",
        )


def parse_bas_monthly(raw: bytes, provenance: Mapping[str, Any]) -> pd.DataFrame:
    file_name = provenance["file"]
    columns = ["region_code", "kon", "alder", "fodelseregion", "manad", "arbetsloshet_pct"]
    frame = read_csv(raw, file_name, [*columns, "antal_arbetslosa", "antal_arbetskraften"])
    unexpected = frame[(frame["kon"] != "totalt") | (frame["alder"] != "20-64")]
    if not unexpected.empty:
        line = int(unexpected.index[0]) + 2
        raise SourceError(SOURCE, f"{file_name}, line {line}", "expected kon totalt, alder 20-64")
    birth_region = frame["fodelseregion"].map(BIRTH_REGIONS)
    if birth_region.isna().any():
        line = int(birth_region.isna().idxmax()) + 2
        value = frame.loc[line - 2, "fodelseregion"]
        raise SourceError(SOURCE, f"{file_name}, line {line}", f"unknown fodelseregion {value!r}")
    rate = parse_numbers(frame, "arbetsloshet_pct", file_name)
    check_rate_matches_counts(frame, rate, file_name)
    return pd.DataFrame(
        {
            "measure_id": provenance["measure_id"],
            "region_code": frame["region_code"],
            "period": frame["manad"],
            **TOTAL_GROUP,
            "birth_region": birth_region,
            "value": rate,
            # The counts behind the rate: with them a gap can be split by birth region.
            "numerator": parse_numbers(frame, "antal_arbetslosa", file_name),
            "denominator": parse_numbers(frame, "antal_arbetskraften", file_name),
            # TAB6260 is SCB's preliminary monthly table: these figures get revised.
            "status": mark_suppressed(frame, "arbetsloshet_pct", "provisional"),
        }
    )


def parse_integration_annual(raw: bytes, provenance: Mapping[str, Any]) -> pd.DataFrame:
    file_name = provenance["file"]
    columns = ["municipality_code", "year", "unemployment_rate", "scb_source_table"]
    frame = read_csv(raw, file_name, columns)
    source_ids = frame["scb_source_table"].map(provenance["source_ids_by_table"])
    if source_ids.isna().any():
        line = int(source_ids.isna().idxmax()) + 2
        table = frame.loc[line - 2, "scb_source_table"]
        raise SourceError(
            SOURCE, f"{file_name}, line {line}", f"unknown scb_source_table {table!r}"
        )
    return pd.DataFrame(
        {
            "measure_id": provenance["measure_id"],
            "region_code": frame["municipality_code"].str.zfill(4),
            "period": frame["year"],
            **TOTAL_GROUP,
            "value": parse_numbers(frame, "unemployment_rate", file_name),
            "status": mark_suppressed(frame, "unemployment_rate", None),
            "source_id": source_ids,
        }
    )


LAYOUTS: dict[str, Callable[[bytes, Mapping[str, Any]], pd.DataFrame]] = {
    "bas_monthly": parse_bas_monthly,
    "integration_annual": parse_integration_annual,
}


def parse(raw: bytes, provenance: Mapping[str, Any], catalog: Catalog) -> pd.DataFrame:
    """Turn a bundled snapshot into canonical rows, by the layout its sidecar names."""
    layout = provenance.get("layout")
    if layout not in LAYOUTS:
        raise SourceError(SOURCE, str(provenance.get("file")), f"unknown layout {layout!r}")
    rows = LAYOUTS[layout](raw, provenance)
    # Row i of the frame is line i + 2 of the file (after the header).
    check_unique_key(rows, SOURCE, str(provenance["file"]), first_line=2)
    return rows
