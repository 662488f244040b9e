"""Save exact upstream bytes under data/raw/<source>/ with their provenance sidecar, atomically."""

import hashlib
import json
from pathlib import Path
from typing import Any

from etl.http import Fetched
from labourmarket import paths
from labourmarket.store import write_bytes_atomic

PROVENANCE_SUFFIX = ".provenance.json"


def save_raw(source: str, name: str, fetched: Fetched, **extra: Any) -> Path:
    """Write the bytes, then the sidecar naming URL, status, time and checksum; return the path.

    The sidecar is written last: the build reads raw files through sidecars, so a crash between
    the two writes leaves an unlisted file, never a listed half one.
    """
    directory = paths.raw_dir() / source
    path = directory / name
    write_bytes_atomic(path, lambda temp: temp.write_bytes(fetched.content))
    provenance = {
        "file": name,
        "sha256": hashlib.sha256(fetched.content).hexdigest(),
        "method": fetched.method,
        "url": fetched.url,
        "request_body": fetched.request_body,
        "http_status": fetched.status,
        "content_type": fetched.content_type,
        "retrieved_at": fetched.retrieved_at.isoformat().replace("+00:00", "Z"),
        **extra,
    }
    text = json.dumps(provenance, ensure_ascii=False, indent=2) + "\n"
    sidecar = directory / f"{Path(name).stem}{PROVENANCE_SUFFIX}"
    write_bytes_atomic(sidecar, lambda temp: temp.write_text(text, encoding="utf-8"))
    return path
