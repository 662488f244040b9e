"""What an Översikt card says about one region: latest figure, gaps to county and country, trend."""

from dataclasses import dataclass

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.core.periods import find_break_between
from labourmarket.core.schema import GROUP_DIMENSIONS
from labourmarket.core.selection import COUNTRY_CODE
from labourmarket.output.formatting import format_gap, format_period


@dataclass(frozen=True)
class Card:
    region_code: str
    region_name: str
    period: str | None
    value: float | None
    gap_county: float | None
    county_name: str | None
    gap_country: float | None
    trend: str | None  # "↑ +0,3 p.e. sedan kv 2 2024", or a note why there is none


def select_totals(observations: pd.DataFrame, measure_id: str, sex: str = "total") -> pd.DataFrame:
    """The measure's rows for one sex (or both) with every other group dimension total."""
    rows = observations[observations["measure_id"] == measure_id]
    others = [d for d in GROUP_DIMENSIONS if d != "sex"]
    return rows[(rows[others] == "total").all(axis=1) & (rows["sex"] == sex)]


def read_value(totals: pd.DataFrame, region_code: str, period: str) -> float | None:
    match = totals[(totals["region_code"] == region_code) & (totals["period"] == period)]
    if match.empty or pd.isna(match["value"].iloc[0]):
        return None
    return float(match["value"].iloc[0])


def describe_trend(
    series: pd.DataFrame, catalog: Catalog, measure_id: str, decimals: int
) -> str | None:
    """An arrow and the change since the previous period; None without a time series."""
    known = series.dropna(subset=["value"]).sort_values("period_start")
    if len(known) < 2:
        return None
    previous, latest = known.iloc[-2], known.iloc[-1]
    brk = find_break_between(
        catalog.series_breaks(measure_id), previous["period"], latest["period"]
    )
    if brk is not None:
        return f"seriebrott {format_period(brk)}: ingen jämförbar förändring"
    change = round(float(latest["value"]) - float(previous["value"]), decimals)
    arrow = "↑" if change > 0 else "↓" if change < 0 else "→"
    return f"{arrow} {format_gap(change, decimals)} sedan {format_period(previous['period'])}"


def build_card(
    observations: pd.DataFrame,
    catalog: Catalog,
    measure_id: str,
    region_code: str,
    sex: str = "total",
) -> Card:
    """Summarise one region (one sex, or both) at the latest period it has a figure for."""
    totals = select_totals(observations, measure_id, sex)
    decimals = int(catalog.measure(measure_id)["decimals"])
    own = totals[totals["region_code"] == region_code].dropna(subset=["value"])
    name = catalog.region_name(region_code)
    if own.empty:
        return Card(region_code, name, None, None, None, None, None, None)
    latest = own.sort_values("period_start").iloc[-1]
    period, value = str(latest["period"]), float(latest["value"])
    regions = catalog.regions.set_index("region_code")
    county = regions.at[region_code, "county_code"] or None
    county = county if county and county != region_code else None

    def gap_to(benchmark: str | None) -> float | None:
        other = read_value(totals, benchmark, period) if benchmark else None
        return None if other is None else round(value - other, decimals)

    return Card(
        region_code=region_code,
        region_name=name,
        period=period,
        value=value,
        gap_county=gap_to(county),
        county_name=catalog.region_name(county) if county else None,
        gap_country=gap_to(COUNTRY_CODE) if region_code != COUNTRY_CODE else None,
        trend=describe_trend(own, catalog, measure_id, decimals),
    )
