"""Strategy targets: read and check data/reference/targets.toml, evaluate them on the figures."""

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from labourmarket.core import paths
from labourmarket.core.catalog import Catalog
from labourmarket.core.frequency import find_period_frequency, keep_one_frequency
from labourmarket.core.periods import find_break_between, parse_period
from labourmarket.core.schema import AGE_PATTERN, ALLOWED_CODES, GROUP_DIMENSIONS
from labourmarket.core.selection import TOTAL, Group, select_rows
from labourmarket.output.formatting import format_period

TARGETS_FILE = "targets.toml"
# Each rule and the fields it needs besides the common ones.
RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "gap_at_most": ("benchmark", "threshold"),
    "at_most": ("threshold",),
    "below_baseline": ("baseline_period",),
    "gap_below_baseline": ("benchmark", "baseline_period"),
}
TEXT_FIELDS = ("id", "region", "document", "section", "quote", "goal_sv", "rule")
# One measure, or several in order of preference (see pick_measure).
MEASURE_FIELDS = ("measure", "measures")
OPTIONAL_FIELDS = (
    *MEASURE_FIELDS,
    "benchmark",
    "threshold",
    "baseline_period",
    "period_from",
    "note",
    *GROUP_DIMENSIONS,
)
RESULT_COLUMNS = [
    "target_id",
    "region_code",
    "measure_id",
    "period",
    "value",
    "benchmark_value",
    "gap_pp",
    "baseline_value",
    "change_pp",
    "status",
    "reason",
    "reason_sv",
    "before_strategy",
]
# (missing | suppressed | lower_bound | not_comparable | period_not_found | before_strategy,
# Swedish text)
Reason = tuple[str, str]


class TargetError(Exception):
    """A malformed targets file; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class Target:
    id: str
    region: str
    document: str
    section: str
    quote: str
    goal_sv: str
    measures: tuple[str, ...]  # in order of preference: the target is judged on one of them
    rule: str
    tolerance: float
    group: dict[str, str] = field(default_factory=dict)
    benchmark: str | None = None
    threshold: float | None = None
    baseline_period: str | None = None
    period_from: str | None = None  # the first period the strategy covers
    note: str = ""

    @property
    def is_gap_rule(self) -> bool:
        return self.benchmark is not None


def read_toml(path: Path) -> list[dict[str, Any]]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TargetError(f"{path}: cannot read: {error}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TargetError(f"{path}: not valid TOML: {error}") from error
    entries = document.get("target")
    if not isinstance(entries, list):
        raise TargetError(f"{path}: expected [[target]] entries")
    return entries


def check_entry(entry: dict[str, Any], catalog: Catalog, fail: Any) -> None:
    """Call fail(field, problem) for the first thing wrong with one entry."""
    unknown = sorted(set(entry) - set(TEXT_FIELDS) - set(OPTIONAL_FIELDS) - {"tolerance"})
    if unknown:
        fail(unknown[0], "unknown field")
    for name in TEXT_FIELDS:
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            fail(name, "missing or not text")
    if entry["rule"] not in RULE_FIELDS:
        fail("rule", f"unknown rule {entry['rule']!r}; expected one of {', '.join(RULE_FIELDS)}")
    for name in RULE_FIELDS[entry["rule"]]:
        if name not in entry:
            fail(name, f"required by rule {entry['rule']}")
    # A stray benchmark or baseline would silently change what the rule compares.
    unused = {"benchmark", "threshold", "baseline_period"} - set(RULE_FIELDS[entry["rule"]])
    for name in sorted(unused & set(entry)):
        fail(name, f"not used by rule {entry['rule']}")
    for name in ("benchmark", "baseline_period", "period_from", "note", *GROUP_DIMENSIONS):
        if name in entry and not isinstance(entry[name], str):
            fail(name, f"{entry[name]!r} is not text")
    for name in ("tolerance", "threshold"):
        value = entry.get(name, 0.0)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            fail(name, f"{value!r} is not a number")
    if entry.get("tolerance", -1) < 0:
        fail("tolerance", "missing or negative")
    check_measures(entry, catalog, fail)
    for name in ("region", "benchmark"):
        if name in entry and entry[name] not in catalog.region_names:
            fail(name, f"unknown region {entry[name]!r}")
    for dimension in GROUP_DIMENSIONS:
        code = entry.get(dimension, TOTAL)
        allowed = (
            re.fullmatch(AGE_PATTERN, code)
            if dimension == "age"
            else code in ALLOWED_CODES[dimension]
        )
        if not isinstance(code, str) or not allowed:
            fail(dimension, f"unknown group code {code!r}")
    for name in ("baseline_period", "period_from"):
        if name in entry:
            try:
                parse_period(entry[name])
            except ValueError as error:
                fail(name, str(error))


def check_measures(entry: dict[str, Any], catalog: Catalog, fail: Any) -> None:
    """`measure = "id"` or `measures = ["id", ...]` (not both), every id in measures.csv."""
    given = [name for name in MEASURE_FIELDS if name in entry]
    if len(given) != 1:
        fail(
            "measure",
            'give either measure = "<id>" or measures = ["<id>", ...], not both or neither',
        )
    name = given[0]
    measures = [entry[name]] if name == "measure" else entry[name]
    if not isinstance(measures, list) or not measures:
        fail(name, "expected a non-empty list of measure ids")
    for measure in measures:
        if not isinstance(measure, str) or not measure.strip():
            fail(name, f"{measure!r} is not text")
        if measure not in set(catalog.measures["measure_id"]):
            fail(name, f"unknown measure {measure!r}")
    if len(set(measures)) < len(measures):
        fail(name, "a measure is named twice")


def read_measures(entry: dict[str, Any]) -> tuple[str, ...]:
    return tuple(entry["measures"]) if "measures" in entry else (entry["measure"],)


def load_targets(catalog: Catalog, path: Path | None = None) -> list[Target]:
    """Read targets.toml, refusing it whole if one entry is wrong (the error names it)."""
    path = path or paths.reference_dir() / TARGETS_FILE
    targets, seen = [], set()
    for number, entry in enumerate(read_toml(path), start=1):
        name = entry.get("id") or f"#{number}"

        def fail(field_name: str, problem: str, name: str = name) -> None:
            raise TargetError(f"{path}: target {name}: field {field_name}: {problem}")

        check_entry(entry, catalog, fail)
        if entry["id"] in seen:
            fail("id", "used twice")
        seen.add(entry["id"])
        targets.append(
            Target(
                **{name: entry[name] for name in TEXT_FIELDS},
                measures=read_measures(entry),
                tolerance=float(entry["tolerance"]),
                group={d: entry.get(d, TOTAL) for d in GROUP_DIMENSIONS},
                benchmark=entry.get("benchmark"),
                threshold=float(entry["threshold"]) if "threshold" in entry else None,
                baseline_period=entry.get("baseline_period"),
                period_from=entry.get("period_from"),
                note=entry.get("note", ""),
            )
        )
    return targets


def select_target_series(
    observations: pd.DataFrame, target: Target, region: str, measure: str
) -> pd.DataFrame:
    """One measure of the target, in its group and one region: a row per period, oldest first.

    Of one frequency: the baseline's where the target has one, else the one the series starts
    with (frequency.keep_one_frequency).
    """
    rows = select_rows(observations, measure, [region], group=Group.from_mapping(target.group))
    rows = keep_one_frequency(rows, find_period_frequency(target.baseline_period))
    return rows.sort_values("period_start").set_index("period")[["value", "status", "period_start"]]


def pick_measure(observations: pd.DataFrame, target: Target) -> str:
    """The measure a target is judged on.

    The first, in the file's order, with a figure for the region (in the target's group) from
    period_from on; else the one with the newest figure, which is shown but not judged (it is
    from before the strategy); else the first (and the target cannot be assessed).
    """
    newest: dict[str, pd.Timestamp] = {}
    for measure in target.measures:
        own = select_target_series(observations, target, target.region, measure)
        starts = own.loc[own["value"].notna(), "period_start"]
        if starts.empty:
            continue
        if target.period_from is None or starts.max() >= pd.Timestamp(
            parse_period(target.period_from).start
        ):
            return measure
        newest[measure] = starts.max()
    # max keeps the first of equals: the file's order breaks ties.
    return max(newest, key=lambda measure: newest[measure]) if newest else target.measures[0]


def judge(compared: float, limit: float, tolerance: float, strict: bool, decimals: int) -> str:
    """met / close / not_met on rounded figures, so 0,6 against a 0,6 tolerance is exact.

    `strict` rules ("lower than the baseline") are not met by an unchanged figure; without a
    tolerance there is no "close" either.
    """
    compared, limit = round(compared, decimals), round(limit, decimals)
    if compared < limit or (compared == limit and not strict):
        return "met"
    if tolerance > 0 and compared <= round(limit + tolerance, decimals):
        return "close"
    return "not_met"


def describe_missing(series: pd.DataFrame, period: str, what: str) -> Reason | None:
    """Say why a figure cannot be used (absent, suppressed, missing), or None when it can."""
    when = format_period(period)
    if period not in series.index:
        return "period_not_found", f"{what} saknar värde för {when}"
    if pd.isna(series.at[period, "value"]):
        if series.at[period, "status"] == "suppressed":
            return (
                "suppressed",
                f"värdet för {what} {when} är undertryckt (för osäkert eller röjande)",
            )
        return "missing", f"värde saknas för {what} {when}"
    status = series.at[period, "status"]
    if pd.notna(status) and status == "lower_bound":
        return (
            "lower_bound",
            f"värdet för {what} {when} är en undre gräns (en del är för liten för att visas)",
        )
    return None


def crosses_break(catalog: Catalog, target: Target, measure: str, period: str) -> Reason | None:
    baseline = str(target.baseline_period)
    brk = find_break_between(catalog.series_breaks(measure), baseline, period)
    if brk is None:
        return None
    return "not_comparable", (
        f"seriebrott {format_period(brk)} mellan basperioden {format_period(baseline)} "
        f"och {format_period(period)}"
    )


def is_before_strategy(target: Target, period: str) -> bool:
    """Whether a period lies before the strategy: its figure is no result of the strategy.

    The target's own baseline period is its starting point, not "before the strategy".
    """
    if target.period_from is None or period == target.baseline_period:
        return False
    return parse_period(period).start < parse_period(target.period_from).start


def describe_before_strategy(target: Target, period: str) -> Reason:
    return "before_strategy", (
        f"{format_period(period)} ligger före strategiperioden, "
        f"som börjar {format_period(str(target.period_from))}"
    )


def evaluate_period(
    target: Target,
    measure: str,
    period: str,
    own: pd.DataFrame,
    benchmark: pd.DataFrame | None,
    catalog: Catalog,
    decimals: int,
) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(RESULT_COLUMNS)
    row.update(
        target_id=target.id,
        region_code=target.region,
        measure_id=measure,
        period=period,
        before_strategy=is_before_strategy(target, period),
    )
    reason = describe_missing(own, period, catalog.region_name(target.region))
    if reason is None:
        row["value"] = float(own.at[period, "value"])
    if reason is None and benchmark is not None:
        reason = describe_missing(benchmark, period, catalog.region_name(str(target.benchmark)))
        if reason is None:
            row["benchmark_value"] = float(benchmark.at[period, "value"])
            row["gap_pp"] = round(row["value"] - row["benchmark_value"], decimals)
    compared = row["gap_pp"] if target.is_gap_rule else row["value"]
    limit = target.threshold
    if reason is None and target.baseline_period is not None:
        reason = crosses_break(catalog, target, measure, period)
        baseline = evaluate_baseline(target, own, benchmark, catalog, decimals)
        if isinstance(baseline, tuple):
            reason = reason or baseline
        else:
            row["baseline_value"] = limit = baseline
            row["change_pp"] = round(compared - baseline, decimals)
    # The figure and its gaps are shown; the strategy is judged only on its own period.
    if reason is None and row["before_strategy"]:
        reason = describe_before_strategy(target, period)
    if reason is not None:
        return {**row, "status": "cannot_assess", "reason": reason[0], "reason_sv": reason[1]}
    strict = target.baseline_period is not None
    return {**row, "status": judge(compared, limit, target.tolerance, strict, decimals)}


def evaluate_baseline(
    target: Target,
    own: pd.DataFrame,
    benchmark: pd.DataFrame | None,
    catalog: Catalog,
    decimals: int,
) -> float | Reason:
    """The baseline value (or baseline gap), or the reason it cannot be had."""
    period = str(target.baseline_period)
    reason = describe_missing(own, period, f"basperioden: {catalog.region_name(target.region)}")
    if reason is None and benchmark is not None:
        reason = describe_missing(
            benchmark, period, f"basperioden: {catalog.region_name(str(target.benchmark))}"
        )
    if reason is not None:
        return reason
    value = float(own.at[period, "value"])
    if benchmark is None:
        return value
    return round(value - float(benchmark.at[period, "value"]), decimals)


def list_periods_to_judge(target: Target, own: pd.DataFrame) -> list[str]:
    """Every period with a figure; for baseline rules only those after the baseline."""
    periods = list(own.index)
    if target.baseline_period is None:
        return periods
    start = parse_period(target.baseline_period).start
    return [p for p in periods if parse_period(p).start > start]


def describe_unassessable(
    target: Target, measure: str, own: pd.DataFrame, catalog: Catalog
) -> dict[str, Any]:
    """The one row of a target with no period to judge: nothing after the baseline, or no data."""
    if target.baseline_period and not own.empty:
        reason = "period_not_found"
        text = f"inga värden efter basperioden {format_period(target.baseline_period)} ännu"
    else:
        reason = "missing"
        region = catalog.region_name(target.region)
        text = f"uppgift saknas i datan för {region} i måttet och gruppen"
    row = dict.fromkeys(RESULT_COLUMNS)
    row.update(
        target_id=target.id, region_code=target.region, measure_id=measure, status="cannot_assess"
    )
    return {**row, "reason": reason, "reason_sv": text}


def evaluate(observations: pd.DataFrame, targets: list[Target], catalog: Catalog) -> pd.DataFrame:
    """One row per target and period: figures, gap, change against baseline, status, reason."""
    # One pass over the whole table for every target's measures and regions; each target then
    # picks its series from that handful of rows.
    regions = {t.region for t in targets} | {t.benchmark for t in targets if t.benchmark}
    observations = observations[
        observations["measure_id"].isin({m for t in targets for m in t.measures})
        & observations["region_code"].isin(regions)
    ]
    rows = []
    for target in targets:
        measure = pick_measure(observations, target)
        decimals = int(catalog.measure(measure)["decimals"])
        own = select_target_series(observations, target, target.region, measure)
        benchmark = (
            select_target_series(observations, target, target.benchmark, measure)
            if target.is_gap_rule
            else None
        )
        periods = list_periods_to_judge(target, own)
        if not periods:
            rows.append(describe_unassessable(target, measure, own, catalog))
            continue
        rows += [
            evaluate_period(target, measure, p, own, benchmark, catalog, decimals) for p in periods
        ]
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def select_latest(results: pd.DataFrame) -> pd.DataFrame:
    """The last evaluated period of each target (a target that cannot be assessed keeps its row)."""
    return results.groupby("target_id", sort=False).tail(1).reset_index(drop=True)
