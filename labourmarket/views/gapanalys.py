"""What the gap view offers for a selection (periods, kommuner, benchmarks) and its table."""

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.core.gaps import BREAKDOWNS, select_breakdown
from labourmarket.core.selection import COUNTRY_CODE, DEFAULT_MUNICIPALITIES
from labourmarket.output.formatting import SEX_LABELS, sort_key_sv
from labourmarket.output.shown_table import NumberFormat, ShownTable, make_shown_table


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


def format_sex_suffix(sex: str) -> str:
    """What a title adds for one sex: ", kvinnor" or ", män"; nothing for both."""
    return "" if sex == "total" else f", {SEX_LABELS[sex].lower()}"


def encode_sex(sex: str) -> str:
    """The sex in a file name: "women" or "men"; both sexes keep the names they always had."""
    return "" if sex == "total" else sex


def list_sexes(observations: pd.DataFrame) -> list[str]:
    """Kvinnor, Män and Alla where the rows are split by sex; none (no choice) where not."""
    present = set(observations["sex"].unique())
    if present <= {"total"}:
        return []
    return [code for code in SEX_LABELS if code in present]


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


def list_breakdowns(observations: pd.DataFrame, sex: str = "total") -> list[str]:
    """Return the breakdowns for which the selection has more than one sex's total group."""
    return [
        breakdown
        for breakdown in BREAKDOWNS
        if select_breakdown(observations, breakdown, sex)[breakdown].nunique() > 1
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
