"""One frequency per series: which of a measure's frequencies a time series keeps, and saying so.

2013K3 and 2013M07 both start on 2013-07-01: a quarter and its months in one series would be
two figures for one day, so a moving average, a year-on-year change or a trend arrow would mix
them. The build refuses a measure with two frequencies (schema.select_mixed_frequencies); a data
tree built before that check, or rows handed in by other code, can still hold one, and every
series is cut to one frequency here before anything is computed on it.
"""

from collections.abc import Iterable

import pandas as pd

from labourmarket.core.periods import parse_period

# Coarsest first: on a tie the coarser wins, as its period covers the finer one's (kv 3 holds juli).
FREQUENCIES = ("A", "Q", "M")
FREQUENCY_WORDS = {"A": "årsvärden", "Q": "kvartalsvärden", "M": "månadsvärden"}


def list_frequencies(rows: pd.DataFrame) -> list[str]:
    """The frequencies the rows hold.

    A measure's rows are millions at national scale and nearly always of one frequency: one
    min/max pass over the categorical's codes says so in well under a millisecond.
    """
    column = rows["frequency"]
    if isinstance(column.dtype, pd.CategoricalDtype) and len(column):
        codes = column.cat.codes.to_numpy()
        low, high = int(codes.min()), int(codes.max())
        if low == high and low >= 0:
            return [str(column.cat.categories[low])]
    return [str(f) for f in column.dropna().unique()]


def pick_frequency(rows: pd.DataFrame, preferred: str | None = None) -> str | None:
    """The frequency a series keeps: `preferred` where the rows have it, else the one the series
    starts with (its oldest period's; on a tie the coarser). None for no rows."""
    present = list_frequencies(rows)
    if len(present) <= 1:
        return present[0] if present else None
    if preferred in present:
        return preferred
    oldest = rows["period_start"].min()
    starting = {str(f) for f in rows.loc[rows["period_start"] == oldest, "frequency"].unique()}
    return next(f for f in FREQUENCIES if f in starting)


def keep_one_frequency(rows: pd.DataFrame, preferred: str | None = None) -> pd.DataFrame:
    """The rows of the frequency the series keeps (pick_frequency); the rows as they are when
    they hold one frequency."""
    if len(list_frequencies(rows)) <= 1:
        return rows
    return rows[(rows["frequency"] == pick_frequency(rows, preferred)).to_numpy()]


def find_period_frequency(period: str | None) -> str | None:
    """The frequency of a period code (a target's baseline), None for none."""
    return None if period is None else parse_period(period).frequency


def describe_kept_frequency(frequencies: Iterable[str], kept: str | None) -> str | None:
    """Say which frequency a series shows when its measure has several; None when it has one."""
    others = [f for f in FREQUENCIES if f in {str(f) for f in frequencies} and f != kept]
    if kept is None or not others:
        return None
    left_out = " och ".join(FREQUENCY_WORDS[f] for f in others)
    return (
        f"Måttet har både {FREQUENCY_WORDS[kept]} och {left_out}. En serie har en frekvens: "
        f"här visas {FREQUENCY_WORDS[kept]}; {left_out} visas inte."
    )
