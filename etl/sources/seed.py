"""Tables printed in strategy documents (Tabell 1 of Södertälje's 2014 PM) -> canonical rows."""

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from etl.checks import check_unique_key, locate_byte
from etl.errors import SourceError
from labourmarket.core.catalog import Catalog

# Bundled, not fetched: the bytes are copied from the document, so this source has no fetch().
# The sidecar provenance names the measure, period and what each row label means.
SOURCE = "seed"
REGION_HEADER = "kommun"
MISSING_SYMBOL = ".."
NUMBER_PATTERN = re.compile(r"^\d+(,\d+)?$")
MARKUP_PATTERN = re.compile(r"</?i>")

# Column labels as printed (normalised by normalise_label) -> the group they denote.
COLUMN_GROUPS: dict[str, dict[str, str]] = {
    "totalt 16-64 år": {},
    "unga 18-24 år": {"age": "18-24"},
    "inrikes födda": {"birth_region": "born_in_sweden"},
    "utrikes födda": {"birth_region": "foreign_born"},
    "förgymnasial": {"education": "pre_upper_secondary"},
    "gymnasial": {"education": "upper_secondary"},
    "eftergymnasial": {"education": "post_secondary"},
}
TOTAL_GROUP = {"sex": "total", "age": "total", "birth_region": "total", "education": "total"}


def normalise_label(label: str) -> str:
    """Join words the typesetter hyphenated ("Förgym- nasial") and ignore case and markup."""
    text = MARKUP_PATTERN.sub("", label)
    return re.sub(r"-\s+", "", text).strip().casefold()


def split_cells(line: str) -> list[str]:
    return [MARKUP_PATTERN.sub("", cell).strip() for cell in line.split("\t")]


def find_header(lines: list[str], location: str) -> int:
    for index, line in enumerate(lines):
        if normalise_label(line.split("\t")[0]) == REGION_HEADER:
            return index
    raise SourceError(SOURCE, location, f"no header row starting with {REGION_HEADER!r}")


def read_column_labels(lines: list[str], header_index: int) -> tuple[list[str], int]:
    """Merge a spanning header ("Utbildning") with the sub-header row below it, if any."""
    top = split_cells(lines[header_index])
    below = split_cells(lines[header_index + 1]) if header_index + 1 < len(lines) else []
    has_sub_header = bool(below) and not below[0]
    below = below if has_sub_header else []
    below += [""] * (len(top) - len(below))
    merged = [sub or head for head, sub in zip(top, below, strict=False)]
    while merged and not merged[-1]:
        merged.pop()
    return merged[1:], header_index + (2 if has_sub_header else 1)


def map_columns(labels: list[str], location: str) -> list[dict[str, str]]:
    groups = []
    for position, label in enumerate(labels, start=2):
        key = normalise_label(label)
        if key not in COLUMN_GROUPS:
            raise SourceError(SOURCE, location, f"column {position}: unknown label {label!r}")
        groups.append(COLUMN_GROUPS[key])
    return groups


def parse_value(cell: str, location: str) -> tuple[float | None, str | None]:
    """Return (value, status) for a printed cell: decimal comma, `..` for missing."""
    if cell == MISSING_SYMBOL:
        return None, "suppressed"
    if not NUMBER_PATTERN.match(cell):
        raise SourceError(SOURCE, location, f"{cell!r} is not a number with a decimal comma")
    return float(cell.replace(",", ".")), None


def parse(raw: bytes, provenance: Mapping[str, Any], catalog: Catalog) -> pd.DataFrame:
    """The build's entry: a printed table needs nothing from the catalog (its sidecar says all)."""
    return parse_table(raw, provenance)


def parse_table(raw: bytes, provenance: Mapping[str, Any]) -> pd.DataFrame:
    """Turn the printed table's bytes into canonical rows (no period_start/source stamps yet)."""
    file_name = str(provenance.get("file", "?"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        spot = locate_byte(raw, error.start)
        raise SourceError(SOURCE, file_name, f"not UTF-8 at byte {error.start} ({spot})") from error
    region_labels: Mapping[str, str] = provenance["region_labels"]
    lines = text.splitlines()
    header_index = find_header(lines, file_name)
    labels, first_data = read_column_labels(lines, header_index)
    groups = map_columns(labels, file_name)
    rows = []
    for line_number, line in enumerate(lines[first_data:], start=first_data + 1):
        if not line.strip():
            break
        cells = split_cells(line)
        location = f"{file_name}, line {line_number}"
        label = cells[0]
        if label not in region_labels:
            raise SourceError(SOURCE, location, f"row label {label!r} is not in region_labels")
        values = cells[1:]
        if len(values) != len(groups):
            raise SourceError(SOURCE, location, f"{len(values)} values for {len(groups)} columns")
        for column, (group, cell) in enumerate(zip(groups, values, strict=True), start=2):
            value, status = parse_value(cell, f"{location}, column {column} ({labels[column - 2]})")
            rows.append(
                {
                    "measure_id": provenance["measure_id"],
                    "region_code": region_labels[label],
                    "period": provenance["period"],
                    **TOTAL_GROUP,
                    **group,
                    "value": value,
                    "status": status,
                }
            )
    if not rows:
        raise SourceError(SOURCE, file_name, "the table has no data rows")
    frame = pd.DataFrame(rows)
    check_unique_key(frame, SOURCE, file_name)
    return frame
