"""What a build changed against the one before: changes.json beside its manifest, and the history.

Per measure, against the observations data/clean held before the swap: the new periods, the
figures revised (old -> new value and status, both retrieval dates), the figures withdrawn (in
the old build, not in the new one) and whole periods withdrawn. A value that goes from a number
to null is a revision to missing, never a withdrawal. Figures added to a period the old build
already had are counted, not listed.

Each build is also one line of data/history/builds.jsonl (with a copy of its changes.json when
it changed anything): the history outlives the generations that store.write_clean deletes.
"""

import json
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from etl.errors import describe_os_error
from labourmarket.core import store
from labourmarket.core.changelog import order_periods
from labourmarket.core.schema import KEY

CHANGES_FORMAT = 1
COMPARED = ["value", "status", "retrieved_at"]  # per side of a revision, after its key


def select_measure(frame: pd.DataFrame, measure_id: str) -> pd.DataFrame:
    return frame.loc[frame["measure_id"] == measure_id, [*KEY, *COMPARED]]


def encode_side(values: pd.Series, shared: pd.Index) -> np.ndarray:
    """Text (or a categorical of text) as positions in `shared`; missing is -1."""
    values = values.astype("category")
    lookup = np.append(shared.get_indexer(values.cat.categories.astype(str)), -1)
    return lookup[values.cat.codes.to_numpy()]  # code -1 (missing) picks the appended -1


def share_categories(old: pd.Series, new: pd.Series) -> pd.Index:
    """Every text value either side holds, once."""
    parts = [side.astype("category").cat.categories.astype(str) for side in (old, new)]
    return pd.Index([*parts[0], *parts[1]]).unique()


def encode_keys(old: pd.DataFrame, new: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each side's key as one int64 per row: mixed radix over codes shared per column.

    Matching int64 keys instead of merging seven text columns keeps a national measure (three
    million rows) to a second or two and a few hundred megabytes.
    """
    old_key, new_key = np.zeros(len(old), np.int64), np.zeros(len(new), np.int64)
    capacity = 1
    for column in KEY:
        shared = share_categories(old[column], new[column])
        capacity *= max(len(shared), 1)
        if capacity >= 2**62:
            raise ValueError(f"too many distinct keys to compare ({column})")
        old_key = old_key * len(shared) + encode_side(old[column], shared)
        new_key = new_key * len(shared) + encode_side(new[column], shared)
    return old_key, new_key


def is_same(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Equal, or both missing: a missing figure that stays missing is no revision."""
    old_missing, new_missing = pd.isna(old), pd.isna(new)
    with np.errstate(invalid="ignore"):
        equal = (old == new) & ~old_missing & ~new_missing
    return equal | (old_missing & new_missing)


def format_value(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def format_status(status: Any) -> str | None:
    return None if pd.isna(status) else str(status)


def format_retrieved(retrieved: Any) -> str | None:
    return None if pd.isna(retrieved) else pd.Timestamp(retrieved).isoformat()


def list_records(sides: dict[str, tuple[pd.DataFrame, np.ndarray]]) -> list[dict[str, Any]]:
    """Changed figures as JSON records: the canonical key in text, then each side's fields.

    sides: per prefix ("old_", "new_") the side's rows and the positions of the figures, in
    the same order (a revision's two sides share their key).
    """
    key_rows, key_at = next(iter(sides.values()))
    keys = key_rows[KEY].iloc[key_at].astype(str).to_dict("records")
    records: list[dict[str, Any]] = keys
    for prefix, (rows, at) in sides.items():
        values = rows["value"].iloc[at].to_numpy()
        statuses = rows["status"].iloc[at].to_numpy(dtype=object)
        retrieved = rows["retrieved_at"].iloc[at]
        for record, value, status, stamp in zip(records, values, statuses, retrieved, strict=True):
            record[f"{prefix}value"] = format_value(value)
            record[f"{prefix}status"] = format_status(status)
            record[f"{prefix}retrieved_at"] = format_retrieved(stamp)
    return sorted(records, key=lambda r: [r[c] for c in KEY])


def mark_periods(rows: pd.DataFrame, periods: set[str]) -> np.ndarray:
    """Which rows fall in one of `periods`."""
    values = rows["period"].astype("category")
    wanted = np.append(values.cat.categories.astype(str).isin(list(periods)), False)
    return wanted[values.cat.codes.to_numpy()]


def list_periods(rows: pd.DataFrame) -> set[str]:
    return {str(code) for code in rows["period"].unique()}


def compare_measure(old: pd.DataFrame, new: pd.DataFrame) -> dict[str, Any]:
    """One measure's changes: new and withdrawn periods, revised, withdrawn and added figures.

    old, new: the measure's rows (KEY and COMPARED columns), each key once per side.
    """
    old_periods, new_periods = list_periods(old), list_periods(new)
    gone_periods, added_periods = old_periods - new_periods, new_periods - old_periods
    old_key, new_key = encode_keys(old, new)
    _, old_at, new_at = np.intersect1d(old_key, new_key, assume_unique=True, return_indices=True)
    old_only = np.ones(len(old), bool)
    old_only[old_at] = False
    new_only = np.ones(len(new), bool)
    new_only[new_at] = False
    in_gone, in_added = mark_periods(old, gone_periods), mark_periods(new, added_periods)
    status = share_categories(old["status"], new["status"])
    changed = ~(
        is_same(old["value"].to_numpy()[old_at], new["value"].to_numpy()[new_at])
        & (encode_side(old["status"], status)[old_at] == encode_side(new["status"], status)[new_at])
    )
    withdrawn_at = np.flatnonzero(old_only & ~in_gone)
    return {
        "new_periods": list(order_periods(added_periods)),
        "new_period_figures": int(in_added.sum()),
        "added_figures": int((new_only & ~in_added).sum()),
        "revised": list_records({"old_": (old, old_at[changed]), "new_": (new, new_at[changed])}),
        "withdrawn": list_records({"old_": (old, withdrawn_at)}),
        "withdrawn_periods": list(order_periods(gone_periods)),
        "withdrawn_period_figures": int(in_gone.sum()),
    }


def has_changes(measure: Mapping[str, Any]) -> bool:
    return any(
        measure[field]
        for field in ("new_periods", "added_figures", "revised", "withdrawn", "withdrawn_periods")
    )


def read_previous() -> tuple[dict[str, Any] | None, str | None]:
    """The manifest of the build data/clean holds now, and why it cannot be compared, if so."""
    try:
        manifest = store.read_manifest()
    except store.StoreError as error:
        return None, str(error)
    if manifest is None and store.read_data_version() is None:
        return None, None
    if not isinstance(manifest, dict) or "built_at" not in manifest:
        return None, f"{store.manifest_path()}: missing or not a build manifest"
    return manifest, None


def read_previous_build_id() -> str | None:
    """The id of the build data/clean holds, from its changes.json; None without a readable one."""
    try:
        previous = store.read_changes()
    except store.StoreError:
        return None
    build_id = (previous or {}).get("build_id")
    return build_id if isinstance(build_id, str) else None


def compare_with_clean(observations: pd.DataFrame, sha256: str | None = None) -> dict[str, Any]:
    """The new observations against data/clean's, before the swap: changes.json without built_at.

    sha256: the new Parquet file's; when the previous build's is the same, the data is too
    (builds are byte-stable) and nothing is read. A previous build that cannot be read is said
    so (and nothing is compared): the build that replaces a damaged one must not fail for it.
    """
    previous, problem = read_previous()
    changes: dict[str, Any] = {
        "format": CHANGES_FORMAT,
        # Names the build in the history: two builds can share a second and their data.
        "build_id": uuid.uuid4().hex,
        "first_build": previous is None and problem is None,
        # Links the history into a chain: a build killed before its swap is in no chain.
        "previous_build_id": read_previous_build_id(),
        "previous": None,
        "previous_problem": problem,
        "measures": {},
    }
    if previous is None:
        return changes
    rows = (previous.get("observations") or {}).get("rows")
    if sha256 is not None and (previous.get("observations") or {}).get("sha256") == sha256:
        changes["previous"] = {"built_at": previous["built_at"], "rows": rows}
        return changes
    try:
        old_measures = store.list_stored_measures()
        new_measures = {str(m) for m in observations["measure_id"].unique()}
        measures = {}
        for measure_id in sorted(set(old_measures) | new_measures):
            old = store.read_observations({"measure_id": measure_id}, [*KEY, *COMPARED])
            found = compare_measure(old, select_measure(observations, measure_id))
            if has_changes(found):
                measures[measure_id] = found
    except (store.StoreError, OSError, ValueError) as error:
        # ValueError: pyarrow's ArrowInvalid, a damaged file read past its footer.
        detail = describe_os_error(error) if isinstance(error, OSError) else str(error)
        changes["previous_problem"] = f"{store.observations_path()}: unreadable ({detail})"
        return changes
    changes["previous"] = {"built_at": previous["built_at"], "rows": rows}
    changes["measures"] = measures
    return changes


def render_changes(changes: Mapping[str, Any], manifest: Mapping[str, Any]) -> str:
    """changes.json's text: this build's time (as its manifest says) first."""
    document = {"built_at": manifest["built_at"], **changes}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def count_changes(measures: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Per measure the history's counts: new periods, revised and withdrawn figures."""
    return {
        measure_id: {
            "new_periods": len(found["new_periods"]),
            "new_period_figures": found["new_period_figures"],
            "added_figures": found["added_figures"],
            "revised": len(found["revised"]),
            "withdrawn": len(found["withdrawn"]) + found["withdrawn_period_figures"],
        }
        for measure_id, found in measures.items()
    }


def name_history_changes(manifest: Mapping[str, Any], build_id: str) -> str:
    stamp = pd.Timestamp(manifest["built_at"]).tz_convert("UTC").strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{build_id}.json"


def record_build(manifest: Mapping[str, Any], text: str) -> dict[str, Any]:
    """Add a build (its manifest and changes.json text) to data/history, once.

    Called before the swap: a build killed after this but before its swap is a line no later
    build names as its previous, so readers, who follow that chain back from the build they
    show, never count it. The copy of changes.json goes first, then the line naming it.
    """
    changes = json.loads(text)
    history = store.read_build_history()
    entry: dict[str, Any] = {
        "build_id": changes["build_id"],
        "built_at": manifest["built_at"],
        "rows": manifest["observations"]["rows"],
        "sha256": manifest["observations"]["sha256"],
        "first_build": changes["first_build"],
        "previous_build_id": changes["previous_build_id"],
        "previous_built_at": (changes["previous"] or {}).get("built_at"),
        "previous_problem": changes["previous_problem"],
        "changes_file": None,
        "measures": count_changes(changes["measures"]),
    }
    if any(recorded.get("build_id") == entry["build_id"] for recorded in history):
        return entry
    if changes["measures"]:
        entry["changes_file"] = name_history_changes(manifest, entry["build_id"])
        store.write_bytes_atomic(
            store.history_dir() / store.HISTORY_CHANGES_DIR / entry["changes_file"],
            lambda path: path.write_text(text, encoding="utf-8"),
        )
    lines = [json.dumps(e, ensure_ascii=False) for e in [*history, entry]]
    store.write_bytes_atomic(
        store.history_path(), lambda path: path.write_text("\n".join(lines) + "\n", "utf-8")
    )
    return entry


def write_clean_with_changes(
    observations: pd.DataFrame, sources: list[dict[str, Any]], superseded: int = 0
) -> dict[str, Any]:
    """Publish a build with its changes.json against the previous one, recorded in the history.

    A damaged history stops the build before anything changes (StoreError names the line).
    """
    store.read_build_history()

    def write_changes(manifest: dict[str, Any], generation: Path) -> None:
        changes = compare_with_clean(observations, manifest["observations"]["sha256"])
        text = render_changes(changes, manifest)
        store.write_bytes_atomic(
            generation / store.CHANGES_FILE, lambda path: path.write_text(text, "utf-8")
        )
        record_build(manifest, text)

    return store.write_clean(
        observations, sources, superseded=superseded, before_publish=write_changes
    )
