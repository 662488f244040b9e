"""SCB Statistikdatabasen tables (PxWebApi 2.0, v1 as fallback) -> exact json-stat2 -> rows."""

import argparse
import csv
import hashlib
import json
import math
import re
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import requests
from tqdm import tqdm

from etl.checks import check_unique_key, read_json_object
from etl.errors import SourceError, describe_os_error
from etl.http import Fetched, HttpError, create_session, request_bytes
from etl.raw import RawItem, save_raw_batch
from etl.sources import Fetcher, resolve_regions
from labourmarket.core import paths
from labourmarket.core.catalog import Catalog, load_catalog
from labourmarket.core.periods import parse_period
from labourmarket.core.schema import PARSED_COLUMNS, repeat_category

SOURCE = "scb"
V2_URL = "https://statistikdatabasen.scb.se/api/v2"
V1_URL = "https://api.scb.se/OV0104/v1/doris/sv/ssd"
# Which ContentsCode of which table feeds which measure, and which age code is the measure's
# whole population, is declared in data/reference/scb_tables.csv. A ContentsCode it leaves empty
# is not known here: it is looked up by its label in the table's own metadata (or in the answer's
# labels when parsing), never guessed. Preliminary tables (TAB6260) are a property of the table
# in SCB's metadata, not a per-cell symbol, so scb_tables.csv marks them and every figure from
# them gets status `provisional`.
#
# A group variable's total is the code the answer names in the dimension's
# `extension.eliminationValueCode`; SCB writes it in data answers that hold the total, not in
# metadata (a real TAB6260 metadata answer has `elimination` only), and v1 metadata has a bare
# `elimination: true` that names no value. The known totals (`1+2`, `tot`, ...) below serve
# answers that name none. Any other code is refused: a person must map it.
#
# A measure's population comes from the table: its Alder code (total_age), or, in a table
# without Alder (the integration tables), the age ranges of its labels ("ålder: 55-65 år"). The
# fetch stops unless measures.csv names exactly that population, so the app never shows an
# assumed one.
REGISTRY_FILE = "scb_tables.csv"
LANGUAGE = "sv"
MAX_CELLS = 150_000  # SCB refuses a data call of more cells than this
MAX_CALLS, CALL_WINDOW = 30, 10.0  # SCB answers 429 beyond 30 calls per 10 seconds
PUBLISHER = "SCB (Statistiska centralbyrån)"
LICENCE = "CC0 1.0"
ATTRIBUTION = "Källa: SCB"

# What `python -m etl fetch scb` and `etl update` fetch without --tables: BAS monthly (every
# region) and the integration tables for kommuner, län and Riket. TAB2948 (final BAS) is asked
# for by name: its ContentsCode has not been seen here.
DEFAULT_TABLES = ("TAB6260", "TAB6383", "TAB6384", "TAB6379")
ALL_REGIONS = "all"  # --regions value: every region the table has

REGION, TIME, CONTENTS, AGE = "Region", "Tid", "ContentsCode", "Alder"
# SCB variable -> (canonical column, SCB code -> canonical code). A code missing here stops the
# parse: a new category must be mapped by a person, not dropped or guessed. The one exception is
# the total an answer names by eliminationValueCode (`TotSa`): it replaces the `total` here.
GROUP_DIMENSIONS: dict[str, tuple[str, dict[str, str]]] = {
    "Kon": ("sex", {"1": "men", "2": "women", "1+2": "total"}),
    "Fodelseregion": (
        "birth_region",
        {"tot": "total", "in": "born_in_sweden", "ut": "foreign_born"},
    ),
    "BakgrVar": (
        "birth_region",
        {"TOT": "total", "SE": "born_in_sweden", "SAMUTF": "foreign_born"},
    ),
    "UtbNiv": (
        "education",
        {
            "000": "total",
            "F": "pre_upper_secondary",
            "3": "upper_secondary",
            "EU": "post_secondary",
            "US": "unknown",
        },
    ),
}
GROUP_COLUMNS = ("sex", "age", "birth_region", "education")
# json-stat2 `status` symbols PxWeb writes for a null value (PX data symbols "." to "......").
# SCB writes ".." for a figure that is missing or too uncertain to publish. "-" (nil) is left
# out on purpose: it means a true zero, which this parser will not invent from a null.
NULL_STATUS = {
    ".": "not_applicable",
    "..": "suppressed",
    "...": "suppressed",
    "....": "suppressed",
    ".....": "suppressed",
    "......": "suppressed",
}
# An age range in a label: "ålder: 55-65 år" (a band), "samtliga 20-64 år" (a whole population).
# Not "vistelsetid 0-1 år": a duration in Sweden, no age.
AGE_LABEL_PATTERN = re.compile(
    r"^(?:(?:ålder)\s*:?\s*|(?P<whole>samtliga|totalt)\s+)?(?P<low>\d{1,3})\s*[-–]\s*"
    r"(?P<high>\d{1,3})\s*år$",
    re.IGNORECASE,
)
AGE_RANGE_IN_TEXT = re.compile(r"(\d{1,3})\s*[-–]\s*(\d{1,3})")
REGION_PATTERN = re.compile(r"^\d{2}(\d{2})?$")
AGE_CODE_PATTERN = re.compile(r"^0*(\d+)-0*(\d+)$")  # SCB writes 60-64 as "060-64"
TABLE_ID_PATTERN = re.compile(r"^TAB\d+$")
REGISTRY_COLUMNS = (
    "table_id",
    "measure_id",
    "contents_code",
    "contents_label",
    "total_age",
    "age_bands",
    "is_preliminary",
    "source_id",
    "path_v1",
    "region_level",
    "note",
)
# A table fetched for one level of region only: three tables feed one integration measure, so a
# region taken from two of them would give the build two rows with one key.
REGION_LEVELS = {
    "riket": re.compile(r"^00$"),
    "lan": re.compile(r"^(?!00)\d{2}$"),
    "kommun": re.compile(r"^\d{4}$"),
}


@dataclass(frozen=True)
class ScbTable:
    """One measure taken from one SCB table (a row of data/reference/scb_tables.csv)."""

    table_id: str
    measure_id: str
    contents_code: str  # "" = not known here: found by contents_label in the table's labels
    contents_label: str  # the label(s) the ContentsCode carries; alternatives split by "|"
    source_id: str
    total_age: str = ""  # the Alder code of the whole population; "" = table has no Alder
    age_bands: tuple[str, ...] = ()  # Alder codes kept as bands; any other age code is dropped
    is_preliminary: bool = False
    path_v1: str = ""  # path under V1_URL; "" = no v1 fallback known
    region_level: str = ""  # "kommun", "lan" or "riket": the only regions fetched; "" = any
    note: str = ""


@dataclass(frozen=True)
class Dataset:
    """A decoded json-stat2 dataset: dimension order, codes in index order, labels, cells."""

    dimension_ids: list[str]
    codes: dict[str, list[str]]
    labels: dict[str, dict[str, str]]
    values: np.ndarray  # float64, NaN where the value is null
    symbols: list[str | None]  # the status symbol of each cell, or None
    totals: dict[str, str]  # dimension -> the code its extension.eliminationValueCode names


@dataclass(frozen=True)
class TableMetadata:
    """The variables of a table as its metadata lists them: code -> {value code: label}."""

    api: str  # "v2" or "v1"
    url: str
    variables: dict[str, dict[str, str]]
    eliminable: dict[str, bool]  # `elimination` per variable: may the query leave it out
    totals: dict[str, str]  # eliminationValueCode per variable, where the metadata names one
    updated: str | None  # the table's `updated` as SCB writes it; None when it names none


class RateLimiter:
    """Let at most `calls` calls start in any `period` seconds; wait() sleeps until one may.

    clock and sleep are injectable so tests can pace with a fake clock in no time.
    """

    def __init__(
        self,
        calls: int = MAX_CALLS,
        period: float = CALL_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.calls, self.period, self.clock, self.sleep = calls, period, clock, sleep
        self.started: deque[float] = deque()

    def wait(self) -> None:
        now = self.forget_old_calls()
        while len(self.started) >= self.calls:
            self.sleep(self.started[0] + self.period - now)
            now = self.forget_old_calls()
        self.started.append(now)

    def forget_old_calls(self) -> float:
        now = self.clock()
        while self.started and self.started[0] <= now - self.period:
            self.started.popleft()
        return now


# SCB counts calls per client, so every fetch in this process shares one limiter.
SHARED_LIMITER = RateLimiter()


def fetch(
    table_id: str,
    regions: Sequence[str] | None,
    periods: Sequence[str] | None,
    session: requests.Session | None = None,
    base_url: str = V2_URL,
    v1_url: str = V1_URL,
    *,
    max_cells: int = MAX_CELLS,
    limiter: RateLimiter | None = None,
    catalog: Catalog | None = None,
) -> list[Path]:
    """Download table_id for regions x periods (None = all the table has) and save exact bytes.

    Reads the table's metadata first (v2; v1 when v2 answers 404), selects every registry
    measure's ContentsCode and the groups the parser can map, confirms each measure's
    population in the table against measures.csv (catalog; default: the data tree's), splits
    the query under max_cells, and checks every answer with parse_table() before writing: a
    failure leaves no files.
    """
    # Load inputs
    tables = find_tables(table_id)
    catalog = catalog or load_catalog()
    session = session or create_session()
    limiter = limiter or SHARED_LIMITER
    metadata = fetch_metadata(session, limiter, tables[0], base_url, v1_url)
    tables = [resolve_table(table, metadata) for table in tables]
    selection = build_selection(metadata, tables, regions, periods)
    population = check_populations(tables, metadata, catalog)
    # Process data
    answers: list[tuple[dict[str, list[str]], Fetched]] = []
    for part in split_selection(selection, max_cells, metadata.url):
        fetched = post_query(session, limiter, metadata, tables[0], part, base_url)
        check_answer(fetched, part, tables)
        answers.append((part, fetched))
    # Save outputs
    return save_raw_batch(
        SOURCE,
        [
            RawItem(
                name_raw_file(table_id, metadata.api, part),
                fetched,
                {
                    "source_id": tables[0].source_id,
                    "table_id": table_id,
                    "api": metadata.api,
                    "metadata_url": metadata.url,
                    "table_updated": metadata.updated,
                    "measure_ids": [table.measure_id for table in tables],
                    "contents_codes": {table.measure_id: table.contents_code for table in tables},
                    "population_from_labels": population,
                    "part": f"{number}/{len(answers)}",
                    "publisher": PUBLISHER,
                    "licence": LICENCE,
                    "attribution_sv": ATTRIBUTION,
                },
            )
            for number, (part, fetched) in enumerate(answers, start=1)
        ],
    )


def describe_remote_version(
    session: requests.Session,
    table_id: str,
    *,
    base_url: str = V2_URL,
    v1_url: str = V1_URL,
    limiter: RateLimiter | None = None,
) -> str | None:
    """The table's `updated` timestamp as SCB states it now, for skipping an unchanged table.

    v2: the top-level `updated` of GET /tables/{id}/metadata (e.g. "2026-08-28T06:00:00Z");
    when v2 answers 404 and the registry knows a v1 path, the `updated` of the table's entry in
    its v1 folder listing. The string is SCB's, unchanged: equal to the one seen at the last
    fetch means nothing new (fetch() records it as `table_updated` in every sidecar). None when
    SCB names no timestamp: the caller cannot skip and must fetch. A failed request raises
    HttpError, an unreadable answer SourceError, as fetch() does.
    """
    table = find_tables(table_id)[0]
    limiter = limiter or SHARED_LIMITER
    url = f"{base_url.rstrip('/')}/tables/{table.table_id}/metadata"
    limiter.wait()
    try:
        fetched = request_bytes(session, "GET", url, params={"lang": LANGUAGE})
    except HttpError as error:
        if error.status != 404 or not table.path_v1:
            raise
        return fetch_v1_updated(session, limiter, table, v1_url)
    return read_updated(load_json(fetched.content, fetched.url), fetched.url)


def read_updated(document: Mapping[str, Any], location: str) -> str | None:
    updated = document.get("updated")
    if updated is None or updated == "":
        return None
    if not isinstance(updated, str):
        raise SourceError(SOURCE, location, f"'updated' {updated!r} is not a text timestamp")
    return updated


def fetch_v1_updated(
    session: requests.Session, limiter: RateLimiter, table: ScbTable, v1_url: str
) -> str | None:
    """v1 table metadata has no `updated`; the folder listing above it has one per table."""
    folder, _, name = table.path_v1.rpartition("/")
    url = f"{v1_url.rstrip('/')}/{folder}"
    limiter.wait()
    fetched = request_bytes(session, "GET", url)
    try:
        listing = json.loads(fetched.content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(SOURCE, fetched.url, f"v1 folder listing unreadable: {error}") from error
    if not isinstance(listing, list):
        raise SourceError(SOURCE, fetched.url, "v1 folder listing is not a list")
    for entry in listing:
        if isinstance(entry, dict) and entry.get("id") == name:
            return read_updated(entry, fetched.url)
    raise SourceError(SOURCE, fetched.url, f"v1 folder listing has no table {name!r}")


def parse_table(raw: bytes, table: ScbTable, *, location: str = "") -> pd.DataFrame:
    """Turn one json-stat2 answer into canonical rows of table's measure.

    Pure: bytes in, rows out. Other ContentsCodes in the answer belong to other measures and are
    left out; so are age codes that are neither the population nor one of its bands.
    """
    location = location or f"{table.table_id} (json-stat2)"
    dataset = read_dataset(raw, location)
    mappings = {
        dimension: map_group_codes(dimension, dataset.totals.get(dimension), location)
        for dimension in dataset.dimension_ids
        if dimension in GROUP_DIMENSIONS
    }
    check_codes(dataset, mappings, location)
    contents_code = resolve_contents_code(dataset.labels.get(CONTENTS), table, location)
    cells = decode_cells(dataset)
    cells = cells[cells[CONTENTS] == contents_code]
    rows = map_cells(cells, dataset.dimension_ids, mappings, table, location)
    check_unique_key(rows, SOURCE, location)
    return rows


def read_registry(path: Path | None = None) -> list[ScbTable]:
    """Read data/reference/scb_tables.csv, checking each row says enough to fetch and parse."""
    path = path or paths.reference_dir() / REGISTRY_FILE
    try:
        with path.open(encoding="utf-8", newline="") as file:
            reader = csv.DictReader(file)
            missing = [c for c in REGISTRY_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise SourceError(SOURCE, str(path), f"missing column(s) {', '.join(missing)}")
            rows = list(reader)
    except OSError as error:
        detail = f"cannot read the registry: {describe_os_error(error)}"
        raise SourceError(SOURCE, str(path), detail) from error
    except UnicodeDecodeError as error:
        raise SourceError(SOURCE, str(path), f"cannot read the registry: {error}") from error
    tables = [read_registry_row(row, f"{path}, line {line}") for line, row in enumerate(rows, 2)]
    seen: set[tuple[str, str]] = set()
    for line, table in enumerate(tables, start=2):
        key = (table.table_id, table.measure_id)
        if key in seen:
            raise SourceError(SOURCE, f"{path}, line {line}", f"{key} is listed twice")
        seen.add(key)
    return tables


def find_tables(table_id: str, path: Path | None = None) -> list[ScbTable]:
    """Return the registry's measures from one table; a table listed nowhere is an error."""
    tables = [table for table in read_registry(path) if table.table_id == table_id]
    if not tables:
        raise SourceError(SOURCE, REGISTRY_FILE, f"table {table_id!r} is not in the registry")
    for field in ("source_id", "path_v1", "region_level"):
        if len({getattr(table, field) for table in tables}) > 1:
            raise SourceError(SOURCE, REGISTRY_FILE, f"{table_id}: rows disagree on {field}")
    return tables


def parse(raw: bytes, provenance: Mapping[str, Any], catalog: Catalog) -> pd.DataFrame:
    """Parse a saved answer for the measures and ContentsCodes its fetch recorded.

    A registry row added after the fetch must not be looked for in an answer that never held it.
    """
    recorded = provenance.get("contents_codes") or {}
    tables = [
        replace(table, contents_code=recorded.get(table.measure_id) or table.contents_code)
        for table in find_tables(str(provenance["table_id"]))
        if not recorded or table.measure_id in recorded
    ]
    if not tables:
        raise SourceError(
            SOURCE, str(provenance["file"]), "none of the recorded measures is in the registry"
        )
    location = str(provenance["file"])
    frames = [parse_table(raw, table, location=location) for table in tables]
    return pd.concat(frames, ignore_index=True)


def read_registry_row(row: Mapping[str, str], location: str) -> ScbTable:
    cells = {column: (row.get(column) or "").strip() for column in REGISTRY_COLUMNS}
    empty = [c for c in ("table_id", "measure_id", "source_id") if not cells[c]]
    if empty:
        raise SourceError(SOURCE, location, f"empty {', '.join(empty)}")
    if not TABLE_ID_PATTERN.match(cells["table_id"]):
        raise SourceError(SOURCE, location, f"table_id {cells['table_id']!r} is not TABnnnn")
    if not (cells["contents_code"] or cells["contents_label"]):
        raise SourceError(SOURCE, location, "neither contents_code nor contents_label is given")
    if cells["region_level"] and cells["region_level"] not in REGION_LEVELS:
        levels = ", ".join(REGION_LEVELS)
        raise SourceError(SOURCE, location, f"region_level must be empty or one of {levels}")
    if cells["is_preliminary"] not in ("true", "false"):
        raise SourceError(SOURCE, location, "is_preliminary must be true or false")
    bands = tuple(cells["age_bands"].split())
    if bands and not cells["total_age"]:
        raise SourceError(SOURCE, location, "age_bands without a total_age")
    if cells["total_age"]:
        population = read_age_range(cells["total_age"])
        if population is None:
            raise SourceError(SOURCE, location, f"total_age {cells['total_age']!r} is no range")
        for band in bands:
            limits = read_age_range(band)
            if limits is None or not is_inside(limits, population):
                raise SourceError(
                    SOURCE, location, f"age band {band!r} is not inside {cells['total_age']}"
                )
    return ScbTable(
        table_id=cells["table_id"],
        measure_id=cells["measure_id"],
        contents_code=cells["contents_code"],
        contents_label=cells["contents_label"],
        source_id=cells["source_id"],
        total_age=cells["total_age"],
        age_bands=bands,
        is_preliminary=cells["is_preliminary"] == "true",
        path_v1=cells["path_v1"].strip("/"),
        region_level=cells["region_level"],
        note=cells["note"],
    )


def read_age_range(code: str) -> tuple[int, int] | None:
    match = AGE_CODE_PATTERN.match(code)
    return (int(match[1]), int(match[2])) if match else None


def is_inside(inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    return outer[0] <= inner[0] <= inner[1] <= outer[1]


def fetch_metadata(
    session: requests.Session,
    limiter: RateLimiter,
    table: ScbTable,
    base_url: str,
    v1_url: str,
) -> TableMetadata:
    """GET the v2 metadata; when v2 answers 404 for the table, GET the v1 table path instead
    (and its folder listing, where v1 keeps the table's `updated`)."""
    url = f"{base_url.rstrip('/')}/tables/{table.table_id}/metadata"
    limiter.wait()
    try:
        fetched = request_bytes(session, "GET", url, params={"lang": LANGUAGE})
    except HttpError as error:
        if error.status != 404:
            raise
        if not table.path_v1:
            raise SourceError(
                SOURCE, error.url, f"v2 has no {table.table_id} (404) and no v1 path is known"
            ) from error
        v1_table_url = f"{v1_url.rstrip('/')}/{table.path_v1}"
        limiter.wait()
        fetched = request_bytes(session, "GET", v1_table_url)
        variables, eliminable = read_v1_variables(fetched.content, fetched.url)
        updated = fetch_v1_updated(session, limiter, table, v1_url)
        return TableMetadata("v1", v1_table_url, variables, eliminable, {}, updated)
    document = load_json(fetched.content, fetched.url)
    dimension_ids, codes, labels = read_dimensions(document, url)
    eliminable, totals = read_eliminations(document, dimension_ids, codes, url)
    variables = {d: {code: labels[d][code] for code in codes[d]} for d in dimension_ids}
    return TableMetadata("v2", url, variables, eliminable, totals, read_updated(document, url))


def read_v1_variables(
    raw: bytes, location: str
) -> tuple[dict[str, dict[str, str]], dict[str, bool]]:
    """v1 metadata: {"title": ..., "variables": [{"code", "values", "valueTexts", ...}]}.

    Returns each variable's {code: label} and its `elimination` flag (absent = false). v1 names
    no elimination value: the flag only says the variable may be left out of a query.
    """
    document = load_json(raw, location)
    listed = document.get("variables")
    if not isinstance(listed, list) or not listed:
        raise SourceError(SOURCE, location, "v1 metadata has no 'variables' list")
    variables: dict[str, dict[str, str]] = {}
    eliminable: dict[str, bool] = {}
    for index, variable in enumerate(listed):
        where = f"variables[{index}]"
        if not isinstance(variable, dict) or not isinstance(variable.get("code"), str):
            raise SourceError(SOURCE, location, f"{where} has no code")
        values, texts = variable.get("values"), variable.get("valueTexts", variable.get("values"))
        if not (isinstance(values, list) and isinstance(texts, list) and len(values) == len(texts)):
            raise SourceError(SOURCE, location, f"{where}: values and valueTexts do not pair up")
        elimination = variable.get("elimination", False)
        if not isinstance(elimination, bool):
            raise SourceError(SOURCE, location, f"{where}: elimination {elimination!r} is no bool")
        variables[variable["code"]] = {str(v): str(t) for v, t in zip(values, texts, strict=True)}
        eliminable[variable["code"]] = elimination
    return variables, eliminable


def resolve_table(table: ScbTable, metadata: TableMetadata) -> ScbTable:
    """Fill in (or confirm) the table's ContentsCode from the metadata's labels."""
    code = resolve_contents_code(metadata.variables.get(CONTENTS), table, metadata.url)
    return replace(table, contents_code=code)


def resolve_contents_code(labels: Mapping[str, str] | None, table: ScbTable, location: str) -> str:
    """The registry's code if its label agrees, else the one code whose label matches.

    A label matches when it equals one of the registry's labels, or begins with one and goes on
    after a non-letter (SCB may add ", procent"); case and spacing are ignored.
    """
    if not labels:
        raise SourceError(SOURCE, location, f"no {CONTENTS} dimension")
    wanted = [normalise_label(text) for text in table.contents_label.split("|") if text.strip()]
    listed = "; ".join(f"{code} {label!r}" for code, label in labels.items())
    if table.contents_code:
        if table.contents_code not in labels:
            raise SourceError(
                SOURCE,
                location,
                f"{CONTENTS} {table.contents_code!r} of {table.measure_id} is not in the table "
                f"(it has: {listed})",
            )
        label = labels[table.contents_code]
        if wanted and not is_matching_label(label, wanted):
            raise SourceError(
                SOURCE,
                location,
                f"{CONTENTS} {table.contents_code!r} is labelled {label!r}, "
                f"the registry expects {table.contents_label!r}",
            )
        return table.contents_code
    found = [code for code, label in labels.items() if is_matching_label(label, wanted)]
    if len(found) != 1:
        how_many = "no" if not found else f"{len(found)}"
        raise SourceError(
            SOURCE,
            location,
            f"{how_many} {CONTENTS} labelled {table.contents_label!r} for {table.measure_id} "
            f"(the table has: {listed})",
        )
    return found[0]


def normalise_label(label: str) -> str:
    return " ".join(label.split()).casefold()


def is_matching_label(label: str, wanted: Sequence[str]) -> bool:
    text = normalise_label(label)
    return any(
        text == expected or (text.startswith(expected) and not text[len(expected)].isalnum())
        for expected in wanted
    )


def build_selection(
    metadata: TableMetadata,
    tables: Sequence[ScbTable],
    regions: Sequence[str] | None,
    periods: Sequence[str] | None,
) -> dict[str, list[str]]:
    """Codes to ask for, per variable in the table's order; every variable is selected."""
    selection: dict[str, list[str]] = {}
    for variable, labels in metadata.variables.items():
        available = list(labels)
        if variable == REGION:
            asked = available if regions is None else list(regions)
            wanted = keep_region_level(asked, tables[0].region_level, metadata.url)
        elif variable == TIME:
            wanted = available if periods is None else list(periods)
        elif variable == CONTENTS:
            wanted = [table.contents_code for table in tables]
        elif variable == AGE:
            wanted = list_age_codes(tables, metadata.url)
        elif variable in GROUP_DIMENSIONS:
            wanted = choose_group_codes(variable, metadata)
        else:
            raise SourceError(
                SOURCE, metadata.url, f"variable {variable!r} is one this parser cannot map"
            )
        missing = [code for code in wanted if code not in labels]
        if missing:
            raise SourceError(
                SOURCE, metadata.url, f"{variable}: the table has no {', '.join(missing)}"
            )
        if not wanted:
            raise SourceError(SOURCE, metadata.url, f"{variable}: nothing to select")
        chosen = set(wanted)
        selection[variable] = [code for code in available if code in chosen]
    for variable in (REGION, TIME, CONTENTS):
        if variable not in selection:
            raise SourceError(SOURCE, metadata.url, f"the table has no {variable} variable")
    if AGE not in selection and any(table.total_age for table in tables):
        raise SourceError(SOURCE, metadata.url, f"the registry gives ages, the table has no {AGE}")
    return selection


def keep_region_level(codes: Sequence[str], level: str, location: str) -> list[str]:
    """The codes of the table's region level (all of them when it has none)."""
    if not level:
        return list(codes)
    kept = [code for code in codes if REGION_LEVELS[level].match(code)]
    if not kept:
        shown = ", ".join(codes[:5]) + (", ..." if len(codes) > 5 else "")
        raise SourceError(
            SOURCE, location, f"{REGION}: none of {shown} is a {level} region (this table's level)"
        )
    return kept


def choose_group_codes(variable: str, metadata: TableMetadata) -> list[str]:
    """The codes of a group variable to ask for: every category we map, and its total.

    The total is the one the metadata names (eliminationValueCode), else a known total code.
    Failing both, a variable the metadata marks eliminable with exactly one code we do not map
    gets that code asked for: the answer must then name it as the total (parse refuses it
    otherwise). Every category we map must still be there: a renamed one would vanish.
    """
    labels = metadata.variables[variable]
    mapping = map_group_codes(variable, metadata.totals.get(variable), metadata.url)
    breakdown = [code for code, canonical in mapping.items() if canonical != "total"]
    totals = [code for code, canonical in mapping.items() if canonical == "total"]
    present = [code for code in totals if code in labels]
    if present:
        return [*breakdown, present[0]]
    unmapped = [code for code in labels if code not in mapping]
    if len(unmapped) == 1 and metadata.eliminable.get(variable, False):
        return [*breakdown, unmapped[0]]
    known = " or ".join(repr(code) for code in totals)
    if not unmapped:
        why = "no other code could be one"
    elif not metadata.eliminable.get(variable, False):
        why = f"{variable} is not eliminable in the metadata, so no other code can be one"
    else:
        why = "the metadata names none (no eliminationValueCode) and several codes are unmapped"
    shown = ", ".join(repr(code) for code in unmapped[:8])
    raise SourceError(
        SOURCE,
        metadata.url,
        f"{variable}: no code is a total this parser knows ({known}); {why}"
        + (f" (unmapped: {shown}); map them in GROUP_DIMENSIONS" if unmapped else ""),
    )


def check_populations(
    tables: Sequence[ScbTable], metadata: TableMetadata, catalog: Catalog
) -> list[str]:
    """Confirm each measure's population from the table itself before fetching any data.

    With an Alder variable the population is a code of it (the registry's total_age, which
    build_selection found in the table); without one the table states it only in its labels.
    measures.csv's population_sv must name exactly those age ranges. Returns the ranges the
    labels give ([] for a table with Alder).
    """
    groups = {
        variable: labels
        for variable, labels in metadata.variables.items()
        if variable not in (REGION, TIME, CONTENTS, AGE)
    }
    from_labels = {} if AGE in metadata.variables else read_label_populations(groups)
    shown = ", ".join(
        f"{key} år ({'; '.join(repr(label) for label in labels[:3])})"
        for key, labels in from_labels.items()
    )
    for table in tables:
        try:
            stated = str(catalog.measure(table.measure_id)["population_sv"])
        except KeyError as error:
            raise SourceError(
                SOURCE, metadata.url, f"{table.measure_id} is not in measures.csv"
            ) from error
        named = sorted({f"{int(a)}-{int(b)}" for a, b in AGE_RANGE_IN_TEXT.findall(stated)})
        if table.total_age:
            low, high = read_age_range(table.total_age) or (0, 0)
            expected = [f"{low}-{high}"]
            gives = f"{AGE} code {table.total_age!r} gives the population {low}-{high} år"
        elif from_labels:
            expected = sorted(from_labels)
            gives = f"the table's labels give the population {shown}"
        else:
            raise SourceError(
                SOURCE,
                metadata.url,
                f"no age range in the labels of {', '.join(groups) or 'any group variable'}: "
                f"the population of {table.measure_id} (measures.csv: {stated!r}) is not stated "
                "by the table",
            )
        if named != expected:
            raise SourceError(
                SOURCE,
                metadata.url,
                f"{gives}; measures.csv says {stated!r} for {table.measure_id}: correct its "
                "population_sv (and definition) first",
            )
    return sorted(from_labels)


def read_label_populations(groups: Mapping[str, Mapping[str, str]]) -> dict[str, list[str]]:
    """Age ranges the labels state: "samtliga 20-64 år" as such; bands ("ålder: 20-24 år" ...
    "ålder: 55-65 år") from the lowest age to the top of each highest band. Range -> labels."""
    found: dict[str, list[str]] = {}
    bands: list[tuple[int, int, str]] = []
    for labels in groups.values():
        for label in labels.values():
            match = AGE_LABEL_PATTERN.match(" ".join(label.split()))
            if not match:
                continue
            low, high = int(match["low"]), int(match["high"])
            if match["whole"]:
                found.setdefault(f"{low}-{high}", []).append(label)
            else:
                bands.append((low, high, label))
    if bands:
        lowest = min(low for low, _, _ in bands)
        top = max(low for low, _, _ in bands)
        start = [label for low, _, label in bands if low == lowest]
        for low, high, label in bands:
            if low == top:
                found.setdefault(f"{lowest}-{high}", []).extend([*start, label])
    return {key: list(dict.fromkeys(labels)) for key, labels in sorted(found.items())}


def list_age_codes(tables: Sequence[ScbTable], location: str) -> list[str]:
    codes: list[str] = []
    for table in tables:
        if not table.total_age:
            raise SourceError(
                SOURCE, location, f"{AGE} is in the table, {table.measure_id} has no total_age"
            )
        codes += [table.total_age, *table.age_bands]
    return list(dict.fromkeys(codes))


def split_selection(
    selection: Mapping[str, list[str]], max_cells: int, location: str
) -> list[dict[str, list[str]]]:
    """Split on Region, then on Tid, so that no call asks for more than max_cells cells."""
    others = math.prod(len(v) for k, v in selection.items() if k not in (REGION, TIME))
    regions, times = selection[REGION], selection[TIME]
    per_region = others * len(times)
    if per_region <= max_cells:
        step = max_cells // per_region
        return [{**selection, REGION: chunk} for chunk in split_into_chunks(regions, step)]
    step = max_cells // others
    if step == 0:
        raise SourceError(
            SOURCE, location, f"one region and period alone is {others} cells (> {max_cells})"
        )
    return [
        {**selection, REGION: [region], TIME: chunk}
        for region in regions
        for chunk in split_into_chunks(times, step)
    ]


def split_into_chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def post_query(
    session: requests.Session,
    limiter: RateLimiter,
    metadata: TableMetadata,
    table: ScbTable,
    part: Mapping[str, list[str]],
    base_url: str,
) -> Fetched:
    """POST one data query in the dialect of the API the metadata came from."""
    limiter.wait()
    if metadata.api == "v1":
        body: dict[str, Any] = {
            "query": [
                {"code": variable, "selection": {"filter": "item", "values": codes}}
                for variable, codes in part.items()
            ],
            "response": {"format": "json-stat2"},
        }
        return request_bytes(session, "POST", metadata.url, json_body=body)
    body = {
        "selection": [
            {"variableCode": variable, "valueCodes": codes} for variable, codes in part.items()
        ]
    }
    url = f"{base_url.rstrip('/')}/tables/{table.table_id}/data"
    params = {"lang": LANGUAGE, "outputFormat": "json-stat2"}
    return request_bytes(session, "POST", url, params=params, json_body=body)


def check_answer(
    fetched: Fetched, part: Mapping[str, list[str]], tables: Sequence[ScbTable]
) -> None:
    """The answer must hold exactly what was asked for and parse for every measure."""
    dataset = read_dataset(fetched.content, fetched.url)
    for variable, asked in part.items():
        got = dataset.codes.get(variable, [])
        if set(got) != set(asked):
            raise SourceError(
                SOURCE,
                fetched.url,
                f"{variable}: asked for {len(asked)} code(s), the answer has {len(got)} "
                f"({', '.join(sorted(set(got) ^ set(asked))[:5])} differ)",
            )
    for table in tables:
        parse_table(fetched.content, table, location=fetched.url)


def name_raw_file(table_id: str, api: str, part: Mapping[str, list[str]]) -> str:
    """A readable, deterministic name: table, first region and period (+ how many), hash.

    The hash is of the query, so asking the same again overwrites the same file.
    """

    def describe(items: Sequence[str]) -> str:
        return items[0] if len(items) == 1 else f"{items[0]}+{len(items) - 1}"

    query = json.dumps({"api": api, "selection": part}, sort_keys=True)
    digest = hashlib.sha256(query.encode("utf-8")).hexdigest()[:12]
    return f"{table_id}_{describe(part[REGION])}_{describe(part[TIME])}_{digest}.json"


def load_json(raw: bytes, location: str) -> dict[str, Any]:
    return read_json_object(raw, SOURCE, location)


def read_dataset(raw: bytes, location: str) -> Dataset:
    """Decode a json-stat2 dataset, checking the shape parse relies on."""
    document = load_json(raw, location)
    dimension_ids, codes, labels = read_dimensions(document, location)
    total = math.prod(len(codes[d]) for d in dimension_ids)
    return Dataset(
        dimension_ids=dimension_ids,
        codes=codes,
        labels=labels,
        values=read_values(document, total, location),
        symbols=read_statuses(document, total, location),
        totals=read_eliminations(document, dimension_ids, codes, location)[1],
    )


def read_dimensions(
    document: Mapping[str, Any], location: str
) -> tuple[list[str], dict[str, list[str]], dict[str, dict[str, str]]]:
    """Return the dimension order, each dimension's codes in index order, and their labels."""
    dimension_ids, sizes = document.get("id"), document.get("size")
    if not (isinstance(dimension_ids, list) and dimension_ids):
        raise SourceError(SOURCE, location, "no 'id' list of dimensions")
    if not all(isinstance(d, str) for d in dimension_ids):
        raise SourceError(SOURCE, location, "'id' holds something other than names")
    if not (
        isinstance(sizes, list)
        and len(sizes) == len(dimension_ids)
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in sizes)
    ):
        raise SourceError(SOURCE, location, f"'size' {sizes!r} does not fit 'id' {dimension_ids}")
    dimensions = document.get("dimension")
    if not isinstance(dimensions, dict):
        raise SourceError(SOURCE, location, "no 'dimension' object")
    codes, labels = {}, {}
    for dimension, size in zip(dimension_ids, sizes, strict=True):
        codes[dimension], labels[dimension] = read_category(dimensions, dimension, size, location)
    return dimension_ids, codes, labels


def read_eliminations(
    document: Mapping[str, Any],
    dimension_ids: Sequence[str],
    codes: Mapping[str, list[str]],
    location: str,
) -> tuple[dict[str, bool], dict[str, str]]:
    """Each dimension's extension.elimination (absent = false), and the eliminationValueCode of
    each group dimension (Region's `00` or Alder's total mean nothing here).

    An answer from an older serializer has no extension at all: nothing is eliminable by what
    it says, and no total is named.
    """
    eliminable: dict[str, bool] = {}
    totals: dict[str, str] = {}
    for dimension in dimension_ids:
        extension = document["dimension"][dimension].get("extension") or {}
        where = f"dimension {dimension!r}: extension"
        if not isinstance(extension, dict):
            raise SourceError(SOURCE, location, f"{where} is not an object")
        elimination = extension.get("elimination", False)
        if not isinstance(elimination, bool):
            raise SourceError(SOURCE, location, f"{where}.elimination {elimination!r} is no bool")
        eliminable[dimension] = elimination
        code = extension.get("eliminationValueCode")
        if code is None or dimension not in GROUP_DIMENSIONS:
            continue
        if not isinstance(code, str) or code not in codes[dimension]:
            raise SourceError(
                SOURCE,
                location,
                f"{where}.eliminationValueCode {code!r} is not one of the dimension's codes",
            )
        totals[dimension] = code
    return eliminable, totals


def map_group_codes(dimension: str, total: str | None, location: str) -> dict[str, str]:
    """SCB code -> canonical code for a group dimension whose total is `total` (None: not named).

    A named total replaces the known ones (`1+2` is no total beside a named `TotSa`); naming a
    code this parser maps to a category is a contradiction, refused.
    """
    known = GROUP_DIMENSIONS[dimension][1]
    if total is None:
        return dict(known)
    if known.get(total, "total") != "total":
        raise SourceError(
            SOURCE,
            location,
            f"{dimension}: eliminationValueCode {total!r} names as the total a code this parser "
            f"maps to {known[total]!r}",
        )
    mapping = {code: canonical for code, canonical in known.items() if canonical != "total"}
    mapping[total] = "total"
    return mapping


def read_category(
    dimensions: Mapping[str, Any], dimension: str, size: int, location: str
) -> tuple[list[str], dict[str, str]]:
    """category.index is {code: position} or [code, ...]; category.label is {code: label}."""
    category = (dimensions.get(dimension) or {}).get("category")
    if not isinstance(category, dict):
        raise SourceError(SOURCE, location, f"dimension {dimension!r} has no category")
    index = category.get("index")
    if isinstance(index, list) and all(isinstance(code, str) for code in index):
        codes = list(index)
    elif isinstance(index, dict):
        positions = (
            sorted(index.values()) if all(isinstance(p, int) for p in index.values()) else []
        )
        if positions != list(range(len(index))):
            raise SourceError(
                SOURCE, location, f"{dimension}: category.index positions are not 0..{size - 1}"
            )
        codes = sorted(index, key=index.__getitem__)
    else:
        raise SourceError(SOURCE, location, f"{dimension}: no category.index")
    if len(codes) != size or len(set(codes)) != size:
        raise SourceError(
            SOURCE, location, f"{dimension}: {len(codes)} codes in category.index, size is {size}"
        )
    label = category.get("label") or {}
    if not isinstance(label, dict):
        raise SourceError(SOURCE, location, f"{dimension}: category.label is not an object")
    return codes, {code: str(label.get(code, code)) for code in codes}


def read_values(document: Mapping[str, Any], total: int, location: str) -> np.ndarray:
    values = document.get("value")
    if not isinstance(values, list):
        raise SourceError(SOURCE, location, "no 'value' list")
    if len(values) != total:
        raise SourceError(
            SOURCE, location, f"{len(values)} values for {total} cells (product of 'size')"
        )
    # A national answer holds millions of cells: check the types in one pass, convert in C, and
    # only walk the cells one by one to name the first bad one.
    if set(map(type, values)) <= {int, float, type(None)}:
        numbers = np.array(values, dtype="float64")
        if (
            np.count_nonzero(np.isnan(numbers)) == values.count(None)
            and np.isfinite(numbers[~np.isnan(numbers)]).all()
        ):
            return numbers
    for index, value in enumerate(values):
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if not (value is None or (is_number and math.isfinite(value))):
            raise SourceError(SOURCE, location, f"value[{index}] {value!r} is not a number or null")
    raise AssertionError("unreachable: a value failed the fast check but not the slow one")


def read_statuses(document: Mapping[str, Any], total: int, location: str) -> list[str | None]:
    """status is {"flat index": symbol}, a list (one per cell, or one for all), or one string."""
    status = document.get("status")
    if status is None:
        return [None] * total
    if isinstance(status, str):
        return [status] * total
    if isinstance(status, list) and len(status) in (1, total):
        listed = status * total if len(status) == 1 else status
        return [str(symbol) if symbol not in (None, "") else None for symbol in listed]
    if isinstance(status, dict):
        symbols: list[str | None] = [None] * total
        for key, symbol in status.items():
            if not (str(key).isdigit() and int(key) < total):
                raise SourceError(SOURCE, location, f"status key {key!r} is not a cell index")
            symbols[int(key)] = str(symbol) if symbol not in (None, "") else None
        return symbols
    raise SourceError(SOURCE, location, f"status of type {type(status).__name__} not understood")


def check_codes(dataset: Dataset, mappings: Mapping[str, Mapping[str, str]], location: str) -> None:
    """Every region, period and group code must be one this parser can map."""
    for dimension in dataset.dimension_ids:
        for position, code in enumerate(dataset.codes[dimension]):
            where = f"{dimension} code {code!r} (category index {position})"
            if dimension == REGION and not REGION_PATTERN.match(code):
                raise SourceError(SOURCE, location, f"{where} is not an SCB region code")
            if dimension == TIME and not is_period(code):
                raise SourceError(SOURCE, location, f"{where} is not a period like 2024M10")
            if dimension == AGE and read_age_range(code) is None:
                raise SourceError(SOURCE, location, f"{where} is not an age range")
            if dimension in mappings and code not in mappings[dimension]:
                named = dataset.totals.get(dimension)
                why = (
                    f"the answer names {named!r} as its total (eliminationValueCode)"
                    if named
                    else f"the answer names no total for {dimension} (eliminationValueCode)"
                )
                raise SourceError(
                    SOURCE, location, f"{where} is not a code this parser maps; {why}"
                )


def is_period(code: str) -> bool:
    try:
        parse_period(code)
    except ValueError:
        return False
    return True


def decode_cells(dataset: Dataset) -> pd.DataFrame:
    """One row per cell: `value` is row-major over the dimensions, the last one fastest.

    Code columns are categoricals over the dimension's codes: each distinct code is stored and
    mapped once, not once per cell.
    """
    sizes = [len(dataset.codes[d]) for d in dataset.dimension_ids]
    positions = np.unravel_index(np.arange(math.prod(sizes)), sizes)  # C order: last fastest
    cells = pd.DataFrame(
        {
            dimension: pd.Categorical.from_codes(position, categories=dataset.codes[dimension])
            for dimension, position in zip(dataset.dimension_ids, positions, strict=True)
        }
    )
    cells["value"] = dataset.values
    cells["symbol"] = pd.Series(dataset.symbols, dtype=object)
    cells["cell"] = np.arange(len(cells))
    return cells


def map_cells(
    cells: pd.DataFrame,
    dimension_ids: Sequence[str],
    mappings: Mapping[str, Mapping[str, str]],
    table: ScbTable,
    location: str,
) -> pd.DataFrame:
    """Canonical rows: codes mapped, absent groups `total`, ages outside the measure dropped."""
    for needed in (REGION, TIME):
        if needed not in dimension_ids:
            raise SourceError(SOURCE, location, f"no {needed} dimension")
    rows = pd.DataFrame(
        {
            "measure_id": repeat_category(table.measure_id, len(cells)),
            "region_code": cells[REGION],
            "period": cells[TIME],
            **{column: repeat_category("total", len(cells)) for column in GROUP_COLUMNS},
        },
        index=cells.index,
    )
    mapped_by: dict[str, str] = {}
    for dimension in dimension_ids:
        if dimension in (REGION, TIME, CONTENTS):
            continue
        if dimension == AGE:
            column, mapped = "age", map_ages(cells[AGE], table, location)
        elif dimension in mappings:
            column = GROUP_DIMENSIONS[dimension][0]
            mapped = cells[dimension].map(mappings[dimension])
        else:
            raise SourceError(SOURCE, location, f"dimension {dimension!r} is not one this maps")
        if column in mapped_by:
            raise SourceError(
                SOURCE, location, f"{mapped_by[column]} and {dimension} both give {column}"
            )
        mapped_by[column] = dimension
        rows[column] = mapped
    if table.total_age and AGE not in dimension_ids:
        raise SourceError(SOURCE, location, f"no {AGE} dimension, yet {table.measure_id} has ages")
    rows["value"], rows["status"] = map_statuses(cells, table, location)
    kept = rows[rows["age"].notna()]
    text_columns = {column: "category" for column in PARSED_COLUMNS if column != "value"}
    return kept[PARSED_COLUMNS].astype(text_columns | {"value": "float64"}).reset_index(drop=True)


def map_ages(ages: pd.Series, table: ScbTable, location: str) -> pd.Series:
    """The population code -> `total`, a listed band -> `20-24` (leading zeros off), else None."""
    if not table.total_age:
        raise SourceError(SOURCE, location, f"{AGE} is in the table, {table.measure_id} has none")
    canonical = {table.total_age: "total"}
    for band in table.age_bands:
        low, high = read_age_range(band) or (0, 0)
        canonical[band] = f"{low:02d}-{high:02d}"
    return ages.map(canonical)


def map_statuses(
    cells: pd.DataFrame, table: ScbTable, location: str
) -> tuple[pd.Series, pd.Series]:
    """Keep null as NaN; read the status symbol; mark a preliminary table's figures provisional."""
    values = cells["value"]
    symbols = cells["symbol"]
    is_null = values.isna()
    has_symbol = symbols.notna()
    unknown = is_null & has_symbol & ~symbols.isin(list(NULL_STATUS))
    noted = ~is_null & has_symbol
    for bad, what in ((unknown, "on a null value"), (noted, "on a value")):
        if bad.any():
            first = cells[bad].iloc[0]
            raise SourceError(
                SOURCE,
                location,
                f"status[{first['cell']}] = {first['symbol']!r} {what} "
                f"({describe_cell(first, cells.columns)}) is not a symbol this parser knows",
            )
    status = pd.Series(None, index=cells.index, dtype=object)
    status[is_null & has_symbol] = symbols[is_null & has_symbol].map(NULL_STATUS)
    if table.is_preliminary:
        status[~is_null] = "provisional"
    return values, status


def describe_cell(cell: pd.Series, columns: Sequence[str]) -> str:
    skipped = {"value", "symbol", "cell"}
    return ", ".join(f"{c}={cell[c]}" for c in columns if c not in skipped)


# --- `python -m etl fetch scb` -----------------------------------------------------------------


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = ",".join(DEFAULT_TABLES)
    parser.add_argument(
        "--tables",
        default=defaults,
        help=f"table ids from {REGISTRY_FILE}, e.g. TAB6260,TAB2948 (default {defaults})",
    )
    parser.add_argument(
        "--regions",
        default=ALL_REGIONS,
        help=f"SCB codes and/or groups, comma-separated: 0181,01,00, sodertorn, lan_01, or "
        f"{ALL_REGIONS!r}: every kommun, län and Riket the table has (default {ALL_REGIONS})",
    )
    parser.add_argument(
        "--periods", help="period codes, e.g. 2024M09,2024M10 (default: all the table has)"
    )
    parser.add_argument("--base-url", default=V2_URL, help=f"API root (default {V2_URL})")


def fetch_from_arguments(args: argparse.Namespace, catalog: Catalog) -> list[Path]:
    regions = (
        None
        if args.regions.strip().casefold() == ALL_REGIONS
        else resolve_regions(args.regions, catalog)
    )
    periods = args.periods.split(",") if args.periods else None
    saved: list[Path] = []
    for table_id in tqdm(args.tables.split(","), desc="scb: tabeller", file=sys.stderr):
        saved += fetch(table_id.strip(), regions, periods, base_url=args.base_url, catalog=catalog)
    return saved


def describe_version_from_arguments(
    args: argparse.Namespace, catalog: Catalog
) -> dict[str, str | None]:
    """describe_remote_version() of each table `fetch scb` was given: {table id: `updated`}.

    Regions and periods do not enter it: SCB updates a table as a whole.
    """
    session = create_session()
    return {
        table_id: describe_remote_version(session, table_id, base_url=args.base_url)
        for table_id in (part.strip() for part in args.tables.split(","))
    }


FETCHER = Fetcher(
    command="scb",
    label="SCB",
    help="SCB Statistikdatabasen tables through PxWebApi 2.0 (v1 as fallback)",
    add_arguments=add_fetch_arguments,
    run=fetch_from_arguments,
    version=describe_version_from_arguments,
    examples=(
        "python -m etl fetch scb   # TAB6260, TAB6383, TAB6384, TAB6379: every region, period",
        "python -m etl fetch scb --tables TAB6260 --regions 0181,01,00 --periods 2024M09,2024M10",
    ),
)
