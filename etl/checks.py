"""Checks the sources' parse() functions share: a JSON object at the top, a unique key."""

import json
from typing import Any

import pandas as pd

from etl.errors import SourceError
from labourmarket.schema import KEY


def check_unique_key(frame: pd.DataFrame, source: str, location: str) -> None:
    """Raise SourceError naming one duplicated key when two parsed rows share it."""
    duplicated = frame[frame.duplicated(KEY, keep=False)]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        shown = ", ".join(f"{column}={first[column]!r}" for column in KEY)
        raise SourceError(source, location, f"{len(duplicated)} rows share a key, e.g. {shown}")


def read_json_object(raw: bytes, source: str, location: str) -> dict[str, Any]:
    """Decode an upstream JSON answer (a byte-order mark allowed) that must be an object."""
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise SourceError(source, location, f"not UTF-8 at byte {error.start}") from error
    except json.JSONDecodeError as error:
        raise SourceError(source, location, f"not JSON ({error})") from error
    if not isinstance(document, dict):
        raise SourceError(source, location, f"top level is {type(document).__name__}, not object")
    return document
