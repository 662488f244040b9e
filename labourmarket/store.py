"""The clean Parquet store: atomic writes, filtered reads and the data version readers key on."""

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from labourmarket import paths
from labourmarket.schema import ARROW_SCHEMA, KEY

OBSERVATIONS_FILE = "observations.parquet"
MANIFEST_FILE = "manifest.json"


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


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """Convert canonical rows to the Parquet schema, sorted by key so builds are byte-stable."""
    ordered = frame.sort_values(KEY, kind="stable").reset_index(drop=True)
    return pa.Table.from_pandas(
        ordered[ARROW_SCHEMA.names], schema=ARROW_SCHEMA, preserve_index=False
    )


def write_clean(
    frame: pd.DataFrame, sources: list[dict[str, Any]], superseded: int = 0
) -> dict[str, Any]:
    """Atomically write observations.parquet, check it reads back, then write the manifest."""
    table = to_arrow(frame)
    target = observations_path()

    def write_parquet(temp_path: Path) -> None:
        pq.write_table(table, temp_path, compression="zstd")
        if pq.read_metadata(temp_path).num_rows != table.num_rows:
            raise StoreError(f"{temp_path}: read-back row count differs from {table.num_rows}")

    write_bytes_atomic(target, write_parquet)
    manifest = {
        "built_at": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
        "observations": {
            "file": OBSERVATIONS_FILE,
            "rows": table.num_rows,
            "sha256": hash_file(target),
        },
        "rows_by_measure": frame.groupby("measure_id").size().sort_index().to_dict(),
        "superseded_rows": superseded,
        "sources": sources,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, default=int) + "\n"
    write_bytes_atomic(manifest_path(), lambda p: p.write_text(text, encoding="utf-8"))
    return manifest


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


def read_observations(filters: dict[str, str | Iterable[str]] | None = None) -> pd.DataFrame:
    """Read observations, pushing equality/membership filters down to Parquet."""
    path = observations_path()
    if not path.exists():
        raise StoreError(f"{path} does not exist: run `python -m etl build` (or `make data`)")
    expressions = []
    for column, wanted in (filters or {}).items():
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        if not values:
            return ARROW_SCHEMA.empty_table().to_pandas(date_as_object=False)
        expressions.append((column, "in", values))
    try:
        table = pq.read_table(path, filters=expressions or None, schema=ARROW_SCHEMA)
    except (OSError, pa.ArrowInvalid) as error:
        raise StoreError(
            f"{path}: unreadable ({error}); rebuild with `python -m etl build`"
        ) from error
    return table.to_pandas(date_as_object=False)
