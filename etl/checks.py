"""The check every parse() ends with: its rows' key is unique, or the source stops."""

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
