"""`python -m etl raw set-aside FILE`: move a raw file out of the build's way, provenance kept."""

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from etl.errors import SourceError
from etl.raw import PROVENANCE_SUFFIX, name_sidecar, sync_directory
from labourmarket.core import paths

SET_ASIDE_DIR = "_set_aside"  # under data/raw; no source is called that, so the build skips it
NOTE_FILE = "set-aside.json"


@dataclass(frozen=True)
class SetAside:
    """One raw file set aside: where it lies now and what its note says."""

    folder: Path
    note: dict[str, Any]


def set_aside_dir() -> Path:
    return paths.raw_dir() / SET_ASIDE_DIR


def resolve_raw_file(text: str, sources: list[str]) -> Path:
    """The data file FILE names: a path, or `raw/<source>/<file>` as the build's messages print.

    A sidecar names its data file; a file outside data/raw/<source>/ is refused.
    """
    given = Path(text).expanduser()
    candidates = [given, paths.data_dir() / given, paths.raw_dir() / given]
    path = next((c for c in candidates if c.is_file()), None)
    if path is None:
        raise SourceError("raw", text, f"no such file under {paths.raw_dir()}")
    path = path.resolve()
    if path.parent.parent != paths.raw_dir().resolve() or path.parent.name not in sources:
        raise SourceError(
            "raw",
            text,
            f"not a raw file: set aside only files in {paths.raw_dir()}/<source>/"
            f" ({', '.join(sources)})",
        )
    if path.name.endswith(PROVENANCE_SUFFIX):
        try:
            named = json.loads(path.read_text(encoding="utf-8"))["file"]
        except (OSError, ValueError, KeyError, TypeError):
            named = path.name.removesuffix(PROVENANCE_SUFFIX)
        data = path.with_name(str(named))
        return data if data.exists() else path
    return path


def find_sidecar(data: Path) -> Path | None:
    """The sidecar that names this data file (by its usual name, or any that says so)."""
    usual = data.with_name(name_sidecar(data.name))
    for sidecar in [usual, *sorted(data.parent.glob(f"*{PROVENANCE_SUFFIX}"))]:
        try:
            if sidecar.exists() and json.loads(sidecar.read_text("utf-8")).get("file") == data.name:
                return sidecar
        except (OSError, ValueError, AttributeError):
            continue
    return None


def set_aside(data: Path, reason: str) -> SetAside:
    """Move data (and its sidecar) to data/raw/_set_aside/<source>/<time>/ with a note."""
    source = data.parent.name
    sidecar = None if data.name.endswith(PROVENANCE_SUFFIX) else find_sidecar(data)
    now = datetime.now(UTC).replace(microsecond=0)
    folder = set_aside_dir() / source / f"{now:%Y%m%dT%H%M%SZ}-{data.stem}"
    folder.mkdir(parents=True)
    note = {
        "file": data.name,
        "sidecar": sidecar.name if sidecar else None,
        "set_aside_at": now.isoformat().replace("+00:00", "Z"),
        "from": data.parent.relative_to(paths.data_dir()).as_posix(),
        "reason": reason,
        "put_back": f"move both files back into {data.parent} and run `python -m etl build`",
    }
    (folder / NOTE_FILE).write_text(json.dumps(note, ensure_ascii=False, indent=2) + "\n", "utf-8")
    # The sidecar first: a kill between the two moves leaves a file without a sidecar, which
    # the build names and leaves out, never a sidecar without its file, which stops it.
    if sidecar:
        os.replace(sidecar, folder / sidecar.name)
    os.replace(data, folder / data.name)
    # Both ends of the moves, and the folders mkdir may just have made, survive a power cut.
    for directory in (data.parent, *list_new_parents(folder)):
        sync_directory(directory)
    return SetAside(folder, note)


def list_new_parents(folder: Path) -> list[Path]:
    """folder and each folder above it up to data/raw: the set-aside move may have made them."""
    raw = paths.raw_dir()
    return [
        folder,
        *[parent for parent in folder.parents if raw in parent.parents or parent == raw],
    ]


def list_set_aside() -> list[SetAside]:
    """Every set-aside file with its note, oldest first."""
    found = []
    for note_path in sorted(set_aside_dir().glob(f"*/*/{NOTE_FILE}")):
        try:
            note = json.loads(note_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            note = {"file": note_path.parent.name, "reason": "(unreadable note)"}
        found.append(SetAside(note_path.parent, note if isinstance(note, dict) else {}))
    return found
