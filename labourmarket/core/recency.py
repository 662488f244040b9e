"""Whether a shown period is older than the newest figures its publisher has in the data."""

from dataclasses import dataclass

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.core.periods import find_period_end


@dataclass(frozen=True)
class NewerFigures:
    """The publisher's newest period in the data and the measures that have figures for it."""

    publisher: str
    period: str
    measure_ids: tuple[str, ...]  # the shown measure first where it is among them


def summarise_newest_periods(observations: pd.DataFrame) -> pd.Series:
    """Per measure the newest period with a figure (measure_id -> period code).

    A missing figure is not a newer figure. A measure has one frequency, so its latest start
    is also its latest end.
    """
    known = observations.loc[
        observations["value"].notna(), ["measure_id", "period", "period_start"]
    ]
    if known.empty:
        return pd.Series(dtype="str")
    latest = known.groupby("measure_id", observed=True)["period_start"].idxmax()
    rows = known.loc[latest.to_numpy()]
    return pd.Series(
        rows["period"].astype("str").to_numpy(), index=rows["measure_id"].astype("str")
    )


def find_newer_figures(
    observations: pd.DataFrame, catalog: Catalog, measure_id: str, period: str
) -> NewerFigures | None:
    """The shown measure's publisher's newest period, where it ends after `period` does.

    Periods are compared by their end (a year ends after its December). None when `period` is
    as new as anything the publisher has in the data.
    """
    publisher = str(catalog.source(str(catalog.measure(measure_id)["source_id"]))["publisher"])
    measures = catalog.measures
    sources = catalog.sources.set_index("source_id")["publisher"]
    same_publisher = measures.loc[measures["source_id"].map(sources) == publisher, "measure_id"]
    newest = summarise_newest_periods(observations)
    newest = newest[newest.index.isin(set(same_publisher))]
    if newest.empty:
        return None
    ends = newest.map(find_period_end)
    latest_end = ends.max()
    if latest_end <= find_period_end(period):
        return None
    at_latest = [m for m in same_publisher if m in ends.index and ends[m] == latest_end]
    ordered = sorted(at_latest, key=lambda m: m != measure_id)
    return NewerFigures(publisher, str(newest[ordered[0]]), tuple(ordered))
