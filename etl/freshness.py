"""How current each source is: newest period held, when fetched, when the next figures are due."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow.parquet as pq

from labourmarket.core import store
from labourmarket.core.periods import find_period_end, parse_period

FREQUENCY_WORDS = {"A": "annual", "Q": "quarterly", "M": "monthly"}


@dataclass(frozen=True)
class ReleaseRule:
    """A publisher's rhythm: a period's figures come out `months_after` its last month, on `day`."""

    source: str  # the raw folder (etl/pipeline.py SOURCES)
    frequency: str  # A, Q or M
    months_after: int
    day: int
    basis: str  # where the rhythm comes from


RULES: tuple[ReleaseRule, ...] = (
    ReleaseRule(
        "arbetsformedlingen",
        "M",
        1,
        23,
        "AF's monthly files appear around the 23rd of the following month",
    ),
    ReleaseRule(
        "scb",
        "M",
        2,
        28,
        "BAS monthly: TAB6260's metadata says 2020M01-2026M06, updated 2026-08-28",
    ),
    ReleaseRule(
        "kolada",
        "A",
        1,
        19,
        "Kolada's KPI metadata: the AF-based unemployment KPIs publish year 2026 on 2027-01-19",
    ),
)
RULE_BY_KEY = {(rule.source, rule.frequency): rule for rule in RULES}


def find_next_period(code: str) -> str:
    """The period after code, in its frequency: 2026M12 -> 2027M01, 2013K4 -> 2014K1."""
    period = parse_period(code)
    after = find_period_end(code)
    if period.frequency == "A":
        return str(after.year)
    if period.frequency == "Q":
        return f"{after.year}K{(after.month - 1) // 3 + 1}"
    return f"{after.year}M{after.month:02d}"


def estimate_release(rule: ReleaseRule, code: str) -> date:
    """The day the rule expects period code's figures: 2026M08 at AF -> 2026-09-23."""
    after = find_period_end(code)  # the first day after the period: its last month + 1
    month = after.month - 1 + rule.months_after - 1
    return date(after.year + month // 12, month % 12 + 1, rule.day)


@dataclass(frozen=True)
class Freshness:
    """One source and frequency: what is held and what comes next."""

    source: str
    frequency: str
    newest_period: str
    fetched_at: date | None  # when the newest raw file arrived
    checked_at: date | None  # when `update` last asked the publisher
    next_period: str | None  # None: no release rhythm known for this source and frequency
    due: date | None
    state: str  # "waiting" (not due yet), "due" (due, not asked since), "late", "unscheduled"


def assess_freshness(
    source: str,
    newest_period: str,
    fetched_at: date | None,
    checked_at: date | None,
    today: date,
) -> Freshness:
    """Where a source stands against its publisher's rhythm (pure: today is an argument).

    Due and not asked since: run update. Asked on or after the due day and still not there: the
    publisher is late (or its rhythm moved).
    """
    frequency = parse_period(newest_period).frequency
    rule = RULE_BY_KEY.get((source, frequency))
    if rule is None:
        return Freshness(
            source, frequency, newest_period, fetched_at, checked_at, None, None, "unscheduled"
        )
    following = find_next_period(newest_period)
    due = estimate_release(rule, following)
    if today < due:
        state = "waiting"
    elif checked_at is not None and checked_at >= due:
        state = "late"
    else:
        state = "due"
    return Freshness(
        source, frequency, newest_period, fetched_at, checked_at, following, due, state
    )


def describe_freshness(freshness: Freshness, today: date) -> str:
    """One line for `python -m etl status`."""
    held = f"newest {freshness.newest_period} ({FREQUENCY_WORDS[freshness.frequency]})"
    fetched = f"fetched {freshness.fetched_at:%Y-%m-%d}" if freshness.fetched_at else "not fetched"
    checked = f", checked {freshness.checked_at:%Y-%m-%d}" if freshness.checked_at else ""
    if freshness.state == "unscheduled" or freshness.due is None:
        return f"{held}, {fetched}{checked}; no release rhythm known"
    days = abs((freshness.due - today).days)
    upcoming = f"next {freshness.next_period} due about {freshness.due:%Y-%m-%d}"
    comment = {
        "waiting": f"in {days} days",
        "due": f"{days} days ago: run `python -m etl update`",
        "late": f"{days} days ago, not out when last checked",
    }[freshness.state]
    return f"{held}, {fetched}{checked}; {upcoming} ({comment})"


def read_newest_periods() -> dict[tuple[str, str], str]:
    """The newest period of each (raw source, frequency) in data/clean; {} when not built.

    Rows carry a source_id; the manifest says which raw folder each source_id came from.
    """
    manifest = store.read_manifest()
    path = store.observations_path()
    if manifest is None or not path.exists():
        return {}
    folders: dict[str, set[str]] = {}
    for entry in manifest.get("sources", []):
        for source_id in entry.get("source_ids", [entry.get("source_id")]):
            folders.setdefault(str(source_id), set()).add(str(entry.get("source")))
    table = pq.read_table(path, columns=["source_id", "frequency", "period", "period_start"])
    rows = table.to_pandas().astype({"source_id": "string", "frequency": "string"})
    latest = rows.loc[rows.groupby(["source_id", "frequency"])["period_start"].idxmax()]
    found: dict[tuple[str, str], tuple[str, Any]] = {}
    for row in latest.itertuples():
        for folder in folders.get(str(row.source_id), set()):
            key = (folder, str(row.frequency))
            if key not in found or row.period_start > found[key][1]:
                found[key] = (str(row.period), row.period_start)
    return {key: period for key, (period, _) in sorted(found.items())}


def list_freshness(
    newest: Mapping[tuple[str, str], str],
    fetched: Mapping[str, date],
    checked: Mapping[str, date],
    today: date,
) -> list[Freshness]:
    """Every (source, frequency) held, assessed, in the order newest lists them."""
    return [
        assess_freshness(source, period, fetched.get(source), checked.get(source), today)
        for (source, _), period in newest.items()
    ]
