"""Checks the sources' parse() functions share: a JSON object, a unique key, a bad byte's spot."""

import json
from typing import Any

import pandas as pd

from etl.errors import SourceError
from labourmarket.core.schema import KEY


def check_unique_key(
    frame: pd.DataFrame, source: str, location: str, first_line: int | None = None
) -> None:
    """Raise SourceError naming one duplicated key when two parsed rows share it.

    first_line: the file line of the frame's row 0 (a CSV read into a default index), so the
    message can name the two lines.
    """
    duplicated = frame[frame.duplicated(KEY, keep=False)]
    if duplicated.empty:
        return
    first = duplicated.iloc[0]
    shown = ", ".join(f"{column}={first[column]!r}" for column in KEY)
    if first_line is not None:
        keys = duplicated[KEY].astype(str).agg("|".join, axis=1)
        twins = keys.index[keys == keys.iloc[0]][:2]
        lines = " and ".join(str(int(index) + first_line) for index in twins)
        raise SourceError(source, f"{location}, lines {lines}", f"the same key: {shown}")
    raise SourceError(source, location, f"{len(duplicated)} rows share a key, e.g. {shown}")


def locate_byte(raw: bytes, offset: int) -> str:
    """Name a byte offset as a person finds it in an editor: line and character, 1-based."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    before = raw[line_start:offset].decode("utf-8-sig", errors="replace")
    line = raw.count(b"\n", 0, offset) + 1
    return f"line {line}, character {len(before) + 1}"


def read_json_object(raw: bytes, source: str, location: str) -> dict[str, Any]:
    """Decode an upstream JSON answer (a byte-order mark allowed) that must be an object."""
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        spot = locate_byte(raw, error.start)
        raise SourceError(source, location, f"not UTF-8 at byte {error.start} ({spot})") from error
    except json.JSONDecodeError as error:
        raise SourceError(source, location, f"not JSON ({error})") from error
    if not isinstance(document, dict):
        raise SourceError(source, location, f"top level is {type(document).__name__}, not object")
    return document
