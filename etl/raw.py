"""Save exact upstream bytes under data/raw/<source>/ with their provenance sidecar, atomically."""

import hashlib
import json
import os
import shutil
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from etl.http import Fetched
from labourmarket.core import paths
from labourmarket.core.store import sync_directory

PROVENANCE_SUFFIX = ".provenance.json"
STAGING_PREFIX = ".incoming-"  # being written: a run that finds one left behind deletes it
LANDING_PREFIX = ".landing-"  # complete and committed: a run that finds one finishes moving it


def create_fetch_id(source: str) -> str:
    """One id for all files of one fetch: the build treats them as one retrieval."""
    return f"{source}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class RawItem:
    """One response to keep: its file name, its bytes and what the sidecar adds."""

    name: str
    fetched: Fetched
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NewRawFile:
    """A raw file about to land: its name, exact bytes, provenance, and where it came from."""

    name: str
    content: bytes
    provenance: dict[str, Any]
    origin: str  # the URL or the imported path, for messages

    @property
    def sidecar(self) -> str:
        return name_sidecar(self.name)


def name_sidecar(name: str) -> str:
    return f"{Path(name).stem}{PROVENANCE_SUFFIX}"


def describe_provenance(item: RawItem, fetch_id: str) -> dict[str, Any]:
    fetched = item.fetched
    return {
        "file": item.name,
        "sha256": hashlib.sha256(fetched.content).hexdigest(),
        "method": fetched.method,
        "url": fetched.url,
        "request_body": fetched.request_body,
        "http_status": fetched.status,
        "content_type": fetched.content_type,
        "retrieved_at": fetched.retrieved_at.isoformat().replace("+00:00", "Z"),
        "fetch_id": fetch_id,
        **item.extra,
    }


def format_provenance(provenance: dict[str, Any]) -> str:
    return json.dumps(provenance, ensure_ascii=False, indent=2) + "\n"


def check_before_landing(source: str, files: Sequence[NewRawFile]) -> None:
    """Parse, normalise and validate new files as the build would: a refusal lands nothing."""
    # etl.pipeline imports this module (and every source does): imported here, not at the top.
    from etl import pipeline

    pipeline.check_new_files(source, files)


def save_raw_batch(source: str, items: list[RawItem]) -> list[Path]:
    """Check one fetch's responses as the build would, then land them with their sidecars.

    A response the build would refuse (a value out of bounds, a record two pages repeat, a
    period that does not exist) raises here, before anything is written.
    """
    fetch_id = create_fetch_id(source)
    files = []
    for item in items:
        provenance = describe_provenance(item, fetch_id)
        files.append(NewRawFile(item.name, item.fetched.content, provenance, item.fetched.url))
    check_before_landing(source, files)
    return land_files(source, files, fetch_id)


def land_files(source: str, files: Sequence[NewRawFile], batch_id: str) -> list[Path]:
    """Land files and sidecars so that no crash or full disk leaves a file without its sidecar.

    Everything is written into a hidden staging folder first (the build ignores it; a full disk
    fails there, and the folder is removed). One rename of that folder commits the batch; the
    files are then moved in, each data file before its sidecar. A kill after the commit leaves
    a hidden landing folder that the next ETL run finishes moving (finish_landings) before it
    reads data/raw; a kill before it leaves only staging debris, which that run deletes.
    """
    # An earlier batch left half-moved must land first, or it would later overwrite this one.
    finish_landings(paths.raw_dir())
    directory = paths.raw_dir() / source
    staging = directory / f"{STAGING_PREFIX}{batch_id}"
    staging.mkdir(parents=True)
    try:
        for file in files:
            (staging / file.name).write_bytes(file.content)
            text = format_provenance(file.provenance)
            (staging / file.sidecar).write_text(text, encoding="utf-8")
        for path in staging.iterdir():
            path.chmod(0o644)  # the app may run as another user than the ETL
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        landing = directory / f"{LANDING_PREFIX}{batch_id}"
        os.replace(staging, landing)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    sync_directory(directory)
    order = [name for file in files for name in (file.name, file.sidecar)]
    move_landed(landing, order)
    return [directory / file.name for file in files]


def move_landed(landing: Path, order: Sequence[str]) -> None:
    """Move a committed batch's files into place (data before sidecar), then drop its folder.

    Safe to repeat after a crash: a file already moved is no longer in the folder.
    """
    for name in order:
        path = landing / name
        if path.exists():
            os.replace(path, landing.parent / name)
    sync_directory(landing.parent)
    shutil.rmtree(landing)


def order_landed(names: Sequence[str]) -> list[str]:
    """Data files before sidecars, as land_files moves them."""
    return sorted(names, key=lambda name: (name.endswith(PROVENANCE_SUFFIX), name))


def finish_landings(
    raw_dir: Path, tell: Callable[[str], None] = lambda line: print(line, file=sys.stderr)
) -> None:
    """Finish what an interrupted import or fetch left: committed batches land, staging goes.

    Call only while holding the ETL lock (etl/lock.py): a staging folder seen then is debris
    of a killed run, never another run's work in progress.
    """
    for landing in sorted(raw_dir.glob(f"*/{LANDING_PREFIX}*")):
        if landing.is_dir():
            move_landed(landing, order_landed([path.name for path in landing.iterdir()]))
            where = f"{landing.parent.name}/{landing.name}"
            tell(f"note: finished landing {where}, which an interrupted run had left.")
    for staging in sorted(raw_dir.glob(f"*/{STAGING_PREFIX}*")):
        if staging.is_dir():
            shutil.rmtree(staging, ignore_errors=True)


def list_pending_landings(raw_dir: Path) -> set[Path]:
    """Where a committed batch's files go that an interrupted run left unmoved (read-only).

    The files still in a landing folder, and the data files its sidecars name (one may already
    be in place, its sidecar not yet): the next run holding the lock moves them in.
    """
    pending = set()
    for landing in raw_dir.glob(f"*/{LANDING_PREFIX}*"):
        if not landing.is_dir():
            continue
        for path in landing.iterdir():
            pending.add(landing.parent / path.name)
            if path.name.endswith(PROVENANCE_SUFFIX):
                try:
                    pending.add(landing.parent / str(json.loads(path.read_text("utf-8"))["file"]))
                except (OSError, ValueError, KeyError, TypeError):
                    continue
    return pending
