"""Changes between builds as tables: one build's, all since a date, and the revisions of figures.

The ETL writes them (etl/changes.py): changes.json beside each build's manifest and the build
history in data/history. Here they are read back for Källor och data, the Nämndvy's "Nytt sedan
förra mötet" and the Mål och budget pack.
"""

import datetime
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from labourmarket.core import store
from labourmarket.core.periods import parse_period
from labourmarket.core.schema import KEY

LOCAL_TIME = "Europe/Stockholm"
SIDE_FIELDS = ["value", "status", "retrieved_at"]
REVISION_COLUMNS = [
    *KEY,
    *(f"old_{name}" for name in SIDE_FIELDS),
    *(f"new_{name}" for name in SIDE_FIELDS),
    "built_at",
]
WITHDRAWN_COLUMNS = [*KEY, *(f"old_{name}" for name in SIDE_FIELDS), "built_at"]


def tabulate_revisions(changes: Mapping[str, Any]) -> pd.DataFrame:
    """A build's revised figures over every measure (REVISION_COLUMNS), with the build's time."""
    records = [
        {**record, "built_at": changes.get("built_at")}
        for measure in changes["measures"].values()
        for record in measure.get("revised", [])
    ]
    return pd.DataFrame(records, columns=REVISION_COLUMNS).astype(
        {"old_value": "float64", "new_value": "float64"}
    )


def order_periods(periods: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(periods, key=lambda code: (parse_period(code).start, code)))


@dataclass(frozen=True)
class ChangesSince:
    """What the builds in a window changed, folded into one change per figure."""

    builds: tuple[dict[str, Any], ...]  # the history's entries in the window, oldest first
    new_periods: dict[str, tuple[str, ...]]  # per measure, in period order
    revised: pd.DataFrame  # REVISION_COLUMNS: old before the window, new after it
    withdrawn: pd.DataFrame  # WITHDRAWN_COLUMNS: the figure as it was before it went
    withdrawn_periods: dict[str, tuple[str, ...]]
    # Builds of the window that had nothing to compare with: what came before them is unknown.
    uncompared: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not (
            self.new_periods or len(self.revised) or len(self.withdrawn) or self.withdrawn_periods
        )


def is_same(old: Any, new: Any) -> bool:
    """Equal, or both missing (a missing figure that stays missing has not changed)."""
    old_missing, new_missing = pd.isna(old), pd.isna(new)
    return (old_missing and new_missing) or (not old_missing and not new_missing and old == new)


def fold_changes(documents: list[Mapping[str, Any]]) -> ChangesSince:
    """Builds' changes, oldest first, as one change per figure: its value before the first
    build and after the last. A figure revised back to where it was is no change; the figures
    of a period that is new in the window are the new period, not revisions."""
    new_periods: dict[str, set[str]] = {}
    gone_periods: dict[str, set[str]] = {}
    revised: dict[tuple[str, ...], dict[str, Any]] = {}
    withdrawn: dict[tuple[str, ...], dict[str, Any]] = {}
    for document in documents:
        built_at = document.get("built_at")
        for measure_id, found in document["measures"].items():
            new = new_periods.setdefault(measure_id, set())
            gone = gone_periods.setdefault(measure_id, set())
            for period in found.get("new_periods", []):
                new.add(period)
                gone.discard(period)
            for period in found.get("withdrawn_periods", []):
                if period in new:
                    new.discard(period)
                else:
                    gone.add(period)
                # The period's figures went with it: the withdrawn period says so.
                for key in [k for k in revised if k[0] == measure_id and k[2] == period]:
                    del revised[key]
            for record in found.get("revised", []):
                key = tuple(record[column] for column in KEY)
                if record["period"] in new:
                    continue
                first = revised.get(key, record)
                revised[key] = {
                    **record,
                    **{f"old_{name}": first[f"old_{name}"] for name in SIDE_FIELDS},
                    "built_at": built_at,
                }
            for record in found.get("withdrawn", []):
                key = tuple(record[column] for column in KEY)
                if record["period"] in new:
                    continue
                earlier = revised.pop(key, record)
                withdrawn[key] = {
                    **{column: record[column] for column in KEY},
                    **{f"old_{name}": earlier[f"old_{name}"] for name in SIDE_FIELDS},
                    "built_at": built_at,
                }
    changed = [
        record
        for record in revised.values()
        if not all(is_same(record[f"old_{n}"], record[f"new_{n}"]) for n in ("value", "status"))
    ]
    return ChangesSince(
        builds=(),
        new_periods={m: order_periods(p) for m, p in new_periods.items() if p},
        revised=pd.DataFrame(changed, columns=REVISION_COLUMNS).astype(
            {"old_value": "float64", "new_value": "float64"}
        ),
        withdrawn=pd.DataFrame(list(withdrawn.values()), columns=WITHDRAWN_COLUMNS).astype(
            {"old_value": "float64"}
        ),
        withdrawn_periods={m: order_periods(p) for m, p in gone_periods.items() if p},
    )


def is_this_build(entry: Mapping[str, Any], manifest: Mapping[str, Any]) -> bool:
    """Whether a history entry is the build the manifest describes (time and checksum)."""
    observations = manifest.get("observations") or {}
    return entry.get("built_at") == manifest.get("built_at") and entry.get(
        "sha256"
    ) == observations.get("sha256")


def select_history_until(
    history: list[dict[str, Any]], manifest: Mapping[str, Any]
) -> list[dict[str, Any]] | None:
    """The builds that led to the manifest's, oldest first: its entry and the previous ones it
    names, back to one that names none. A build killed before its swap (an entry nobody names)
    is left out. None if the history does not hold the manifest's build (a history of another
    data tree, or a build made without one).
    """
    current = next((e for e in reversed(history) if is_this_build(e, manifest)), None)
    if current is None:
        return None
    by_id = {entry.get("build_id"): entry for entry in history if entry.get("build_id")}
    chain = [current]
    while (previous := by_id.get(chain[-1].get("previous_build_id"))) and previous not in chain:
        chain.append(previous)
    return chain[::-1]


def start_of_day(day: datetime.date) -> pd.Timestamp:
    """A meeting's date as the moment it begins in Sweden."""
    return pd.Timestamp(day).tz_localize(LOCAL_TIME)


def read_changes_since(
    since: datetime.date | None, manifest: Mapping[str, Any]
) -> ChangesSince | None:
    """The changes of the builds made on or after `since` (a day in Sweden) up to the
    manifest's build; with `since` None, the manifest's build alone (its changes against the
    build before it). None when the history does not hold the manifest's build.
    """
    observations = manifest.get("observations") or {}
    return read_changes_since_cached(
        str(store.history_path()),
        stat_history(),
        since,
        str(manifest.get("built_at")),
        str(observations.get("sha256")),
    )


def stat_history() -> tuple[int, int]:
    """The history file's identity: a cached read is redone when the file is rewritten."""
    try:
        stat = store.history_path().stat()
    except FileNotFoundError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_ino)


# The Nämndvy asks again every 30 seconds per open screen; the answer changes only with a build.
@functools.lru_cache(maxsize=16)
def read_changes_since_cached(
    path: str, identity: tuple[int, int], since: datetime.date | None, built_at: str, sha256: str
) -> ChangesSince | None:
    manifest = {"built_at": built_at, "observations": {"sha256": sha256}}
    until = select_history_until(store.read_build_history(), manifest)
    if until is None:
        return None
    if since is None:
        window = until[-1:]
    else:
        start = start_of_day(since)
        window = [entry for entry in until if pd.Timestamp(entry["built_at"]) >= start]
    documents = [
        {**store.read_history_changes(entry), "built_at": entry["built_at"]} for entry in window
    ]
    folded = fold_changes(documents)
    uncompared = tuple(
        entry["built_at"]
        for entry in window
        if entry.get("first_build") or entry.get("previous_problem")
    )
    return replace(folded, builds=tuple(window), uncompared=uncompared)


def read_revision_log(manifest: Mapping[str, Any]) -> pd.DataFrame | None:
    """Every revision the history recorded up to the manifest's build, one row per build and
    figure (REVISION_COLUMNS), oldest first; None when the history does not hold this build."""
    until = select_history_until(store.read_build_history(), manifest)
    if until is None:
        return None
    frames = [
        tabulate_revisions({**store.read_history_changes(entry), "built_at": entry["built_at"]})
        for entry in until
        if entry.get("changes_file") and any(m.get("revised") for m in entry["measures"].values())
    ]
    if not frames:
        return tabulate_revisions({"measures": {}})
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class BuildRecord:
    """The current build's changes.json and the build history, as far as they could be read."""

    changes: dict[str, Any] | None  # None: a build made without one, or unreadable
    history: tuple[dict[str, Any], ...]
    problems: tuple[str, ...]  # what could not be read, each naming its file


def read_build_record() -> BuildRecord:
    """Read changes.json and the history, each on its own: one damaged file hides only itself."""
    changes, history, problems = None, (), []
    try:
        changes = store.read_changes()
    except store.StoreError as error:
        problems.append(str(error))
    try:
        history = tuple(store.read_build_history())
    except store.StoreError as error:
        problems.append(str(error))
    return BuildRecord(changes, history, tuple(problems))
