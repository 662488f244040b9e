"""The offline build: data/raw -> parse -> normalise -> validate -> atomic write of data/clean."""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from etl import changes
from etl.errors import SourceError
from etl.lock import hold_etl_lock
from etl.raw import PROVENANCE_SUFFIX
from etl.sources import (
    Source,
    af_tidsserier,
    arbetsformedlingen,
    kolada,
    kolada_groups,
    scb,
    scb_snapshot,
    seed,
)
from labourmarket.core import paths
from labourmarket.core.catalog import Catalog, load_catalog
from labourmarket.core.periods import parse_period
from labourmarket.core.schema import (
    COLUMNS,
    COUNT_COLUMNS,
    KEY,
    NUMBER_COLUMNS,
    repeat_category,
    validate,
)

# The one registry of sources: the build parses each one's data/raw folder in this order, and
# `python -m etl fetch` offers each fetcher. A later source may not repeat an earlier one's key
# (validation says so).
SOURCES: tuple[Source, ...] = (
    Source(seed.SOURCE, seed.parse),
    Source(scb_snapshot.SOURCE, scb_snapshot.parse),
    Source(kolada.SOURCE, kolada.parse, kolada.FETCHER),
    Source(scb.SOURCE, scb.parse, scb.FETCHER),
    Source(arbetsformedlingen.SOURCE, arbetsformedlingen.parse, af_tidsserier.FETCHER),
    # Reference data, not figures: the build only checks its pages parse (core/peers.py reads
    # them); `etl update` fetches them with the figures.
    Source(kolada_groups.SOURCE, kolada_groups.parse_for_build, kolada_groups.FETCHER),
)
REQUIRED_PROVENANCE = ("file", "sha256", "source_id", "retrieved_at")


@dataclass(frozen=True)
class RawFile:
    source: Source
    path: Path
    provenance: dict[str, Any]


def read_provenance(source: Source, sidecar: Path) -> dict[str, Any]:
    """Read a sidecar and check the fields every build step relies on."""
    try:
        provenance = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SourceError(source.name, str(sidecar), f"unreadable provenance: {error}") from error
    if not isinstance(provenance, dict):
        raise SourceError(source.name, str(sidecar), "provenance is not a JSON object")
    missing = [key for key in REQUIRED_PROVENANCE if not provenance.get(key)]
    if missing:
        raise SourceError(source.name, str(sidecar), f"provenance lacks {', '.join(missing)}")
    try:
        retrieved_at = pd.Timestamp(str(provenance["retrieved_at"]))
    except ValueError as error:
        raise SourceError(source.name, str(sidecar), f"retrieved_at: {error}") from error
    if retrieved_at.tzinfo is None:
        raise SourceError(source.name, str(sidecar), "retrieved_at needs a time zone (…Z)")
    return provenance


def find_raw_files(raw_dir: Path) -> list[RawFile]:
    """Find every raw file through its provenance sidecar, in source order then name order.

    A file without a sidecar is an error, not skipped: its origin is unknown.
    """
    found = []
    for source in SOURCES:
        directory = raw_dir / source.name
        listed = set()
        for sidecar in sorted(directory.glob(f"*{PROVENANCE_SUFFIX}")):
            provenance = read_provenance(source, sidecar)
            found.append(RawFile(source, directory / provenance["file"], provenance))
            listed |= {sidecar.name, provenance["file"]}
        strays = sorted(
            p.name
            for p in directory.glob("*")
            if p.is_file() and p.name not in listed and not p.name.startswith(".")
        )
        if strays:
            raise SourceError(source.name, str(directory), f"no provenance for {', '.join(strays)}")
    return found


def read_raw_bytes(raw_file: RawFile) -> bytes:
    """Read a raw file and refuse it if its bytes differ from the checksum recorded on arrival."""
    try:
        raw = raw_file.path.read_bytes()
    except OSError as error:
        raise SourceError(
            raw_file.source.name, str(raw_file.path), f"unreadable: {error}"
        ) from error
    expected = raw_file.provenance.get("sha256")
    actual = hashlib.sha256(raw).hexdigest()
    if expected != actual:
        raise SourceError(
            raw_file.source.name,
            str(raw_file.path),
            f"sha256 {actual} differs from the recorded {expected}: raw files are never edited",
        )
    return raw


def normalise(
    rows: pd.DataFrame, provenance: Mapping[str, Any], text_dtype: str = "string"
) -> pd.DataFrame:
    """Add frequency, period_start and provenance stamps, and give every column its dtype.

    Each distinct period is parsed once. The build asks for text as categoricals: a national
    table repeats a few hundred codes millions of times.
    """
    rows = rows.assign(**{c: np.nan for c in COUNT_COLUMNS if c not in rows})
    period = rows["period"].astype("category")
    parsed = [parse_period(code) for code in period.cat.categories]
    starts = pd.to_datetime(pd.Series([p.start for p in parsed], dtype="object")).to_numpy()
    frame = rows.assign(
        period=period,
        frequency=recode(period, [p.frequency for p in parsed]),
        period_start=starts[period.cat.codes],
        source_id=rows["source_id"] if "source_id" in rows else provenance["source_id"],
        # The Parquet column holds whole seconds; finer stamps would not survive the write.
        retrieved_at=pd.Timestamp(provenance["retrieved_at"]).tz_convert("UTC").floor("s"),
    )
    text_columns = [
        c for c in COLUMNS if c not in ("period_start", "retrieved_at", *NUMBER_COLUMNS)
    ]
    frame = frame.astype(
        {c: text_dtype for c in text_columns} | dict.fromkeys(NUMBER_COLUMNS, "float64")
    )
    return frame[COLUMNS]


def recode(codes: pd.Series, values: list[str]) -> pd.Categorical:
    """Map each category of `codes` to values[i] without touching the rows one by one."""
    uniques = list(dict.fromkeys(values))
    position = {value: index for index, value in enumerate(uniques)}
    lookup = np.array([position[value] for value in values], dtype="int32")
    return pd.Categorical.from_codes(lookup[codes.cat.codes.to_numpy()], categories=uniques)


def concat_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate normalised frames column by column, keeping categoricals categorical.

    pd.concat would turn categoricals with different categories into object columns: slow and
    several times the memory at national scale.
    """
    columns = {}
    for column in frames[0].columns:
        parts = [frame[column] for frame in frames]
        if isinstance(parts[0].dtype, pd.CategoricalDtype):
            # Sources hand over object or str categories; union_categoricals needs one dtype.
            columns[column] = union_categoricals(
                [part.cat.rename_categories(part.cat.categories.astype("str")) for part in parts],
                sort_categories=True,
            )
        else:
            columns[column] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns)


def describe_source(raw_file: RawFile, frame: pd.DataFrame) -> dict[str, Any]:
    keys = ("source_id", "publisher", "publication", "document", "url", "retrieved_at", "sha256")
    return {
        "source": raw_file.source.name,
        "file": raw_file.path.relative_to(paths.data_dir()).as_posix(),
        "rows": len(frame),
        **{k: raw_file.provenance[k] for k in keys if k in raw_file.provenance},
        # A file's rows may name several source_ids (a series across a break): freshness
        # finds each row's raw folder through this list.
        "source_ids": sorted(str(s) for s in frame["source_id"].unique()),
    }


def drop_superseded_rows(observations: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Where different retrievals give the same key, keep the rows of the newest retrieval.

    A bundled snapshot and a later live fetch of the same SCB table overlap by design (SCB
    revises figures); the newer vintage wins. A retrieval is one fetch (its pages share a
    fetch_id) or one file, so duplicates within a fetch stay a validation error.
    """
    # Only a measure that more than one retrieval delivered can have superseded rows.
    batches = observations.groupby("measure_id", observed=True)["batch"].nunique()
    shared = observations["measure_id"].isin(batches.index[batches > 1])
    candidates = observations[shared]
    ordered = candidates.sort_values("retrieved_at", kind="stable")
    newest_batch = ordered.groupby(KEY, dropna=False, observed=True)["batch"].transform("last")
    is_older = pd.Series(False, index=observations.index)
    is_older[shared] = candidates["batch"] != newest_batch.reindex(candidates.index)
    kept = observations[~is_older].drop(columns="batch").reset_index(drop=True)
    return kept, int(is_older.sum())


@hold_etl_lock("build")  # a second build waits: two at once could unlink data/clean
def build(catalog: Catalog | None = None) -> dict[str, Any]:
    """Rebuild the clean store from data/raw; on any error nothing in data/clean changes."""
    catalog = catalog or load_catalog()
    frames, described = [], []
    for raw_file in find_raw_files(paths.raw_dir()):
        raw = read_raw_bytes(raw_file)
        try:
            rows = raw_file.source.parse(raw, raw_file.provenance, catalog)
            frame = normalise(rows, raw_file.provenance, text_dtype="category")
        except (KeyError, ValueError) as error:
            raise SourceError(raw_file.source.name, str(raw_file.path), str(error)) from error
        # Carried to validation, so a failing row names the raw file it came from.
        origin = raw_file.path.relative_to(paths.data_dir()).as_posix()
        frame["raw_file"] = repeat_category(origin, len(frame))
        # One fetch's pages share a fetch_id; anything else is its own retrieval.
        batch = raw_file.provenance.get("fetch_id") or str(raw_file.path)
        frames.append(frame.assign(batch=repeat_category(batch, len(frame))))
        described.append(describe_source(raw_file, frame))
    if not frames:
        raise SourceError("build", str(paths.raw_dir()), "no raw files with provenance found")
    combined = concat_frames(frames)
    frames.clear()  # the parts would double the peak memory of a national build
    observations, superseded = drop_superseded_rows(combined)
    del combined
    validate(observations, catalog, origins=observations.pop("raw_file"))
    return changes.write_clean_with_changes(observations, described, superseded=superseded)
