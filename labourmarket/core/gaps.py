"""Gaps between regions and a benchmark region, in percentage points and as ratios, by group."""

from collections.abc import Mapping

import pandas as pd

from labourmarket.core.schema import GROUP_CODES, GROUP_DIMENSIONS
from labourmarket.core.selection import BREAKDOWNS, TOTAL
from labourmarket.output.formatting import format_group

GAP_COLUMNS = ["region_code", "group", "value", "status", "benchmark_value", "gap_pp", "ratio"]


def order_groups(dimension: str, codes: list[str]) -> list[str]:
    """Put groups in reading order: total first, then the dimension's order (ages ascending)."""
    known = GROUP_CODES.get(dimension, ())

    def rank(code: str) -> tuple[int, int, str]:
        if code == TOTAL:
            return (0, 0, code)
        if code in known:
            return (1, known.index(code), code)
        return (2, int(code[:2]) if code[:2].isdigit() else 99, code)

    return sorted(set(codes), key=rank)


def select_breakdown(observations: pd.DataFrame, breakdown: str, sex: str = TOTAL) -> pd.DataFrame:
    """Keep one sex's rows that vary `breakdown` while the other breakdowns are `total`.

    Sex crosses every breakdown (men aged 18-24), so it is chosen, never left to chance.
    """
    if breakdown not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {breakdown!r}; expected one of {BREAKDOWNS}")
    others = [d for d in GROUP_DIMENSIONS if d not in (breakdown, "sex")]
    return observations[(observations[others] == TOTAL).all(axis=1) & (observations["sex"] == sex)]


def compute_gaps(
    observations: pd.DataFrame,
    region_codes: list[str],
    benchmark_code: str,
    breakdown: str,
    decimals: int = 1,
    sex: str = TOTAL,
) -> pd.DataFrame:
    """Return each region's value per group of one sex beside the benchmark's, gap and ratio.

    The observations must hold one measure and one period: figures of different measures or
    periods are never subtracted from one another.
    """
    series = observations[["measure_id", "period"]].drop_duplicates()
    if len(series) > 1:
        raise ValueError(f"gaps need one measure and one period, got {len(series)} combinations")
    rows = select_breakdown(observations, breakdown, sex).rename(columns={breakdown: "group"})
    benchmark = rows.loc[rows["region_code"] == benchmark_code, ["group", "value"]]
    regional = rows[rows["region_code"].isin(region_codes)]
    gaps = regional.merge(
        benchmark.rename(columns={"value": "benchmark_value"}), on="group", how="left"
    )
    gaps["gap_pp"] = (gaps["value"] - gaps["benchmark_value"]).round(decimals)
    gaps["ratio"] = gaps["value"] / gaps["benchmark_value"].where(gaps["benchmark_value"] != 0)
    group_rank = {code: i for i, code in enumerate(order_groups(breakdown, list(gaps["group"])))}
    region_rank = {code: i for i, code in enumerate(region_codes)}
    # Plain integers: mapping a categorical (as read from Parquet) gives a categorical of ranks,
    # which would sort in category order, not by rank.
    gaps = gaps.assign(
        group_rank=gaps["group"].astype("str").map(group_rank).astype("int64"),
        region_rank=gaps["region_code"].astype("str").map(region_rank).astype("int64"),
    ).sort_values(["group_rank", "region_rank"])
    return (
        gaps[GAP_COLUMNS].astype({"gap_pp": "float64", "ratio": "float64"}).reset_index(drop=True)
    )


def label_gaps(
    gaps: pd.DataFrame,
    region_names: Mapping[str, str],
    breakdown: str,
    population: str,
    sex: str = TOTAL,
) -> pd.DataFrame:
    """Add the Swedish region_name and group_label that charts, tables and sentences show.

    One sex's groups say so in their label ("18-24 år, män"): a table copied on its own
    must not read as both sexes.
    """
    suffix = "" if sex == TOTAL else f", {format_group('sex', sex).lower()}"
    return gaps.assign(
        region_name=gaps["region_code"].map(lambda code: region_names.get(code, code)),
        group_label=gaps["group"].map(
            lambda code: format_group(breakdown, code, population) + suffix
        ),
    )
