"""What the gap view offers for a selection (periods, kommuner, benchmarks) and its table."""

import numpy as np
import pandas as pd

from labourmarket.catalog import Catalog
from labourmarket.formatting import sort_key_sv
from labourmarket.gaps import BREAKDOWNS, select_breakdown
from labourmarket.shown_table import NumberFormat, ShownTable, make_shown_table

DEFAULT_MEASURE = "af_inskrivna_andel_rams"
# Tabell 1's four kommuner: Södertälje, Botkyrka, Haninge, Huddinge.
DEFAULT_MUNICIPALITIES = ["0181", "0127", "0136", "0126"]
COUNTRY_CODE = "00"


def pick_default_measure(measure_ids: list[str]) -> str:
    """Tabell 1's measure when it is there, else the first."""
    return DEFAULT_MEASURE if DEFAULT_MEASURE in measure_ids else measure_ids[0]


def select_series(
    observations: pd.DataFrame, measure_id: str, period: str | None = None
) -> pd.DataFrame:
    """Rows of one measure (and one period): gaps never mix measures or periods."""
    # One mask, one copy: at national scale a measure alone is millions of rows.
    wanted = observations["measure_id"] == measure_id
    if period is not None:
        wanted &= observations["period"] == period
        return observations[wanted]
    positions = np.flatnonzero(wanted.to_numpy())
    if len(positions) and positions[-1] - positions[0] + 1 == len(positions):
        # The store sorts by measure first, so a measure is one run of rows: a slice shares
        # them (copy-on-write) where a mask would copy millions.
        return observations.iloc[positions[0] : positions[-1] + 1]
    return observations[wanted]


def list_periods(observations: pd.DataFrame) -> list[str]:
    """Return the periods present, latest first."""
    periods = observations.drop_duplicates("period").sort_values("period_start", ascending=False)
    return periods["period"].tolist()


def list_regions_at(observations: pd.DataFrame, catalog: Catalog, level: str) -> list[str]:
    regions = catalog.regions
    at_level = regions[
        (regions["level"] == level)
        & regions["region_code"].isin(observations["region_code"].unique())
    ]
    return sorted(at_level["region_code"], key=lambda code: sort_key_sv(catalog.region_name(code)))


def list_municipalities(observations: pd.DataFrame, catalog: Catalog) -> list[str]:
    """Return the kommuner with figures in the selection, in Swedish alphabetical order."""
    return list_regions_at(observations, catalog, "municipality")


def list_compared_regions(observations: pd.DataFrame, catalog: Catalog) -> tuple[str, list[str]]:
    """Return what is compared and its codes: kommuner, or the län when a measure has none."""
    municipalities = list_regions_at(observations, catalog, "municipality")
    if municipalities:
        return "Kommuner", municipalities
    return "Län", list_regions_at(observations, catalog, "county")


def pick_default_regions(regions: list[str]) -> list[str]:
    """Tabell 1's four kommuner where present, else the first four."""
    return [code for code in DEFAULT_MUNICIPALITIES if code in regions] or regions[:4]


def list_benchmarks(
    observations: pd.DataFrame, catalog: Catalog, chosen: list[str] | None = None
) -> list[str]:
    """Return the län with figures in the selection, then Riket, leaving out compared regions."""
    counties = list_regions_at(observations, catalog, "county")
    has_country = (observations["region_code"] == COUNTRY_CODE).any()
    candidates = counties + ([COUNTRY_CODE] if has_country else [])
    return [code for code in candidates if code not in (chosen or [])]


def pick_default_benchmark(benchmarks: list[str], chosen: list[str], catalog: Catalog) -> str:
    """Prefer the county of the first chosen kommun (Länet), then Riket, then what there is."""
    regions = catalog.regions.set_index("region_code")
    counties = [regions.at[code, "county_code"] for code in chosen if code in regions.index]
    for candidate in [*counties[:1], COUNTRY_CODE]:
        if candidate in benchmarks:
            return candidate
    return benchmarks[0]


def list_breakdowns(observations: pd.DataFrame) -> list[str]:
    """Return the breakdowns for which the selection has more than the total group."""
    return [
        breakdown
        for breakdown in BREAKDOWNS
        if select_breakdown(observations, breakdown)[breakdown].nunique() > 1
    ]


def shape_gap_table(gaps: pd.DataFrame, benchmark_name: str, decimals: int = 1) -> ShownTable:
    """Labelled gaps as the table a report shows: one row per group and kommun, figures rounded."""
    value_column = "Andel (%)"
    benchmark_column = f"{benchmark_name} (%)"
    gap_column = f"Skillnad mot {benchmark_name}"
    ratio_column = f"Kvot mot {benchmark_name}"
    table = pd.DataFrame(
        {
            "Grupp": gaps["group_label"],
            "Kommun": gaps["region_name"],
            value_column: gaps["value"],
            benchmark_column: gaps["benchmark_value"],
            gap_column: gaps["gap_pp"],
            ratio_column: gaps["ratio"],
        }
    )
    return make_shown_table(
        table,
        {
            value_column: NumberFormat(decimals),
            benchmark_column: NumberFormat(decimals),
            gap_column: NumberFormat(decimals, signed=True, unit="p.e."),
            ratio_column: NumberFormat(2),
        },
    )
