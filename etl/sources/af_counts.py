"""Sum Arbetsförmedlingen's kommun rows into kommun, county and Riket counts, honest about gaps.

AF's files hold kommun rows only (plus "Uppgift saknas" residual rows); a county is the sum of
all its rows, Riket the sum of all rows. A sum with a missing part is missing, never smaller;
a sum with a hidden part ("<5") is a lower bound of the true count.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.sources.af_names import RESIDUAL

COUNTRY_CODE = "00"


@dataclass(frozen=True)
class Counts:
    """Count columns of many rows: NaN where missing or hidden; `hidden` marks the "<5" cells."""

    region_code: np.ndarray  # object array of SCB codes
    period: np.ndarray  # object array of period codes
    values: np.ndarray  # float64, (rows, columns)
    hidden: np.ndarray  # bool, same shape
    parts: np.ndarray  # int, how many source rows each row sums

    @property
    def missing(self) -> np.ndarray:
        return np.isnan(self.values) & ~self.hidden


def sum_rows(region_code: np.ndarray, period: np.ndarray, counts: Counts) -> Counts:
    """Sum rows sharing (region_code, period): a missing part makes the sum NaN (missing)."""
    keys = pd.DataFrame({"region_code": region_code, "period": period})
    group = keys.groupby(["region_code", "period"], sort=True, observed=True).ngroup().to_numpy()
    size = int(group.max()) + 1 if len(group) else 0
    missing = counts.missing
    hidden = counts.hidden
    known = np.where(np.isnan(counts.values), 0.0, counts.values)
    sums = np.zeros((size, counts.values.shape[1]))
    np.add.at(sums, group, known)
    missing_any = np.zeros(sums.shape, dtype=bool)
    np.logical_or.at(missing_any, group, missing)
    hidden_any = np.zeros(sums.shape, dtype=bool)
    np.logical_or.at(hidden_any, group, hidden)
    parts = np.bincount(group, weights=counts.parts, minlength=size).astype(int)
    first = np.zeros(size, dtype=int)
    first[group[::-1]] = np.arange(len(group))[::-1]
    # A lone hidden cell stays hidden (no value); a sum over several parts keeps what is known
    # as a lower bound, unless nothing is known (a bound of 0 says nothing).
    sums[missing_any] = np.nan
    sums[hidden_any & ((parts == 1)[:, None] | (sums == 0))] = np.nan
    return Counts(
        keys["region_code"].to_numpy()[first],
        keys["period"].to_numpy()[first],
        sums,
        hidden_any & ~missing_any,
        parts,
    )


def sum_levels(
    kommun: np.ndarray, county: np.ndarray, records: Counts, with_country: bool = True
) -> Counts:
    """Kommun rows (residuals left out), county rows (residual kommuner in) and Riket (all rows)."""
    levels = []
    is_kommun = kommun != RESIDUAL
    levels.append(sum_rows(kommun[is_kommun], records.period[is_kommun], take(records, is_kommun)))
    is_county = county != RESIDUAL
    levels.append(sum_rows(county[is_county], records.period[is_county], take(records, is_county)))
    if with_country:
        country = np.full(len(kommun), COUNTRY_CODE, dtype=object)
        levels.append(sum_rows(country, records.period, records))
    return Counts(
        np.concatenate([level.region_code for level in levels]),
        np.concatenate([level.period for level in levels]),
        np.concatenate([level.values for level in levels]),
        np.concatenate([level.hidden for level in levels]),
        np.concatenate([level.parts for level in levels]),
    )


def take(counts: Counts, mask: np.ndarray) -> Counts:
    return Counts(
        counts.region_code[mask],
        counts.period[mask],
        counts.values[mask],
        counts.hidden[mask],
        counts.parts[mask],
    )


def describe_status(counts: Counts) -> np.ndarray:
    """Per cell: None (exact or plainly missing), suppressed, lower_bound or missing_part."""
    status = np.full(counts.values.shape, None, dtype=object)
    several = (counts.parts > 1)[:, None]
    status[counts.hidden & np.isnan(counts.values)] = "suppressed"
    status[counts.hidden & ~np.isnan(counts.values)] = "lower_bound"
    status[counts.missing & several] = "missing_part"
    return status
