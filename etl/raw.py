"""Save exact upstream bytes under data/raw/<source>/ with their provenance sidecar, atomically."""

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from etl.http import Fetched
from labourmarket.core import paths

PROVENANCE_SUFFIX = ".provenance.json"


def create_fetch_id(source: str) -> str:
    """One id for all files of one fetch: the build treats them as one retrieval."""
    return f"{source}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class RawItem:
    """One response to keep: its file name, its bytes and what the sidecar adds."""

    name: str
    fetched: Fetched
    extra: dict[str, Any] = field(default_factory=dict)


def describe_provenance(item: RawItem, fetch_id: str) -> str:
    fetched = item.fetched
    provenance = {
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
    return json.dumps(provenance, ensure_ascii=False, indent=2) + "\n"


def save_raw_batch(source: str, items: list[RawItem]) -> list[Path]:
    """Save one fetch's responses with their sidecars, staged so a failure lands nothing.

    Everything is first written into a hidden staging folder (the build ignores it); only then
    are the data files moved in, and the sidecars last: the build reads raw files through
    their sidecars, so no listed file is ever half there.
    """
    directory = paths.raw_dir() / source
    fetch_id = create_fetch_id(source)
    staging = directory / f".incoming-{fetch_id}"
    staging.mkdir(parents=True)
    try:
        sidecars = []
        for item in items:
            (staging / item.name).write_bytes(item.fetched.content)
            sidecar = f"{Path(item.name).stem}{PROVENANCE_SUFFIX}"
            (staging / sidecar).write_text(describe_provenance(item, fetch_id), encoding="utf-8")
            sidecars.append(sidecar)
        for path in staging.iterdir():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        for item in items:
            os.replace(staging / item.name, directory / item.name)
        for sidecar in sidecars:
            os.replace(staging / sidecar, directory / sidecar)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [directory / item.name for item in items]
