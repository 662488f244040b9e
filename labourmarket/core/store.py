"""The clean Parquet store: atomic writes, filtered reads and the data version readers key on."""

import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from labourmarket.core import paths
from labourmarket.core.catalog import Catalog
from labourmarket.core.schema import ARROW_SCHEMA, KEY

OBSERVATIONS_FILE = "observations.parquet"
MANIFEST_FILE = "manifest.json"
GENERATION_PREFIX = ".clean-"  # data/.clean-<time>-<random>/: one build's files; see write_clean


class StoreError(Exception):
    """Raised when the clean data is missing or unreadable; the message says what to run."""


def observations_path() -> Path:
    return paths.clean_dir() / OBSERVATIONS_FILE


def manifest_path() -> Path:
    return paths.clean_dir() / MANIFEST_FILE


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_bytes_atomic(path: Path, write: Any) -> None:
    """Write through `write(temp_path)` into the target's directory, fsync, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temp_path = Path(temp_name)
    try:
        write(temp_path)
        with temp_path.open("rb") as written:
            os.fsync(written.fileno())
        # mkstemp creates 0600; the app may run as another user than the ETL.
        temp_path.chmod(0o644)
        os.replace(temp_path, path)
    finally:
        temp_path.unlink(missing_ok=True)


ROW_GROUP_ROWS = 1 << 20  # pyarrow's default row group: one group is converted at a time


def order_by_key(frame: pd.DataFrame) -> np.ndarray:
    """Row positions sorted by key, text compared as text (categoricals in sorted order)."""
    keys = {}
    for column in KEY:
        values = frame[column].astype("category")
        categories = values.cat.categories
        if not categories.is_monotonic_increasing:
            values = values.cat.reorder_categories(categories.sort_values())
        keys[column] = values.reset_index(drop=True)
    return pd.DataFrame(keys).sort_values(KEY, kind="stable").index.to_numpy()


def iter_arrow(frame: pd.DataFrame) -> Iterator[pa.Table]:
    """Yield the rows sorted by key as Parquet-schema tables of one row group each.

    Sorted so builds are byte-stable. Converted a group at a time, with categoricals cast to
    strings in Arrow, so a national build never holds a second full copy as Python strings.
    No pandas metadata: readers choose their own dtypes.
    """
    order = order_by_key(frame)
    columns = frame[ARROW_SCHEMA.names]
    for start in range(0, len(order), ROW_GROUP_ROWS):
        chunk = columns.iloc[order[start : start + ROW_GROUP_ROWS]]
        table = pa.Table.from_pandas(chunk, preserve_index=False)
        yield table.cast(ARROW_SCHEMA).replace_schema_metadata(None)


def write_clean(
    frame: pd.DataFrame,
    sources: list[dict[str, Any]],
    superseded: int = 0,
    before_publish: Callable[[dict[str, Any], Path], None] | None = None,
) -> dict[str, Any]:
    """Write observations.parquet and its manifest as a new generation, then publish both at once.

    data/clean is a symbolic link to the current generation (data/.clean-<id>/). One rename of
    that link swaps both files together, so a crash at any moment leaves the old pair or the new
    pair, never a new Parquet file beside an old manifest. Readers just read data/clean.
    before_publish(manifest, generation) runs once the generation's files are written, before
    the rename: what it writes beside the manifest (changes.json) is published with it.
    """
    generation = create_generation()
    target = generation / OBSERVATIONS_FILE

    def write_parquet(temp_path: Path) -> None:
        with pq.ParquetWriter(temp_path, ARROW_SCHEMA, compression="zstd") as writer:
            for table in iter_arrow(frame):
                writer.write_table(table)
        if pq.read_metadata(temp_path).num_rows != len(frame):
            raise StoreError(f"{temp_path}: read-back row count differs from {len(frame)}")

    write_bytes_atomic(target, write_parquet)
    manifest = {
        "built_at": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
        "observations": {
            "file": OBSERVATIONS_FILE,
            "rows": len(frame),
            "sha256": hash_file(target),
        },
        "rows_by_measure": frame.groupby("measure_id", observed=True).size().sort_index().to_dict(),
        "superseded_rows": superseded,
        "sources": sources,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, default=int) + "\n"
    write_bytes_atomic(generation / MANIFEST_FILE, lambda p: p.write_text(text, encoding="utf-8"))
    if before_publish is not None:
        before_publish(manifest, generation)
    previous = publish_generation(generation)
    remove_old_generations(keep={generation.name, previous})
    return manifest


def create_generation() -> Path:
    """A new, empty directory beside data/clean for one build's files, readable by the app."""
    data = paths.clean_dir().parent
    data.mkdir(parents=True, exist_ok=True)
    stamp = pd.Timestamp.now(tz="UTC").strftime("%Y%m%dT%H%M%S")
    generation = Path(tempfile.mkdtemp(dir=data, prefix=f"{GENERATION_PREFIX}{stamp}-"))
    generation.chmod(0o755)  # mkdtemp creates 0700; the app may run as another user than the ETL
    return generation


def sync_directory(directory: Path) -> None:
    """fsync a directory, so the renames in it survive a power cut."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def publish_generation(generation: Path) -> str:
    """Point data/clean at generation with one rename; return the name it pointed at before."""
    sync_directory(generation)  # its files were synced as they were written
    clean = paths.clean_dir()
    previous = clean.readlink().name if clean.is_symlink() else ""
    if clean.is_dir() and not clean.is_symlink():
        # data/clean from before generations: a directory cannot be swapped for a link in one
        # rename, so it moves aside once (a crash right here leaves no data/clean, once).
        previous = f"{GENERATION_PREFIX}legacy-{uuid.uuid4().hex[:8]}"
        clean.rename(clean.with_name(previous))
    link = clean.with_name(f".clean.{uuid.uuid4().hex[:8]}.tmp")
    link.symlink_to(generation.name)  # relative: the data tree can be moved or copied whole
    os.replace(link, clean)
    sync_directory(clean.parent)
    return previous


def remove_old_generations(keep: set[str]) -> None:
    """Delete generations nothing points at and links a crash left before their rename.

    That includes what a failed or killed build left. The generation just replaced is kept
    until the next build, so a reader that followed the old link a moment ago can still open
    both of its files.
    """
    data = paths.clean_dir().parent
    for path in data.glob(f"{GENERATION_PREFIX}*"):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
    for link in data.glob(".clean.*.tmp"):
        link.unlink(missing_ok=True)


def read_manifest() -> dict[str, Any] | None:
    """Return the manifest of the last good build, or None when nothing has been built."""
    try:
        return json.loads(manifest_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError) as error:
        raise StoreError(f"{manifest_path()}: unreadable manifest: {error}") from error


def read_data_version() -> str | None:
    """Return a token that changes whenever the Parquet file is replaced, None if unbuilt.

    Taken from the file itself, not the manifest, so readers never pair new data with an old key.
    """
    try:
        stat = observations_path().stat()
    except FileNotFoundError:
        return None
    return f"{stat.st_mtime_ns}:{stat.st_size}:{stat.st_ino}"


TEXT_COLUMNS = [field.name for field in ARROW_SCHEMA if pa.types.is_string(field.type)]


def read_observations(
    filters: dict[str, str | Iterable[str]] | None = None, columns: list[str] | None = None
) -> pd.DataFrame:
    """Read observations (all columns, or `columns`), pushing equality/membership filters down
    to Parquet.

    Text columns come back as categoricals straight from Parquet's dictionaries: a national
    table is a few hundred codes repeated millions of times, and comparing or `isin` on codes
    is orders of magnitude faster than on strings (and a fraction of the memory).
    """
    path = observations_path()
    if not path.exists():
        raise StoreError(f"{path} does not exist: run `python -m etl build` (or `make data`)")
    expressions = []
    for column, wanted in (filters or {}).items():
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        if not values:
            empty = (
                ARROW_SCHEMA.empty_table()
                .to_pandas(date_as_object=False)
                .astype(dict.fromkeys(TEXT_COLUMNS, "category"))
            )
            return empty if columns is None else empty[columns]
        expressions.append((column, "in", values))
    try:
        table = pq.read_table(
            path,
            columns=columns,
            filters=expressions or None,
            read_dictionary=[c for c in TEXT_COLUMNS if columns is None or c in columns],
        )
    except (OSError, pa.ArrowInvalid) as error:
        raise StoreError(
            f"{path}: unreadable ({error}); rebuild with `python -m etl build`"
        ) from error
    return table.to_pandas(date_as_object=False)


class ManifestMismatchError(StoreError):
    """Raised when observations.parquet is not the file its manifest describes."""


def check_manifest_matches(manifest: Any) -> None:
    """Raise StoreError unless the Parquet file has the manifest's row count and sha256.

    Reads the whole file to hash it: callers cache the outcome per data version.
    """
    path = observations_path()
    fields = ("built_at", "sources", "observations")
    if not isinstance(manifest, dict) or not set(fields) <= manifest.keys():
        raise StoreError(f"{manifest_path()}: not a build manifest (needs {', '.join(fields)})")
    try:
        expected_rows = int(manifest["observations"]["rows"])
        expected_sha256 = str(manifest["observations"]["sha256"])
    except (KeyError, TypeError, ValueError) as error:
        raise StoreError(f"{manifest_path()}: observations entry lacks rows/sha256") from error
    try:
        rows = pq.read_metadata(path).num_rows
    except FileNotFoundError as error:
        raise StoreError(f"{path} does not exist: run `python -m etl build`") from error
    except (OSError, pa.ArrowInvalid) as error:
        raise StoreError(f"{path}: unreadable ({error})") from error
    if rows != expected_rows:
        raise ManifestMismatchError(
            f"{path} has {rows} rows, {manifest_path().name} says {expected_rows}"
        )
    actual_sha256 = hash_file(path)
    if actual_sha256 != expected_sha256:
        raise ManifestMismatchError(
            f"{path} has sha256 {actual_sha256[:12]}…, "
            f"{manifest_path().name} says {expected_sha256[:12]}…"
        )


@dataclass(frozen=True)
class LoadedData:
    """One build as the app reads it: every view's `data`."""

    observations: pd.DataFrame
    catalog: Catalog
    manifest: dict[str, Any]
    version: str = ""  # the Parquet file's identity: work derived from this build is keyed on it


CHANGES_FILE = "changes.json"  # beside the manifest: what this build changed against the last
# data/history/ is outside the generations, so it outlives their swap and cleanup (write_clean).
HISTORY_DIR = "history"
HISTORY_FILE = "builds.jsonl"  # one line per build, oldest first
HISTORY_CHANGES_DIR = "changes"  # a copy of each build's changes.json that changed anything


def changes_path() -> Path:
    return paths.clean_dir() / CHANGES_FILE


def history_dir() -> Path:
    return paths.clean_dir().parent / HISTORY_DIR


def history_path() -> Path:
    return history_dir() / HISTORY_FILE


def read_json(path: Path, what: str) -> Any | None:
    """A JSON file's content, None when it does not exist; StoreError naming it otherwise."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StoreError(f"{path}: unreadable {what}: {error}") from error


def read_changes() -> dict[str, Any] | None:
    """What the current build changed against the one before; None for a build without one."""
    changes = read_json(changes_path(), "list of changes")
    if changes is not None and not isinstance(
        changes.get("measures") if isinstance(changes, dict) else None, dict
    ):
        raise StoreError(f"{changes_path()}: not a list of changes (needs measures)")
    return changes


def read_build_history() -> list[dict[str, Any]]:
    """Every recorded build, oldest first; empty before the first build that kept a history."""
    path = history_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise StoreError(f"{path}: unreadable build history: {error}") from error
    entries = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as error:
            raise StoreError(f"{path}, line {number}: not JSON: {error}") from error
        if not isinstance(entry, dict) or "built_at" not in entry:
            raise StoreError(f"{path}, line {number}: not a build entry (needs built_at)")
        entries.append(entry)
    return entries


def read_history_changes(entry: dict[str, Any]) -> dict[str, Any]:
    """The changes one build of the history made; no measures for a build that changed nothing."""
    name = entry.get("changes_file")
    if not name:
        return {"built_at": entry["built_at"], "measures": {}}
    if not isinstance(name, str) or Path(name).name != name:
        raise StoreError(f"{history_path()}: build {entry['built_at']}: bad changes_file {name!r}")
    path = history_dir() / HISTORY_CHANGES_DIR / name
    changes = read_json(path, "list of changes")
    if not isinstance(changes, dict) or not isinstance(changes.get("measures"), dict):
        raise StoreError(f"{path}: missing or not a list of changes (build {entry['built_at']})")
    return changes


def list_stored_measures() -> list[str]:
    """The measures in the current observations.parquet, read from its measure column only."""
    try:
        column = pq.read_table(observations_path(), columns=["measure_id"])["measure_id"]
    except (OSError, pa.ArrowInvalid) as error:
        raise StoreError(f"{observations_path()}: unreadable ({error})") from error
    return sorted(str(value) for value in column.unique().to_pylist())
