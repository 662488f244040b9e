"""Time series of one measure and group: moving averages, change on a year earlier, the summary."""

from collections.abc import Mapping

import pandas as pd

from labourmarket.core.frequency import keep_one_frequency
from labourmarket.core.periods import find_break_between, parse_period
from labourmarket.core.selection import Group, select_rows
from labourmarket.output.formatting import format_number, format_period

# Periods in a year per frequency: the window of a yearly moving average, the lag of "a year ago".
PERIODS_PER_YEAR = {"M": 12, "Q": 4, "A": 1}


def previous_year_period(code: str) -> str:
    """The same month or quarter a year earlier: 2024M10 -> 2023M10, 2013K3 -> 2012K3."""
    period = parse_period(code)
    return f"{period.start.year - 1}{code[4:]}"


def select_group_series(
    observations: pd.DataFrame,
    measure_id: str,
    group: Group,
    regions: list[str],
    frequency: str | None = None,
) -> pd.DataFrame:
    """Rows of one measure and group for the regions, oldest first, with their provenance.

    Of one frequency, the same for every region: `frequency` where the rows have it, else the
    one the series starts with (frequency.keep_one_frequency).
    """
    rows = select_rows(observations, measure_id, regions, group=group)
    rows = keep_one_frequency(rows, frequency)
    columns = ["region_code", "period", "period_start", "frequency", "value", "status"]
    return rows.sort_values(["region_code", "period_start"])[
        [*columns, "source_id", "retrieved_at"]
    ]


def add_moving_average(series: pd.DataFrame) -> pd.DataFrame:
    """A trailing mean over a year of periods; any missing period in the window leaves it empty.

    The window is counted in calendar periods, not rows, so a missing month is not skipped over.
    Each frequency is a series of its own: kv 3 and juli start on one day.
    """
    frames = []
    for _, rows in series.groupby(["region_code", "frequency"], sort=False, observed=True):
        frequency = rows["frequency"].iloc[0]
        window = PERIODS_PER_YEAR[frequency]
        calendar = rows.set_index("period_start")["value"].asfreq(
            {"M": "MS", "Q": "QS", "A": "YS"}[frequency]
        )
        average = calendar.rolling(window, min_periods=window).mean()
        frames.append(rows.assign(moving_average=rows["period_start"].map(average).to_numpy()))
    return pd.concat(frames) if frames else series.assign(moving_average=pd.Series(dtype=float))


def add_year_on_year(series: pd.DataFrame, decimals: int, breaks: list[str]) -> pd.DataFrame:
    """Change in percentage points from the same period a year earlier.

    Empty when either figure is missing or a series break lies between them.
    """
    values = series.set_index(["region_code", "period"])["value"]

    def read_earlier(region: str, period: str) -> float | None:
        before = previous_year_period(period)
        if find_break_between(breaks, before, period) is not None:
            return None
        return values.get((region, before))

    earlier = [
        read_earlier(region, period)
        for region, period in zip(series["region_code"], series["period"], strict=True)
    ]
    change = (
        series["value"].to_numpy() - pd.to_numeric(pd.Series(earlier), errors="coerce").to_numpy()
    )
    return series.assign(year_on_year=pd.Series(change, index=series.index).round(decimals))


def build_trend(
    observations: pd.DataFrame,
    measure_id: str,
    group: Group | Mapping[str, str],
    regions: list[str],
    first: str,
    last: str,
    decimals: int,
    breaks: list[str] | None = None,
    frequency: str | None = None,
) -> pd.DataFrame:
    """The series with moving average and year-on-year change, cut to first..last.

    Both are computed before the cut so the first shown periods still have a year behind them.
    The series has one frequency: `frequency` where the measure has it (see select_group_series).
    """
    if not isinstance(group, Group):
        group = Group.from_mapping(group)
    series = select_group_series(observations, measure_id, group, regions, frequency)
    series = add_year_on_year(add_moving_average(series), decimals, breaks or [])
    start, end = parse_period(first).start, parse_period(last).start
    shown = series[
        (series["period_start"].dt.date >= start) & (series["period_start"].dt.date <= end)
    ]
    return shown.reset_index(drop=True)


def describe_when(period: str) -> str:
    """How a sentence opens on a period: "I december 2024", "Kv 3 2013", "År 2023"."""
    frequency = parse_period(period).frequency
    when = format_period(period)
    return {"M": f"I {when}", "Q": f"{when[:1].upper()}{when[1:]}", "A": f"År {when}"}[frequency]


def format_in_sentence(name: str) -> str:
    """Riket is a common noun inside a Swedish sentence ("i riket"); place names keep capitals."""
    return "riket" if name == "Riket" else name


def describe_trend(
    trend: pd.DataFrame,
    region_names: dict[str, str],
    subject: str,
    focus: str,
    benchmark: str | None,
    decimals: int,
) -> str:
    """The latest period of `focus` in words: level, gap to the benchmark, change on a year."""
    focus_name = format_in_sentence(region_names.get(focus, focus))
    own = trend[(trend["region_code"] == focus) & trend["value"].notna()]
    if own.empty:
        return f"Det finns inga värden för {focus_name} i den valda perioden."
    latest = own.iloc[-1]
    period, value = str(latest["period"]), float(latest["value"])
    level = format_number(value, decimals)
    text = f"{describe_when(period)} var {subject} i {focus_name} {level} procent"
    other = trend[(trend["region_code"] == benchmark) & (trend["period"] == period)]
    if benchmark and not other.empty and pd.notna(other["value"].iloc[0]):
        gap = round(value - float(other["value"].iloc[0]), decimals)
        name = format_in_sentence(region_names.get(benchmark, benchmark))
        if gap == 0:
            text += f", samma nivå som i {name}"
        else:
            direction = "högre" if gap > 0 else "lägre"
            text += f", {format_number(abs(gap), decimals)} procentenheter {direction} än i {name}"
    text += "."
    change = latest["year_on_year"]
    if pd.notna(change):
        if change == 0:
            text += " Samma nivå som ett år tidigare."
        else:
            direction = "högre" if change > 0 else "lägre"
            size = format_number(abs(change), decimals)
            text += f" Det är {size} procentenheter {direction} än ett år tidigare."
    return text
