"""What a page opens with: the measure with the newest figures for a kommun, and its period."""

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.core.periods import find_period_end

# Among measures whose newest figure for the kommun is equally new: Arbetsförmedlingen's shares,
# newest definition first, then the others in alphabetical order.
MEASURE_PREFERENCE = ("af_inskrivna_andel_bas", "af_inskrivna_andel_reg", "af_inskrivna_andel_rams")
BENCHMARK_LEVELS = ("county", "country")
COVERAGE_COLUMNS = ["measure_id", "region_code", "period", "period_end"]


def summarise_coverage(observations: pd.DataFrame) -> pd.DataFrame:
    """Per measure and region the newest period with a figure, and the day after it ends.

    Periods are compared by their end: a year ends after its last month, not at its first.
    """
    known = observations.loc[
        observations["value"].notna(), ["measure_id", "region_code", "period", "period_start"]
    ]
    if known.empty:
        return pd.DataFrame(columns=COVERAGE_COLUMNS)
    # The latest start per measure and region; a measure has one frequency, so also the latest end.
    latest = known.groupby(["measure_id", "region_code"], observed=True)["period_start"].idxmax()
    rows = known.loc[latest.to_numpy(), ["measure_id", "region_code", "period"]].astype("str")
    return rows.assign(period_end=rows["period"].map(find_period_end)).reset_index(drop=True)


def rank_measure(measure_id: str) -> tuple[int, str]:
    if measure_id in MEASURE_PREFERENCE:
        return (MEASURE_PREFERENCE.index(measure_id), measure_id)
    return (len(MEASURE_PREFERENCE), measure_id)


def pick_default_measure(
    coverage: pd.DataFrame,
    catalog: Catalog,
    region: str,
    needs_benchmark: bool = False,
) -> str | None:
    """The percentage measure whose newest figure for `region` is the newest of all.

    Ties go to MEASURE_PREFERENCE. Counts are never the default of a page of shares. Without
    any measure for the region, the newest figure of any region decides. `needs_benchmark`
    leaves out measures without a county or country figure (Gapanalys compares with them).
    None when there is no percentage measure at all.
    """
    measures = catalog.measures
    percent = set(measures.loc[measures["unit"] == "percent", "measure_id"])
    rows = coverage[coverage["measure_id"].isin(percent)]
    if needs_benchmark:
        levels = catalog.regions.set_index("region_code")["level"]
        benchmarks = rows[rows["region_code"].map(levels).isin(BENCHMARK_LEVELS)]
        rows = rows[rows["measure_id"].isin(set(benchmarks["measure_id"]))]
    own = rows[rows["region_code"] == region]
    newest = (own if not own.empty else rows).groupby("measure_id")["period_end"].max()
    if newest.empty:
        return None
    return min(newest.index, key=lambda m: (-newest[m].toordinal(), *rank_measure(m)))


def pick_default_period(coverage: pd.DataFrame, measure_id: str, region: str) -> str | None:
    """The newest period with a figure for the region in the measure, or None."""
    rows = coverage[(coverage["measure_id"] == measure_id) & (coverage["region_code"] == region)]
    return None if rows.empty else str(rows["period"].iloc[0])


def pick_pack_period(
    coverage: pd.DataFrame, catalog: Catalog, region: str, periods: list[str]
) -> str:
    """The Export pack's period: the newest figure of the kommun's default measure.

    Else the newest of `periods` (latest first), which may be a count's month or a year.
    """
    measure = pick_default_measure(coverage, catalog, region)
    newest = pick_default_period(coverage, measure, region) if measure else None
    return newest if newest in periods else periods[0]
