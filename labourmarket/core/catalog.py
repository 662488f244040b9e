"""Hand-kept reference tables (regions, region groups, measures, sources) from data/reference."""

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from labourmarket.core import paths

REFERENCE_COLUMNS: dict[str, list[str]] = {
    "regions": ["region_code", "region_name", "level", "county_code", "kolada_id"],
    "region_groups": ["group_id", "group_name", "region_code"],
    "measures": [
        "measure_id",
        "name_sv",
        "definition_sv",
        "population_sv",
        "denominator_sv",
        "unit",
        "decimals",
        "lower_is_better",
        "source_id",
        "comparability_group",
        "series_break_periods",
        "series_breaks_sv",
    ],
    "sources": ["source_id", "publisher", "title", "via", "url", "licence", "attribution_sv"],
}


class CatalogError(Exception):
    """Raised when a reference file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class Catalog:
    regions: pd.DataFrame
    region_groups: pd.DataFrame
    measures: pd.DataFrame
    sources: pd.DataFrame

    @cached_property
    def region_names(self) -> dict[str, str]:
        return dict(zip(self.regions["region_code"], self.regions["region_name"], strict=True))

    def region_name(self, region_code: str) -> str:
        """Return the region's name, or the code itself when unknown."""
        return self.region_names.get(region_code, region_code)

    def measure(self, measure_id: str) -> pd.Series:
        """Return one measure's row; KeyError names an unknown measure."""
        rows = self.measures[self.measures["measure_id"] == measure_id]
        if rows.empty:
            raise KeyError(f"unknown measure {measure_id!r}")
        return rows.iloc[0]

    def source(self, source_id: str) -> pd.Series:
        """Return one source's row; KeyError names an unknown source."""
        rows = self.sources[self.sources["source_id"] == source_id]
        if rows.empty:
            raise KeyError(f"unknown source {source_id!r}")
        return rows.iloc[0]

    def series_breaks(self, measure_id: str) -> list[str]:
        """Periods from which a measure is not comparable with what came before (`;`-separated)."""
        text = str(self.measure(measure_id)["series_break_periods"])
        return [part.strip() for part in text.split(";") if part.strip()]

    def resolve_regions(self, text: str) -> list[str]:
        """Expand "0181,sodertorn,lan_01" into SCB region codes; KeyError names an unknown item."""
        codes: list[str] = []
        for item in (part.strip() for part in text.split(",") if part.strip()):
            if item in self.region_names:
                codes.append(item)
                continue
            try:
                codes += self.group_members(item)
            except KeyError:
                raise KeyError(item) from None
        return list(dict.fromkeys(codes))

    def group_members(self, group_id: str) -> list[str]:
        """Return a named group's region codes: hand-kept, or `lan_LL` (a county's kommuner)."""
        if group_id.startswith("lan_"):
            county = group_id.removeprefix("lan_")
            is_member = (self.regions["level"] == "municipality") & (
                self.regions["county_code"] == county
            )
            return self.regions.loc[is_member, "region_code"].tolist()
        members = self.region_groups.loc[self.region_groups["group_id"] == group_id, "region_code"]
        if members.empty:
            raise KeyError(f"unknown region group {group_id!r}")
        return members.tolist()


def read_reference_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """Read a reference CSV as text (codes keep leading zeros) and check its header."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise CatalogError(f"{path}: cannot read reference table: {error}") from error
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CatalogError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame[columns]


def load_catalog(reference_dir: Path | None = None) -> Catalog:
    """Load every reference table from reference_dir (default: the data tree's)."""
    directory = reference_dir or paths.reference_dir()
    tables = {
        name: read_reference_csv(directory / f"{name}.csv", columns)
        for name, columns in REFERENCE_COLUMNS.items()
    }
    tables["measures"] = convert_measure_columns(tables["measures"], directory / "measures.csv")
    return Catalog(**tables)


def convert_measure_columns(measures: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Turn decimals into int and lower_is_better into bool, naming any row that cannot be."""
    bad_decimals = ~measures["decimals"].str.fullmatch(r"\d")
    bad_flags = ~measures["lower_is_better"].isin(["true", "false"])
    for bad, column in ((bad_decimals, "decimals"), (bad_flags, "lower_is_better")):
        if bad.any():
            row = measures[bad].iloc[0]
            raise CatalogError(
                f"{path}: measure {row['measure_id']!r}: {column} {row[column]!r} is not valid"
            )
    return measures.assign(
        decimals=measures["decimals"].astype(int),
        lower_is_better=measures["lower_is_better"] == "true",
    )
