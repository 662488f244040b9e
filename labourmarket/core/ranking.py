"""Rank kommuner on one measure, and profile one kommun's gaps to a benchmark group by group."""

from collections.abc import Mapping

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.core.gaps import order_groups
from labourmarket.core.region_offer import GROUP_ALL
from labourmarket.core.schema import GROUP_DIMENSIONS
from labourmarket.core.selection import BREAKDOWNS, COUNTRY_CODE, TOTAL, Group, select_rows

RANKING_COLUMNS = ["region_code", "value", "status", "rank", "is_in_source"]
PROFILE_COLUMNS = ["dimension", "group", "value", "benchmark_value", "gap_pp"]
# Reading order of the profile's dimensions when two gaps are equally large.
PROFILE_DIMENSIONS = [*BREAKDOWNS, *(d for d in GROUP_DIMENSIONS if d not in BREAKDOWNS)]


def list_population(catalog: Catalog, group_id: str) -> list[str]:
    """Return a ranking population's kommuner: a named group, a county (`lan_LL`) or all."""
    if group_id == GROUP_ALL:
        regions = catalog.regions
        return regions.loc[regions["level"] == "municipality", "region_code"].tolist()
    return catalog.group_members(group_id)


def pick_default_population(selection: pd.DataFrame, catalog: Catalog, group_ids: list[str]) -> str:
    """The group with most kommuner that have figures; among equals the smallest (best covered).

    Without any kommun figures the first group is kept, not the smallest county.
    """
    known = set(selection.loc[selection["value"].notna(), "region_code"])

    def coverage(group_id: str) -> tuple[int, int]:
        members = list_population(catalog, group_id)
        covered = len(known.intersection(members))
        return (-covered, len(members) if covered else 0)

    return min(group_ids, key=coverage)


def list_group_keys(selection: pd.DataFrame, sex: str = TOTAL) -> list[str]:
    """Return the whole population, then every single-breakdown group one sex has.

    Sex is chosen on its own (it crosses every breakdown), so it is no group key here.
    """
    keys = [TOTAL]
    for dimension in BREAKDOWNS:
        rows = select_single_breakdown(selection, dimension, sex)
        codes = order_groups(dimension, list(rows[dimension]))
        keys += [Group(**{dimension: code}).encode() for code in codes]
    return list(dict.fromkeys(keys))


def coerce_group(group: Group | Mapping[str, str]) -> Group:
    """A Group from a Group or a mapping of dimensions (those it leaves out are total)."""
    return group if isinstance(group, Group) else Group.from_mapping(group)


def select_single_breakdown(rows: pd.DataFrame, dimension: str, sex: str = TOTAL) -> pd.DataFrame:
    """One sex's rows that vary only `dimension`, its total group left out.

    `dimension` may be sex itself: both sexes for the whole population, or the one chosen.
    """
    others = [d for d in GROUP_DIMENSIONS if d not in (dimension, "sex")]
    varied = rows[(rows[others] == TOTAL).all(axis=1) & (rows[dimension] != TOTAL)]
    if dimension == "sex" and sex == TOTAL:
        return varied
    return varied[varied["sex"] == sex]


def rank_regions(
    observations: pd.DataFrame,
    members: list[str],
    measure_id: str,
    period: str,
    group: Group | Mapping[str, str],
) -> pd.DataFrame:
    """Rank the members by value, highest first; equal values share the better rank.

    Members without a figure (suppressed, missing, or absent from the source) stay in the
    table after the ranked ones with rank NaN: a missing figure is never ranked as 0.
    """
    rows = select_rows(observations, measure_id, period=period, group=coerce_group(group))
    population = pd.DataFrame({"region_code": list(dict.fromkeys(members))})
    ranking = population.merge(
        rows[["region_code", "value", "status"]], on="region_code", how="left", indicator=True
    )
    ranking["is_in_source"] = ranking.pop("_merge") == "both"
    ranking["value"] = ranking["value"].astype("float64")
    ranking["rank"] = ranking["value"].rank(method="min", ascending=False)
    ranking = ranking.sort_values("rank", na_position="last", kind="stable")
    return ranking[RANKING_COLUMNS].reset_index(drop=True)


def select_shown(ranking: pd.DataFrame, highlighted: list[str]) -> pd.DataFrame:
    """Rows a chart or table shows: figures, rows the source publishes as "..", highlighted ones.

    Kommuner the source does not cover at all are left out (and counted in the footnote):
    a national population would otherwise drown a county table in rows of "..".
    """
    is_shown = ranking["is_in_source"] | ranking["region_code"].isin(highlighted)
    return ranking[is_shown | ranking["value"].notna()]


def list_with_figures(selection: pd.DataFrame, members: list[str]) -> list[str]:
    """The members with at least one figure in the selection (any group), in members' order."""
    known = set(selection.loc[selection["value"].notna(), "region_code"])
    return [code for code in members if code in known]


def pick_profile_region(ranking: pd.DataFrame, highlighted: list[str], options: list[str]) -> str:
    """The first highlighted kommun with figures, else the one ranked first."""
    for code in [*highlighted, *ranking.dropna(subset=["value"])["region_code"]]:
        if code in options:
            return code
    return options[0]


def find_value(
    observations: pd.DataFrame,
    region_code: str,
    measure_id: str,
    period: str,
    group: Group | Mapping[str, str],
) -> float | None:
    rows = select_rows(observations, measure_id, [region_code], period, coerce_group(group))
    values = rows["value"].dropna()
    return None if values.empty else float(values.iloc[0])


def find_reference_lines(
    observations: pd.DataFrame,
    catalog: Catalog,
    members: list[str],
    measure_id: str,
    period: str,
    group: Group | Mapping[str, str],
) -> list[tuple[str, float]]:
    """The county (when every member lies in one) and the country, as (name, value) pairs."""
    regions = catalog.regions.set_index("region_code")
    counties = set(regions.loc[regions.index.intersection(members), "county_code"])
    # A population spread over several counties has no one county to compare with.
    candidates = [*counties, COUNTRY_CODE] if len(counties) == 1 else [COUNTRY_CODE]
    lines = []
    for code in candidates:
        value = find_value(observations, code, measure_id, period, group)
        if value is not None:
            lines.append((catalog.region_name(code), value))
    return lines


def find_benchmarks(
    observations: pd.DataFrame,
    catalog: Catalog,
    region_codes: list[str],
    measure_id: str,
    period: str,
    group: Group | Mapping[str, str],
) -> dict[str, tuple[str, float]]:
    """Each kommun's own county as a sentence says it ("länet"), else the country ("riket")."""
    regions = catalog.regions.set_index("region_code")
    benchmarks = {}
    for code in region_codes:
        county = regions.at[code, "county_code"] if code in regions.index else ""
        for word, benchmark_code in (("länet", county), ("riket", COUNTRY_CODE)):
            value = find_value(observations, benchmark_code, measure_id, period, group)
            if benchmark_code and value is not None:
                benchmarks[code] = (word, value)
                break
    return benchmarks


def compute_gap_profile(
    observations: pd.DataFrame,
    region_code: str,
    benchmark_code: str,
    measure_id: str,
    period: str,
    decimals: int = 1,
    sex: str = TOTAL,
) -> pd.DataFrame:
    """Return every group of one kommun (one sex) beside the benchmark's, largest gap first.

    A group where either side lacks a figure keeps its row, with gap NaN, after the others.
    """
    rows = select_rows(observations, measure_id, period=period)
    parts = []
    for dimension in PROFILE_DIMENSIONS:
        varied = select_single_breakdown(rows, dimension, sex)
        region = varied.loc[varied["region_code"] == region_code, [dimension, "value"]]
        benchmark = varied.loc[varied["region_code"] == benchmark_code, [dimension, "value"]]
        merged = region.merge(
            benchmark.rename(columns={"value": "benchmark_value"}), on=dimension, how="outer"
        )
        if merged.empty:
            continue
        order = order_groups(dimension, list(merged[dimension]))
        merged = merged.set_index(dimension).loc[order].reset_index()
        parts.append(merged.rename(columns={dimension: "group"}).assign(dimension=dimension))
    if not parts:
        return pd.DataFrame(columns=PROFILE_COLUMNS).astype(
            {"value": "float64", "benchmark_value": "float64", "gap_pp": "float64"}
        )
    profile = pd.concat(parts, ignore_index=True).astype(
        {"value": "float64", "benchmark_value": "float64"}
    )
    profile["gap_pp"] = (profile["value"] - profile["benchmark_value"]).round(decimals)
    profile = profile.assign(size=profile["gap_pp"].abs()).sort_values(
        "size", ascending=False, na_position="last", kind="stable"
    )
    return profile[PROFILE_COLUMNS].reset_index(drop=True)


def list_comparable_measures(catalog: Catalog, measure_id: str, present: list[str]) -> list[str]:
    """Other measures with data whose definition allows comparing them with `measure_id`."""
    measures = catalog.measures
    group = catalog.measure(measure_id)["comparability_group"]
    same = measures[
        (measures["comparability_group"] == group)
        & measures["measure_id"].isin(present)
        & (measures["measure_id"] != measure_id)
    ]
    return same["name_sv"].tolist()
