"""The offline build: data/raw -> parse -> normalise -> validate -> atomic write of data/clean."""

import hashlib
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from etl import changes
from etl.errors import SourceError, describe_os_error
from etl.lock import hold_etl_lock
from etl.raw import PROVENANCE_SUFFIX, NewRawFile, finish_landings, list_pending_landings
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
from labourmarket.core import paths, store
from labourmarket.core.catalog import Catalog, load_catalog
from labourmarket.core.periods import parse_period
from labourmarket.core.schema import (
    COLUMNS,
    COUNT_COLUMNS,
    KEY,
    NUMBER_COLUMNS,
    CheckFailure,
    ValidationError,
    repeat_category,
    select_duplicate_keys,
    select_mixed_frequencies,
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
# Frames a check before saving has parsed and normalised, for the build right after to take
# instead of parsing the same bytes again; keyed by the file's sha256 and its provenance.
CHECKED: dict[tuple[str, str], pd.DataFrame] = {}
CLEAN_ORIGIN = "data/clean"  # where the rows a check before saving compares against come from


@dataclass(frozen=True)
class RawFile:
    source: Source
    path: Path
    provenance: dict[str, Any]
    sidecar: Path | None = None


def read_provenance(source: Source, sidecar: Path) -> dict[str, Any]:
    """Read a sidecar and check the fields every build step relies on."""
    try:
        provenance = json.loads(sidecar.read_text(encoding="utf-8"))
    except OSError as error:
        detail = f"unreadable provenance: {describe_os_error(error)}"
        raise SourceError(source.name, str(sidecar), detail) from error
    except json.JSONDecodeError as error:
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


def tell_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def find_raw_files(raw_dir: Path, tell: Callable[[str], None] = tell_stderr) -> list[RawFile]:
    """Find every raw file through its provenance sidecar, in source order then name order.

    A file without a sidecar (left by an older version's interrupted import) is named through
    `tell` and left out: its origin is unknown, and it must not block every later build.
    """
    found, listed = [], set()
    for source in SOURCES:
        for sidecar in sorted((raw_dir / source.name).glob(f"*{PROVENANCE_SUFFIX}")):
            provenance = read_provenance(source, sidecar)
            path = sidecar.parent / provenance["file"]
            found.append(RawFile(source, path, provenance, sidecar))
            listed |= {sidecar, sidecar.parent / provenance["file"]}
    for orphan in list_unlisted(raw_dir, listed):
        tell(describe_orphan(orphan))
    return found


def list_unlisted(raw_dir: Path, listed: set[Path]) -> list[Path]:
    """Files in a source's folder that no sidecar is or names (hidden ones are the ETL's)."""
    return [
        path
        for source in SOURCES
        for path in sorted((raw_dir / source.name).glob("*"))
        if path.is_file() and path not in listed and not path.name.startswith(".")
    ]


def find_orphans(raw_dir: Path) -> list[Path]:
    """Raw files without a provenance sidecar, for `status` and `raw set-aside`.

    A file whose sidecar an interrupted run left in a landing folder is not one: the next run
    holding the lock moves that sidecar in (find_pending_landings names it).
    """
    listed = list_pending_landings(raw_dir)
    for source in SOURCES:
        for sidecar in (raw_dir / source.name).glob(f"*{PROVENANCE_SUFFIX}"):
            listed.add(sidecar)
            try:
                listed.add(sidecar.parent / str(json.loads(sidecar.read_text("utf-8"))["file"]))
            except (OSError, ValueError, KeyError, TypeError):
                continue
    return list_unlisted(raw_dir, listed)


def find_pending_landings(raw_dir: Path) -> list[Path]:
    """Data files in place whose sidecar an interrupted run left in a landing folder."""
    pending = list_pending_landings(raw_dir)
    return [
        path
        for source in SOURCES
        for path in sorted((raw_dir / source.name).glob("*"))
        if path in pending and path.is_file() and not path.name.endswith(PROVENANCE_SUFFIX)
    ]


def describe_orphan(path: Path) -> str:
    shown = display_path(path)
    return (
        f"warning: {path.parent.name}: {shown} has no provenance sidecar (an interrupted import"
        f" or fetch of an older version?), so the build leaves it out; set it aside with"
        f" `python -m etl raw set-aside {shown}` or import the file again."
    )


def display_path(path: Path) -> str:
    """A path under the data tree as `raw/<source>/<file>`; others as given."""
    try:
        return path.relative_to(paths.data_dir()).as_posix()
    except ValueError:
        return str(path)


def read_raw_bytes(raw_file: RawFile) -> bytes:
    """Read a raw file and refuse it if its bytes differ from the checksum recorded on arrival."""
    try:
        raw = raw_file.path.read_bytes()
    except OSError as error:
        # A sidecar whose file is gone will not heal by running again: name the way out.
        sidecar = raw_file.sidecar
        if isinstance(error, FileNotFoundError) and sidecar is not None and sidecar.exists():
            detail = describe_lone_sidecar(sidecar)
        else:
            detail = f"unreadable: {describe_os_error(error)}"
        raise SourceError(raw_file.source.name, str(raw_file.path), detail) from error
    expected = raw_file.provenance.get("sha256")
    actual = hashlib.sha256(raw).hexdigest()
    if expected != actual:
        raise SourceError(
            raw_file.source.name,
            str(raw_file.path),
            f"sha256 {actual} differs from the recorded {expected}: raw files are never edited",
        )
    return raw


def describe_lone_sidecar(sidecar: Path) -> str:
    """Why a sidecar without its data file stops the build, and the command that ends it."""
    shown = display_path(sidecar)
    return (
        f"unreadable: no such file, but its provenance sidecar {shown} is there: put the file"
        f" back, or set the sidecar aside with `python -m etl raw set-aside {shown}`"
    )


def normalise(
    rows: pd.DataFrame, provenance: Mapping[str, Any], text_dtype: str = "string"
) -> pd.DataFrame:
    """Add frequency, period_start and provenance stamps, and give every column its dtype.

    Each distinct period is parsed once. The build asks for text as categoricals: a national
    table repeats a few hundred codes millions of times.
    """
    rows = rows.assign(**{c: np.nan for c in COUNT_COLUMNS if c not in rows})
    period = rows["period"].astype("category")
    parsed = [read_period(code) for code in period.cat.categories]
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


def read_period(code: Any) -> Any:
    """parse_period, with the refused code in the message (`year 0 is out of range` says little)."""
    try:
        return parse_period(code)
    except ValueError as error:
        raise ValueError(f"period {code!r} does not exist: {error}") from error


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


def read_frame(
    source: Source, raw: bytes, provenance: Mapping[str, Any], catalog: Catalog, location: str
) -> pd.DataFrame:
    """One raw file -> its normalised rows, as the build reads it; errors name the location."""
    try:
        rows = source.parse(raw, provenance, catalog)
        return normalise(rows, provenance, text_dtype="category")
    except (KeyError, ValueError) as error:
        raise SourceError(source.name, location, str(error)) from error


def key_checked(raw: bytes, provenance: Mapping[str, Any]) -> tuple[str, str]:
    text = json.dumps(provenance, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw).hexdigest(), text


def check_new_files(source_name: str, files: Sequence[NewRawFile]) -> None:
    """Refuse new raw files the build would refuse, before any is saved.

    The same parse, normalise and checks as build() (unique key, codes, periods, bounds), over
    the new files together (the pages of one fetch must not repeat a record). What passes is
    kept in CHECKED, so the build right after does not parse the same bytes again.
    """
    source = next((s for s in SOURCES if s.name == source_name), None)
    if source is None or not files:
        return  # not in the registry: nothing to check it against
    catalog = load_catalog()
    CHECKED.clear()
    frames = []
    for file in files:
        frame = read_frame(source, file.content, file.provenance, catalog, file.origin)
        frames.append(frame.assign(raw_file=repeat_category(file.origin, len(frame))))
    observations = concat_frames(frames)
    origins = observations.pop("raw_file")
    try:
        validate(observations, catalog, origins=origins)
    except ValidationError as error:
        raise describe_refusal(source_name, error, origins) from error
    check_against_clean(source_name, observations, origins, catalog)
    for file, frame in zip(files, frames, strict=True):
        CHECKED[key_checked(file.content, file.provenance)] = frame.drop(columns="raw_file")


def check_against_clean(
    source_name: str, new: pd.DataFrame, origins: pd.Series, catalog: Catalog
) -> None:
    """Refuse new rows that pass alone but not next to data/clean's rows of their measures.

    The build's checks across files: a measure keeps one frequency, and its key stays unique
    once the newer retrieval supersedes older rows (drop_superseded_rows).
    """
    try:
        clean = store.read_observations({"measure_id": sorted(new["measure_id"].unique())})
    except store.StoreError:
        return  # nothing built yet: the new files are all the build has of these measures
    if clean.empty:
        return
    combined = concat_frames(
        [
            clean[COLUMNS].assign(
                raw_file=repeat_category(CLEAN_ORIGIN, len(clean)),
                batch=repeat_category(CLEAN_ORIGIN, len(clean)),
            ),
            new.assign(raw_file=origins, batch=repeat_category("new", len(new))),
        ]
    )
    kept, _ = drop_superseded_rows(combined)
    is_new = kept["raw_file"] != CLEAN_ORIGIN
    mixed = select_mixed_frequencies(kept, catalog)
    if not mixed.empty:
        measure = mixed["measure_id"].iloc[0]
        rows = mixed[mixed["measure_id"] == measure]
        held = sorted(rows.loc[~is_new[rows.index], "frequency"].astype(str).unique())
        added = sorted(set(rows.loc[is_new[rows.index], "frequency"].astype(str)) - set(held))
        description = (
            f"data/clean holds this measure as {', '.join(held)}, these rows as"
            f" {', '.join(added)}: one measure holds more than one frequency"
        )
        failing = rows[is_new[rows.index] & ~rows["frequency"].isin(held)]
        failure = CheckFailure("mixed_frequency", description, failing)
        raise describe_refusal(source_name, ValidationError([failure]), kept["raw_file"])
    duplicates = select_duplicate_keys(kept, catalog)
    if not duplicates.empty:
        failing = duplicates[is_new[duplicates.index]]
        description = "key is not unique next to the rows in data/clean"
        failure = CheckFailure("duplicate_key", description, failing)
        raise describe_refusal(source_name, ValidationError([failure]), kept["raw_file"])


def describe_refusal(source: str, error: ValidationError, origins: pd.Series) -> SourceError:
    """The first failing check of new files as one sentence naming the file or URL and row."""
    failure = error.failures[0]
    index = failure.rows.index[0]
    row = failure.rows.iloc[0]
    cells = ", ".join(f"{c} {str(row[c])!r}" for c in KEY if c in failure.rows.columns)
    if "value" in failure.rows.columns:
        cells += f", value {float(row['value'])}"
    others = len(failure.rows) - 1
    more = f" (and {others} more row(s))" if others else ""
    return SourceError(
        source,
        str(origins[index]),
        f"the build would refuse the row with {cells}{more}: {failure.description}"
        f" ({failure.check}); nothing was saved",
    )


def take_frame(raw_file: RawFile, raw: bytes, catalog: Catalog) -> pd.DataFrame:
    """The raw file's normalised rows: the check before saving's, or parsed now."""
    checked = CHECKED.pop(key_checked(raw, raw_file.provenance), None)
    if checked is not None:
        return checked
    return read_frame(raw_file.source, raw, raw_file.provenance, catalog, str(raw_file.path))


@hold_etl_lock("build")  # a second build waits: two at once could unlink data/clean
def build(catalog: Catalog | None = None) -> dict[str, Any]:
    """Rebuild the clean store from data/raw; on any error nothing in data/clean changes."""
    catalog = catalog or load_catalog()
    finish_landings(paths.raw_dir())
    frames, described = [], []
    for raw_file in find_raw_files(paths.raw_dir()):
        raw = read_raw_bytes(raw_file)
        frame = take_frame(raw_file, raw, catalog)
        # Carried to validation, so a failing row names the raw file it came from.
        origin = raw_file.path.relative_to(paths.data_dir()).as_posix()
        # One fetch's pages share a fetch_id; anything else is its own retrieval.
        batch = raw_file.provenance.get("fetch_id") or str(raw_file.path)
        frames.append(
            frame.assign(
                raw_file=repeat_category(origin, len(frame)),
                batch=repeat_category(batch, len(frame)),
            )
        )
        described.append(describe_source(raw_file, frame))
    CHECKED.clear()
    if not frames:
        raise SourceError("build", str(paths.raw_dir()), "no raw files with provenance found")
    combined = concat_frames(frames)
    frames.clear()  # the parts would double the peak memory of a national build
    observations, superseded = drop_superseded_rows(combined)
    del combined
    validate(observations, catalog, origins=observations.pop("raw_file"))
    return changes.write_clean_with_changes(observations, described, superseded=superseded)
