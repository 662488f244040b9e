"""Arbetsförmedlingen's workbooks -> canonical rows: each layout told by its content, not its name.

- a pivot workbook whose cache holds PERIOD, LAN, KOM and xxSOK/xxAK counts: the andel files
  (af_andel), registerbaserad (reg) or BAS labour force;
- a pivot workbook whose cache holds PERIOD, KOEN, INSAL, UA06, UA12, UA24: web-tid-riket (af_tid);
- a workbook with sheets headed PERIOD, LÄN, KOMMUN, ARBETSLÖSA, "Utan arbete mer än 6
  månader", ...: the time-without-work file per kommun (af_tid);
- anything else: a sheet table with a header row and share columns, incl. the older one-region
  download (af_sheet).
"""

import hashlib
import re
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from etl.errors import SourceError, describe_os_error
from etl.pivot_cache import PivotCache, PivotCacheError, list_pivot_caches, read_records
from etl.progress import Stage, skip_stage
from etl.raw import (
    NewRawFile,
    check_before_landing,
    create_fetch_id,
    land_files,
    name_sidecar,
)
from etl.sources import af_andel, af_sheet, af_tid
from etl.sources.af_archive import (
    MAX_FILE_BYTES,
    XLSX_MAGIC,
    check_size,
    open_workbook,
    read_title_text,
)
from etl.sources.af_period import read_file_month
from labourmarket.core import paths
from labourmarket.core.catalog import Catalog
from labourmarket.core.store import hash_file

SOURCE = "arbetsformedlingen"
SOURCE_ID = "af_statistik"
PUBLISHER = "Arbetsförmedlingen"
SHORT_HASH_LENGTH = 12
NAME_HINTS = {"andel-av-bas": af_andel.BAS_MEASURE, "andel-av-reg": af_andel.REG_MEASURE}
LAST_PARSED: dict[tuple[str, str | None, str | None, str | None], pd.DataFrame] = {}
SAYS_BAS = re.compile(r"\bBAS\b")
SAYS_REG = re.compile(r"registerbaserad", re.IGNORECASE)


def read_name_hint(file_names: list[str]) -> str | None:
    """The measure AF's file name names (`…-andel-av-bas-…`, `…-andel-av-reg-…`), if any."""
    for name in file_names:
        for part, measure in NAME_HINTS.items():
            if part in name:
                return measure
    return None


def choose_andel_measure(
    archive: zipfile.ZipFile, records: pd.DataFrame, file_names: list[str]
) -> str:
    """BAS or registerbaserad arbetskraft: the title says, else the denominators tell.

    BAS labour force is an average over the year, so its counts carry decimals; the
    registerbaserad arbetskraft is a head count. The file name is the last resort. A title
    naming both ("… registerbaserade arbetskraften (jämför BAS)") says neither: then only
    decimals or the file name decide, never the default.
    """
    title = read_title_text(archive)
    says_bas, says_reg = bool(SAYS_BAS.search(title)), bool(SAYS_REG.search(title))
    if says_bas != says_reg:
        return af_andel.BAS_MEASURE if says_bas else af_andel.REG_MEASURE
    denominators = pd.to_numeric(records["TOTAK"], errors="coerce").dropna()
    if len(denominators) and (denominators % 1 != 0).any():
        return af_andel.BAS_MEASURE
    hinted = read_name_hint(file_names)
    if hinted is not None:
        return hinted
    if says_bas and says_reg:
        raise SourceError(
            SOURCE,
            file_names[0],
            "the title names both the registerbaserad arbetskraft and BAS and the counts are"
            " whole numbers: cannot tell which labour-force definition the shares use",
        )
    if len(denominators):
        return af_andel.REG_MEASURE
    raise SourceError(
        SOURCE,
        file_names[0],
        "cannot tell the labour-force definition: neither the title nor the counts say BAS or"
        " registerbaserad arbetskraft",
    )


def describe_cache(cache: PivotCache) -> str:
    return ", ".join(field.name for field in cache.database_fields)


def parse_pivot_caches(
    archive: zipfile.ZipFile,
    caches: list[PivotCache],
    file_names: list[str],
    regions: pd.DataFrame,
) -> list[pd.DataFrame]:
    """Every recognised cache's rows; a workbook with no recognised cache yields none."""
    frames = []
    for cache in caches:
        names = [field.name for field in cache.database_fields]
        where = f"{file_names[0]}, {cache.definition_part}"
        file_month = read_file_month(file_names[0])
        if af_andel.is_andel_cache(names):
            records = read_records(archive, cache)
            measure_id = choose_andel_measure(archive, records, file_names)
            frames.append(af_andel.parse_records(records, measure_id, regions, where, file_month))
        elif af_tid.is_riket_cache(names):
            records = read_records(archive, cache)
            frames.append(af_tid.parse_riket_records(records, where, file_month))
    return frames


def parse_workbook(
    raw: bytes, file_names: list[str], regions: pd.DataFrame, region_code: str | None
) -> pd.DataFrame:
    file_name = file_names[0]
    with open_workbook(raw, file_name) as archive:
        try:
            caches = list_pivot_caches(archive)
            frames = parse_pivot_caches(archive, caches, file_names, regions)
        except PivotCacheError as error:
            raise SourceError(SOURCE, f"{file_name}, {error.location}", error.detail) from error
        except zipfile.BadZipFile as error:
            raise SourceError(SOURCE, file_name, f"a damaged zip archive: {error}") from error
        if frames:
            return pd.concat(frames, ignore_index=True)
    if not caches and af_tid.is_tid_workbook(raw):
        return af_tid.parse_kommun_workbook(raw, file_name, regions)
    try:
        return af_sheet.parse(raw, file_name, regions, region_code)
    except SourceError as error:
        if not caches:
            raise
        found = "; ".join(f"{cache.definition_part}: {describe_cache(cache)}" for cache in caches)
        raise SourceError(
            SOURCE,
            file_name,
            f"a pivot workbook whose caches are not AF's andel or time-without-work layout"
            f" ({found}), and no sheet layout either: {error.detail}",
        ) from error


def parse(raw: bytes, provenance: Mapping[str, Any], catalog: Catalog) -> pd.DataFrame:
    """A raw AF file (as saved with its sidecar) -> canonical rows with counts where given.

    `import` parses a file (errors name the file as downloaded), then checks it as the build
    would, which asks for the same bytes again (seconds for a national workbook): the last
    result is kept, keyed by the bytes. The build after takes the check's rows, not these.
    """
    names = [str(provenance["file"]), str(provenance.get("original_name", ""))]
    # The names also bound the months a file may hold (af_period): part of the key.
    key = (
        hashlib.sha256(raw).hexdigest(),
        provenance.get("region_code"),
        read_name_hint(names),
        read_file_month(names[0]),
    )
    if key not in LAST_PARSED:
        LAST_PARSED.clear()
        LAST_PARSED[key] = parse_file(raw, provenance, catalog)
    return LAST_PARSED[key]


def parse_file(raw: bytes, provenance: Mapping[str, Any], catalog: Catalog) -> pd.DataFrame:
    file_names = [str(provenance["file"])]
    if provenance.get("original_name"):
        file_names.append(str(provenance["original_name"]))
    region_code = provenance.get("region_code")
    check_size(len(raw), file_names[0])
    if raw.startswith(XLSX_MAGIC):
        return parse_workbook(raw, file_names, catalog.regions, region_code)
    return af_sheet.parse(raw, file_names[0], catalog.regions, region_code)


def check_file(
    raw: bytes, file_name: str, catalog: Catalog, region_code: str | None = None
) -> pd.DataFrame:
    """Parse a file before it lands in data/raw: one that the build could not read never lands."""
    return parse(raw, {"file": file_name, "region_code": region_code}, catalog)


def read_download(path: Path) -> bytes:
    """Read at most one byte over the size limit: a huge file or a device is never read in full."""
    try:
        if not path.is_file():
            raise SourceError(SOURCE, str(path), "not a file")
        check_size(path.stat().st_size, str(path))
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise SourceError(SOURCE, str(path), f"unreadable: {describe_os_error(error)}") from error
    check_size(len(raw), str(path))
    return raw


def name_raw_file(original: Path, raw: bytes, is_workbook: bool) -> str:
    """Original stem + short sha256: the same bytes always land under the same name."""
    stem = re.sub(r"[^\w.-]+", "_", original.stem).strip("._") or "af"
    digest = hashlib.sha256(raw).hexdigest()[:SHORT_HASH_LENGTH]
    return f"{stem[:80]}-{digest}{'.xlsx' if is_workbook else '.csv'}"


def import_file(
    path: Path, catalog: Catalog, region_code: str | None = None, stage: Stage = skip_stage
) -> Path:
    """Check a downloaded file as the build would, then keep its exact bytes and provenance.

    Arbetsförmedlingen has no API for these figures and its download URLs change with every
    release, so a user may download the file and this is its way into data/raw. A file the
    build would refuse never lands (etl/raw.py land_files: no file without its sidecar).
    """
    raw = read_download(path)
    stage(f"parse {path.name} ({len(raw) / 1e6:.1f} MB)")
    check_file(raw, path.name, catalog, region_code)
    name = name_raw_file(path, raw, raw.startswith(XLSX_MAGIC))
    directory = paths.raw_dir() / SOURCE
    target = directory / name
    sha256 = hashlib.sha256(raw).hexdigest()
    # Re-importing the same bytes keeps the first import's sidecar and time.
    if (
        (directory / name_sidecar(name)).exists()
        and target.exists()
        and hash_file(target) == sha256
    ):
        return target
    provenance = {
        "file": name,
        "sha256": sha256,
        "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "original_name": path.name,
        "imported_from": str(path.resolve()),
        "source_id": SOURCE_ID,
        "publisher": PUBLISHER,
        "note": (
            "Downloaded by a user from Arbetsförmedlingen's statistics pages and imported"
            " unchanged; retrieved_at is the time of import."
        ),
    }
    if region_code is not None:
        provenance["region_code"] = region_code
    new_file = NewRawFile(name, raw, provenance, str(path))
    stage("check as the build would")
    check_before_landing(SOURCE, [new_file])
    # The check keeps the normalised rows for the build (etl/pipeline.py CHECKED): the parsed
    # ones need not stay in memory beside them.
    LAST_PARSED.clear()
    stage(f"save under {directory}")
    land_files(SOURCE, [new_file], create_fetch_id(SOURCE))
    return target
