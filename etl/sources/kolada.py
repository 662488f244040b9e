"""Kolada API v3 (RKA) key figures -> exact JSON pages in data/raw/kolada/ -> canonical rows."""

import argparse
import csv
import hashlib
import math
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pandas as pd
import requests
from tqdm import tqdm

from etl.checks import check_unique_key, read_json_object
from etl.errors import SourceError
from etl.http import Fetched, create_session, request_bytes
from etl.raw import RawItem, save_raw_batch
from etl.sources import Fetcher, add_regions_argument, resolve_regions
from labourmarket.core import paths
from labourmarket.core.catalog import Catalog
from labourmarket.core.schema import PARSED_COLUMNS

SOURCE = "kolada"
KOLADA_URL = "https://api.kolada.se/v3"
KPI_MAP_FILE = "kolada_kpis.csv"
MAX_IDS_PER_LIST = 25  # Kolada's documented limit for each comma list in the path
PER_PAGE = 5000  # the API's maximum page size
NEXT_PAGE_KEYS = ("next_url", "next_page")  # v3 says next_url, v2 said next_page
ATTRIBUTION = "Källa: Kolada (RKA)"

GROUP_FIELDS = ("measure_id", "age", "birth_region", "education")
SEX_BY_GENDER = {"T": "total", "K": "women", "M": "men"}
# Kolada marks an ordinary figure with an empty status. No other status is documented, so an
# unknown one stops the source instead of being guessed into "suppressed" or dropped.
STATUS_BY_KOLADA: dict[str, str | None] = {"": None}
# Kolada ids: kommuner share SCB's four-digit codes, Riket is `0000` and a region (län) is `00LL`,
# so a four-digit id starting with `00` is a region; data/clean uses SCB's `00` and `LL` for those.
KOLADA_ID_PATTERN = re.compile(r"^\d{4}$")
SCB_CODE_PATTERN = re.compile(r"^\d{2}(\d{2})?$")


@dataclass(frozen=True)
class DataRequest:
    """One data call: a chunk of each dimension and the URL of its first page."""

    kpis: list[str]
    kolada_ids: list[str]
    years: list[int]
    url: str


def fetch(
    kpis: list[str],
    regions: list[str],
    years: list[int],
    session: requests.Session | None = None,
    base_url: str = KOLADA_URL,
    *,
    timeout: tuple[float, float] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Download every page for kpis x regions x years and save each one's exact bytes.

    All pages are downloaded and checked with parse_page() first; a failure anywhere raises
    before anything is written, so data/raw/kolada never holds half a download.
    """
    # Load inputs
    session = session or create_session()
    kolada_ids = [convert_to_kolada_id(region) for region in regions]
    # The build parses with the same map: a KPI it cannot place would break every later build.
    kpi_map = load_kpi_map()
    unmapped = [kpi for kpi in kpis if kpi not in kpi_map]
    if unmapped:
        raise SourceError(
            SOURCE,
            KPI_MAP_FILE,
            f"no mapping for {', '.join(unmapped)}: add them to {KPI_MAP_FILE} before fetching",
        )
    check_map = {kpi: kpi_map[kpi] for kpi in kpis}
    # Process data
    pages: list[tuple[DataRequest, int, Fetched]] = []
    for request in build_data_requests(base_url, kpis, kolada_ids, years):
        pages_of_request = fetch_pages(session, request.url, timeout, progress)
        for number, fetched in enumerate(pages_of_request, start=1):
            parse_page(fetched.content, check_map, location=fetched.url)
            check_asked_for(read_document(fetched.content, fetched.url), request, fetched.url)
            pages.append((request, number, fetched))
    # Save outputs
    return save_raw_batch(
        SOURCE,
        [
            RawItem(
                name_raw_file(request, number),
                fetched,
                {
                    "source_id": SOURCE,
                    "publisher": "RKA (Rådet för främjande av kommunala analyser)",
                    "publication": "Kolada API v3, /data/kpi/{kpi}/municipality/{id}/year/{year}",
                    "request_url": request.url,
                    "page": number,
                    "attribution_sv": ATTRIBUTION,
                },
            )
            for request, number, fetched in pages
        ],
    )


def parse(raw: bytes, provenance: Mapping[str, Any], catalog: Catalog) -> pd.DataFrame:
    """Turn a saved Kolada page into canonical rows, placing each KPI by kolada_kpis.csv."""
    return parse_page(raw, load_kpi_map(), str(provenance["file"]))


def parse_page(
    raw: bytes, kpi_map: Mapping[str, Mapping[str, str]], location: str = "response"
) -> pd.DataFrame:
    """Turn one Kolada data page into canonical rows; raise SourceError naming the bad field."""
    document = read_document(raw, location)
    records = check_records(document, location)
    rows = [
        row
        for index, record in enumerate(records)
        if not record.get("isdeleted", False)
        for row in map_record(record, kpi_map, location, f"values[{index}]")
    ]
    frame = pd.DataFrame(rows, columns=PARSED_COLUMNS).astype({"value": "float64"})
    check_unique_key(frame, SOURCE, location)
    return frame


def load_kpi_map(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Read data/reference/kolada_kpis.csv into {kpi_id: {measure_id, age, birth_region, ...}}."""
    path = path or paths.reference_dir() / KPI_MAP_FILE
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    kpi_map = {}
    for line, row in enumerate(rows, start=2):
        missing = [f for f in ("kpi_id", *GROUP_FIELDS) if not (row.get(f) or "").strip()]
        if missing:
            raise SourceError(SOURCE, f"{path}, line {line}", f"empty {', '.join(missing)}")
        kpi_map[row["kpi_id"]] = {f: row[f] for f in GROUP_FIELDS}
    return kpi_map


def convert_to_kolada_id(region: str) -> str:
    """SCB `00` -> `0000`, `LL` -> `00LL`; a kommun's four digits (or a Kolada id) unchanged."""
    if not SCB_CODE_PATTERN.match(region):
        raise ValueError(f"region {region!r} is neither an SCB code nor a Kolada id")
    return region if len(region) == 4 else f"00{region}"


def convert_to_scb_code(kolada_id: str) -> str:
    """Kolada `0000` -> `00`, `00LL` -> `LL`; a kommun unchanged."""
    return kolada_id[2:] if kolada_id.startswith("00") else kolada_id


def split_into_chunks(items: Sequence[Any], size: int = MAX_IDS_PER_LIST) -> Iterator[list[Any]]:
    """Yield consecutive slices of at most size items (itertools.batched arrives in 3.12)."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def build_data_requests(
    base_url: str, kpis: list[str], kolada_ids: list[str], years: list[int]
) -> list[DataRequest]:
    """One request per combination of chunks, each comma list within Kolada's limit."""
    if not (kpis and kolada_ids and years):
        raise ValueError("fetch needs at least one KPI, one region and one year")
    return [
        DataRequest(
            kpi_chunk,
            id_chunk,
            year_chunk,
            f"{base_url.rstrip('/')}/data/kpi/{','.join(kpi_chunk)}"
            f"/municipality/{','.join(id_chunk)}/year/{','.join(map(str, year_chunk))}"
            f"?per_page={PER_PAGE}",
        )
        for kpi_chunk in split_into_chunks(kpis)
        for id_chunk in split_into_chunks(kolada_ids)
        for year_chunk in split_into_chunks(years)
    ]


def fetch_pages(
    session: requests.Session,
    url: str,
    timeout: tuple[float, float] | None,
    progress: Callable[[str], None] | None,
) -> Iterator[Fetched]:
    """Yield the first page and every page its next link leads to, in order."""
    seen: set[str] = set()
    next_url: str | None = url
    while next_url:
        if next_url in seen:
            raise SourceError(SOURCE, next_url, "next_url leads back to a page already read")
        seen.add(next_url)
        if progress:
            progress(next_url)
        fetched = request_bytes(session, "GET", next_url, timeout=timeout)
        yield fetched
        next_url = find_next_url(read_document(fetched.content, fetched.url), fetched.url)


def find_next_url(document: Mapping[str, Any], location: str) -> str | None:
    """Return the absolute URL of the next page, or None on the last page."""
    for key in NEXT_PAGE_KEYS:
        link = document.get(key)
        if link is None or link == "":
            continue
        if not isinstance(link, str):
            raise SourceError(SOURCE, location, f"{key} is {type(link).__name__}, not a URL")
        return urljoin(location, link)
    return None


def name_raw_file(request: DataRequest, page: int) -> str:
    """A readable, deterministic name: first KPI, region and year (+ how many more), page, hash.

    The hash is of the first page's URL, so the same request always lands in the same files.
    """

    def describe(items: Sequence[Any]) -> str:
        return f"{items[0]}" if len(items) == 1 else f"{items[0]}+{len(items) - 1}"

    digest = hashlib.sha256(request.url.encode("utf-8")).hexdigest()[:12]
    parts = (describe(request.kpis), describe(request.kolada_ids), describe(request.years))
    return f"{'_'.join(parts)}_p{page}_{digest}.json"


def read_document(raw: bytes, location: str) -> dict[str, Any]:
    return read_json_object(raw, SOURCE, location)


def check_records(document: Mapping[str, Any], location: str) -> list[dict[str, Any]]:
    """Check the fields parse relies on, naming the first that differs from Kolada's shape."""
    records = document.get("values")
    if not isinstance(records, list):
        raise SourceError(SOURCE, location, "no 'values' list at the top level")
    for index, record in enumerate(records):
        where = f"values[{index}]"
        require(isinstance(record, dict), location, f"{where} is not an object")
        require(isinstance(record.get("kpi"), str), location, f"{where}.kpi is not a string")
        require(
            isinstance(record.get("municipality"), str)
            and KOLADA_ID_PATTERN.match(record["municipality"]) is not None,
            location,
            f"{where}.municipality {record.get('municipality')!r} is not a four-digit Kolada id",
        )
        period = record.get("period")
        require(
            isinstance(period, int) and not isinstance(period, bool) and 1900 < period < 2200,
            location,
            f"{where}.period {period!r} is not a year as an integer",
        )
        require(
            isinstance(record.get("isdeleted", False), bool),
            location,
            f"{where}.isdeleted is not true/false",
        )
        cells = record.get("values")
        require(isinstance(cells, list), location, f"{where}.values is not a list")
        for position, cell in enumerate(cells):
            check_cell(cell, location, f"{where}.values[{position}]")
    return records


def check_asked_for(document: Mapping[str, Any], request: DataRequest, location: str) -> None:
    """Refuse a record of a KPI, region or year the request did not name.

    Kolada answers only what was asked; anything else (a region the catalog lacks, say) would
    land in data/raw and then break every build.
    """
    asked = {
        "kpi": set(request.kpis),
        "municipality": set(request.kolada_ids),
        "period": set(request.years),
    }
    for index, record in enumerate(document["values"]):
        for field, wanted in asked.items():
            if record[field] not in wanted:
                raise SourceError(
                    SOURCE, location, f"values[{index}].{field} {record[field]!r} was not asked for"
                )


def check_cell(cell: Any, location: str, where: str) -> None:
    require(isinstance(cell, dict), location, f"{where} is not an object")
    require(
        cell.get("gender") in SEX_BY_GENDER,
        location,
        f"{where}.gender {cell.get('gender')!r} is not T, K or M",
    )
    require("value" in cell, location, f"{where} has no 'value'")
    value = cell["value"]
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    require(
        value is None or (is_number and math.isfinite(value)),
        location,
        f"{where}.value {value!r} is not a number or null",
    )
    status = cell.get("status") or ""
    require(
        isinstance(status, str) and status in STATUS_BY_KOLADA,
        location,
        f"{where}.status {status!r} is not a status this parser knows",
    )


def require(condition: bool, location: str, detail: str) -> None:
    if not condition:
        raise SourceError(SOURCE, location, detail)


def map_record(
    record: Mapping[str, Any],
    kpi_map: Mapping[str, Mapping[str, str]],
    location: str,
    where: str,
) -> Iterator[dict[str, Any]]:
    """One canonical row per gender cell of a checked record."""
    kpi = record["kpi"]
    if kpi not in kpi_map:
        detail = f"{where}.kpi: KPI {kpi!r} has no mapping (see {KPI_MAP_FILE})"
        raise SourceError(SOURCE, location, detail)
    group = kpi_map[kpi]
    for cell in record["values"]:
        value = cell["value"]
        yield {
            "measure_id": group["measure_id"],
            "region_code": convert_to_scb_code(record["municipality"]),
            "period": str(record["period"]),
            "sex": SEX_BY_GENDER[cell["gender"]],
            "age": group.get("age", "total"),
            "birth_region": group.get("birth_region", "total"),
            "education": group.get("education", "total"),
            "value": math.nan if value is None else float(value),
            "status": STATUS_BY_KOLADA[cell.get("status") or ""],
        }


# --- `python -m etl fetch kolada` --------------------------------------------------------------


def parse_years(text: str) -> list[int]:
    """Read `2015-2024`, `2023` or `2019,2021,2023` into a list of years."""
    years: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        try:
            span = list(range(int(first), int(last or first) + 1))
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"not a year or range: {part!r}") from error
        if not span:
            raise argparse.ArgumentTypeError(f"empty range {part!r}: write the earlier year first")
        years += span
    return years


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kpis", help=f"KPI ids (default: every KPI in {KPI_MAP_FILE})")
    add_regions_argument(parser)
    parser.add_argument(
        "--years", type=parse_years, default=parse_years("2015-2024"), help="2015-2024 or 2023"
    )
    parser.add_argument("--base-url", default=KOLADA_URL, help=f"API root (default {KOLADA_URL})")


def fetch_from_arguments(args: argparse.Namespace, catalog: Catalog) -> list[Path]:
    regions = resolve_regions(args.regions, catalog)
    kpis = args.kpis.split(",") if args.kpis else sorted(load_kpi_map())
    with tqdm(desc="kolada: sidor", unit=" sida", file=sys.stderr) as bar:
        return fetch(
            kpis, regions, args.years, base_url=args.base_url, progress=lambda url: bar.update(1)
        )


FETCHER = Fetcher(
    command="kolada",
    label="Kolada",
    help="Kolada (RKA) key figures through API v3",
    add_arguments=add_fetch_arguments,
    run=fetch_from_arguments,
    examples=(
        "python -m etl fetch kolada --regions sodertorn,01,00 --years 2015-2024",
        "python -m etl fetch kolada --kpis N03920,N03935 --regions 0181,0136 --years 2023",
    ),
)
