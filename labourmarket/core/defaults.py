"""What a page opens with: the measure with the newest figures for a kommun, and its period."""

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.core.periods import find_period_end

# Among measures whose newest figure for the kommun is equally new: Arbetsförmedlingen's shares,
# newest definition first, then the others in alphabetical order.
MEASURE_PREFERENCE = ("af_inskrivna_andel_bas", "af_inskrivna_andel_reg", "af_inskrivna_andel_rams")
BENCHMARK_LEVELS = ("county", "country")
COVERAGE_COLUMNS = ["measure_id", "region_code", "period", "period_end", "first_start", "periods"]


def summarise_coverage(observations: pd.DataFrame) -> pd.DataFrame:
    """Per measure and region the newest period with a figure and the day after it ends; the
    first period's start and how many periods have a figure.

    Periods are compared by their end: a year ends after its last month, not at its first.
    """
    known = observations.loc[
        observations["value"].notna(), ["measure_id", "region_code", "period", "period_start"]
    ]
    if known.empty:
        return pd.DataFrame(columns=COVERAGE_COLUMNS)
    keys = ["measure_id", "region_code"]
    grouped = known.groupby(keys, observed=True)
    # The latest start per measure and region; a measure has one frequency, so also the latest end.
    latest = grouped["period_start"].idxmax()
    rows = known.loc[latest.to_numpy(), ["measure_id", "region_code", "period"]].astype("str")
    spans = grouped.agg(first_start=("period_start", "min"), periods=("period", "nunique"))
    spans = spans.reset_index().astype({"measure_id": "str", "region_code": "str"})
    spans["first_start"] = spans["first_start"].dt.date
    rows = rows.assign(period_end=rows["period"].map(find_period_end))
    return rows.merge(spans, on=keys, how="left").reset_index(drop=True)[COVERAGE_COLUMNS]


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


def pick_longest_measure(
    coverage: pd.DataFrame, catalog: Catalog, regions: list[str]
) -> str | None:
    """The percentage measure with the longest series for the regions: what a trend opens on.

    First the measure covering most of `regions`; then one with more than one period (a single
    period has no trend); then the longest span from first to last figure; then the newest,
    and MEASURE_PREFERENCE. Without any measure for the regions, every region counts.
    """
    measures = catalog.measures
    percent = set(measures.loc[measures["unit"] == "percent", "measure_id"])
    rows = coverage[coverage["measure_id"].isin(percent)]
    own = rows[rows["region_code"].isin(regions)]
    per_measure = (
        (own if not own.empty else rows)
        .groupby("measure_id")
        .agg(
            covered=("region_code", "nunique"),
            periods=("periods", "max"),
            first=("first_start", "min"),
            last=("period_end", "max"),
        )
    )
    if per_measure.empty:
        return None

    def rank(measure_id: str) -> tuple:
        row = per_measure.loc[measure_id]
        span = (row["last"] - row["first"]).days
        return (
            -row["covered"],
            row["periods"] < 2,
            -span,
            -row["last"].toordinal(),
            *rank_measure(measure_id),
        )

    return min(per_measure.index, key=rank)


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
