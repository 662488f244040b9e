"""Kolada API v3 (RKA) key figures -> exact JSON pages in data/raw/kolada/ -> canonical rows."""

import argparse
import csv
import hashlib
import json
import math
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
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
from etl.sources import Fetcher, resolve_regions
from labourmarket.core import paths
from labourmarket.core.catalog import Catalog, load_catalog
from labourmarket.core.schema import PARSED_COLUMNS

SOURCE = "kolada"
KOLADA_URL = "https://api.kolada.se/v3"
KPI_MAP_FILE = "kolada_kpis.csv"
REGIONS_FILE = "regions.csv"
MAX_IDS_PER_LIST = 25  # Kolada's documented limit for each comma list in the path
PER_PAGE = 5000  # the API's maximum page size, in records (one per KPI, region and year)
NEXT_PAGE_KEYS = ("next_url", "next_page")  # v3 says next_url, v2 said next_page
ATTRIBUTION = "Källa: Kolada (RKA)"
FIRST_YEAR = 2010  # the default fetch: every year from this one to the current one
RIKET_ID = "0000"

GROUP_FIELDS = ("measure_id", "age", "birth_region", "education")
KPI_FIELDS = ("kpi_id", *GROUP_FIELDS, "municipality_type", "is_divided_by_gender")
SEX_BY_GENDER = {"T": "total", "K": "women", "M": "men"}
# Kolada's KPI metadata: K = published for kommuner, L = for regions (län), A = for both.
MUNICIPALITY_TYPES = ("K", "L", "A")
# An ordinary figure has an empty status. "Missing" marks a cell without a figure (value null):
# stored as a plain missing figure, value null and no status, as every source stores one. Any
# other status stops the source instead of being guessed into "suppressed" or dropped.
MISSING_STATUS = "Missing"
KNOWN_STATUSES = ("", MISSING_STATUS)
# Kolada ids: kommuner share SCB's four-digit codes, Riket is `0000` and a region (län) is `00LL`,
# so a four-digit id starting with `00` is a region; data/clean uses SCB's `00` and `LL` for those.
KOLADA_ID_PATTERN = re.compile(r"[0-9]{4}")
SCB_CODE_PATTERN = re.compile(r"[0-9]{2}([0-9]{2})?")
YEAR_TEXT_PATTERN = re.compile(r"[0-9]{4}")  # v2 documented `period` as a string
PUBLICATION_FIELDS = ("publ_period", "publication_date", "prel_publication_date")


@dataclass(frozen=True)
class KpiMapping:
    """One row of kolada_kpis.csv: where a KPI's figures go, and what Kolada publishes of it."""

    kpi_id: str
    measure_id: str
    age: str
    birth_region: str
    education: str
    municipality_type: str  # K, L or A (Kolada's KPI metadata)
    is_divided_by_gender: bool

    @property
    def group(self) -> tuple[str, str, str, str]:
        """The measure and groups a figure of this KPI is stored under (sex aside)."""
        return (self.measure_id, self.age, self.birth_region, self.education)


@dataclass(frozen=True)
class DataRequest:
    """One data call: a chunk of each dimension and the URL of its first page."""

    kpis: list[str]
    kolada_ids: list[str]
    years: list[int]
    url: str

    @property
    def most_records(self) -> int:
        """The most records the answer can hold: one per KPI, region and year."""
        return len(self.kpis) * len(self.kolada_ids) * len(self.years)


def fetch(
    kpis: list[str],
    regions: list[str],
    years: list[int],
    session: requests.Session | None = None,
    base_url: str = KOLADA_URL,
    *,
    catalog: Catalog | None = None,
    timeout: tuple[float, float] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Download every page for kpis x regions x years and save each one's exact bytes.

    The calls are plan_requests()'s: each KPI is asked only for the regions its
    municipality_type covers, in the fewest calls Kolada's limits allow. All pages are
    downloaded and checked with the build's own parser first; a failure anywhere raises before
    anything is written, so data/raw/kolada never holds half a download.
    """
    # Load inputs
    session = session or create_session()
    catalog = catalog or load_catalog()
    region_codes = load_region_codes(catalog)
    kolada_ids = convert_regions_to_kolada_ids(regions, region_codes)
    # The build parses with the same map: a KPI it cannot place would break every later build.
    kpi_map = load_kpi_map()
    unmapped = [kpi for kpi in kpis if kpi not in kpi_map]
    if unmapped:
        raise SourceError(
            SOURCE,
            KPI_MAP_FILE,
            f"no mapping for {', '.join(unmapped)}: add them to {KPI_MAP_FILE} before fetching",
        )
    types = {kpi: kpi_map[kpi].municipality_type for kpi in kpis}
    plan = plan_requests(types, kolada_ids, years, base_url)
    if not plan:
        raise SourceError(
            SOURCE,
            KPI_MAP_FILE,
            f"nothing to ask: Kolada publishes {', '.join(kpis)} for none of the regions given "
            f"(municipality_type {', '.join(sorted(set(types.values())))})",
        )
    # Process data
    pages: list[tuple[DataRequest, int, Fetched]] = []
    for request in plan:
        for number, fetched in enumerate(fetch_pages(session, request.url, timeout, progress), 1):
            document = read_document(fetched.content, fetched.url)
            check_records(document, fetched.url)
            check_asked_for(document, request, fetched.url)
            parse_document(document, kpi_map, region_codes, fetched.url)
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
    """Turn a saved page into canonical rows (KPIs by kolada_kpis.csv, regions by regions.csv)."""
    return parse_page(raw, load_kpi_map(), load_region_codes(catalog), str(provenance["file"]))


def parse_page(
    raw: bytes,
    kpi_map: Mapping[str, KpiMapping],
    region_codes: Mapping[str, str],
    location: str = "response",
) -> pd.DataFrame:
    """Turn one Kolada data page into canonical rows; raise SourceError naming the bad field."""
    return parse_document(read_document(raw, location), kpi_map, region_codes, location)


def parse_document(
    document: Mapping[str, Any],
    kpi_map: Mapping[str, KpiMapping],
    region_codes: Mapping[str, str],
    location: str,
) -> pd.DataFrame:
    """Rows of every figure a page holds; deleted records and deleted cells are left out."""
    records = check_records(document, location)
    rows = [
        row
        for index, record in enumerate(records)
        for row in map_record(record, kpi_map, region_codes, location, f"values[{index}]")
    ]
    frame = pd.DataFrame(rows, columns=PARSED_COLUMNS).astype({"value": "float64"})
    check_unique_key(frame, SOURCE, location)
    return frame


def load_kpi_map(path: Path | None = None) -> dict[str, KpiMapping]:
    """Read data/reference/kolada_kpis.csv into {kpi_id: KpiMapping}, naming a bad line."""
    path = path or paths.reference_dir() / KPI_MAP_FILE
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    kpi_map = {}
    for line, row in enumerate(rows, start=2):
        where = f"{path}, line {line}"
        missing = [f for f in KPI_FIELDS if not (row.get(f) or "").strip()]
        if missing:
            raise SourceError(SOURCE, where, f"empty {', '.join(missing)}")
        if row["municipality_type"] not in MUNICIPALITY_TYPES:
            detail = f"municipality_type {row['municipality_type']!r} is not K, L or A"
            raise SourceError(SOURCE, where, detail)
        if row["is_divided_by_gender"] not in ("true", "false"):
            detail = f"is_divided_by_gender {row['is_divided_by_gender']!r} is not true/false"
            raise SourceError(SOURCE, where, detail)
        kpi_map[row["kpi_id"]] = KpiMapping(
            **{f: row[f] for f in KPI_FIELDS if f != "is_divided_by_gender"},
            is_divided_by_gender=row["is_divided_by_gender"] == "true",
        )
    return kpi_map


def load_region_codes(catalog: Catalog) -> dict[str, str]:
    """Kolada id -> SCB region code, from regions.csv's kolada_id column."""
    regions = catalog.regions[catalog.regions["kolada_id"] != ""]
    return dict(zip(regions["kolada_id"], regions["region_code"], strict=True))


def convert_to_kolada_id(region: str) -> str:
    """SCB `00` -> `0000`, `LL` -> `00LL`; a kommun's four digits (or a Kolada id) unchanged."""
    if not SCB_CODE_PATTERN.fullmatch(region):
        raise ValueError(f"region {region!r} is neither an SCB code nor a Kolada id")
    return region if len(region) == 4 else f"00{region}"


def convert_regions_to_kolada_ids(
    regions: Sequence[str], region_codes: Mapping[str, str]
) -> list[str]:
    """SCB codes (or Kolada ids) -> Kolada ids, each one a region regions.csv can place.

    A fetch never asks for a region the build would then refuse.
    """
    kolada_ids = [convert_to_kolada_id(region) for region in regions]
    unknown = [
        region for region, id_ in zip(regions, kolada_ids, strict=True) if id_ not in region_codes
    ]
    if unknown:
        detail = f"no Kolada id for region(s) {', '.join(unknown)}"
        raise SourceError(SOURCE, REGIONS_FILE, detail)
    return list(dict.fromkeys(kolada_ids))


def list_default_regions(catalog: Catalog) -> list[str]:
    """Every region regions.csv gives a Kolada id: Riket, the 21 län and the 290 kommuner."""
    return sorted(load_region_codes(catalog).values())


def list_default_years(today: date | None = None) -> list[int]:
    """FIRST_YEAR to the current year: asking for a year not yet published costs nothing."""
    today = today or datetime.now(UTC).date()
    return list(range(FIRST_YEAR, today.year + 1))


def is_published_for(municipality_type: str, kolada_id: str) -> bool:
    """Whether Kolada publishes a KPI of this municipality_type for this region.

    K: kommuner, plus Riket (Kolada gives a kommun KPI's national figure under `0000`);
    L: the regions (län) and Riket; A: all of them.
    """
    is_region = kolada_id.startswith("00")
    if municipality_type == "K":
        return not is_region or kolada_id == RIKET_ID
    if municipality_type == "L":
        return is_region
    return True


def split_into_chunks(items: Sequence[Any], size: int = MAX_IDS_PER_LIST) -> Iterator[list[Any]]:
    """Yield the fewest consecutive slices of at most size items, their lengths differing by <= 1.

    Even slices keep each call as far below the page limit as the same number of calls allows.
    """
    count = math.ceil(len(items) / size)
    start = 0
    for part in range(count):
        length = len(items) // count + (part < len(items) % count)
        yield list(items[start : start + length])
        start += length


def choose_chunk_sizes(kpis: int, ids: int, years: int) -> tuple[int, int, int]:
    """Chunk sizes (KPIs, ids, years) giving the fewest calls, no call past PER_PAGE records.

    Tries every KPI and year chunk size; the id chunk is then as large as the 25-item and the
    page limit allow. Ties go to the larger KPI and year chunks (fewer, fuller URLs).
    """
    best: tuple[int, int, int, int] | None = None
    for kpi_size in range(1, min(kpis, MAX_IDS_PER_LIST) + 1):
        for year_size in range(1, min(years, MAX_IDS_PER_LIST) + 1):
            id_size = min(MAX_IDS_PER_LIST, ids, PER_PAGE // (kpi_size * year_size))
            if id_size == 0:
                continue
            calls = math.ceil(kpis / kpi_size) * math.ceil(ids / id_size)
            calls *= math.ceil(years / year_size)
            candidate = (calls, -kpi_size, -year_size, id_size)
            best = candidate if best is None else min(best, candidate)
    if best is None:
        raise ValueError("no chunking fits Kolada's limits")
    return -best[1], best[3], -best[2]


def plan_requests(
    kpis: Mapping[str, str],
    kolada_ids: Sequence[str],
    years: Sequence[int],
    base_url: str = KOLADA_URL,
) -> list[DataRequest]:
    """The fewest data calls that ask for every KPI where Kolada publishes it (pure).

    kpis maps each KPI id to its municipality_type (K, L or A). Limits: each comma list (KPIs,
    ids, years) at most 25 items, and a page at most PER_PAGE records; a call is planned so
    that even a full answer (one record per KPI, id and year) fits one page, so next_url is
    followed only if Kolada pages differently from its documentation.

    Regions asked for the same KPIs form one block (with the default KPIs: the 290 kommuner
    with Riket, and the 21 län); each block is split into the grid of chunks with the fewest
    calls (choose_chunk_sizes()).

    The default set (12 KPIs, N03935 for kommuner and Riket only; 312 regions; 2010-2026, 17
    years) takes 14 calls, and no plan takes fewer. 13 cannot do it: each KPI-year needs
    ceil(312 / 25) = 13 calls to reach every region, so each of the 13 would name all 17 years
    and the 11 A-KPIs; a call naming N03935 may name no län and, at 12 x 17 = 204 records per
    region, at most 24 regions (25 x 204 = 5100 > 5000); the 290 kommuner need 13 such calls
    (12 x 24 = 288), which leaves none for the län.
    """
    if not (kpis and kolada_ids and years):
        raise ValueError("a fetch needs at least one KPI, one region and one year")
    for kpi, municipality_type in kpis.items():
        if municipality_type not in MUNICIPALITY_TYPES:
            raise ValueError(f"KPI {kpi}: municipality_type {municipality_type!r} is not K, L or A")
    blocks: dict[tuple[str, ...], list[str]] = {}
    for kolada_id in sorted(set(kolada_ids)):
        asked = tuple(k for k in sorted(kpis) if is_published_for(kpis[k], kolada_id))
        if asked:
            blocks.setdefault(asked, []).append(kolada_id)
    ordered_years = sorted(set(years))
    root = base_url.rstrip("/")
    plan = []
    for block_kpis, block_ids in blocks.items():
        kpi_size, id_size, year_size = choose_chunk_sizes(
            len(block_kpis), len(block_ids), len(ordered_years)
        )
        for kpi_chunk in split_into_chunks(block_kpis, kpi_size):
            for id_chunk in split_into_chunks(block_ids, id_size):
                for year_chunk in split_into_chunks(ordered_years, year_size):
                    url = (
                        f"{root}/data/kpi/{','.join(kpi_chunk)}"
                        f"/municipality/{','.join(id_chunk)}"
                        f"/year/{','.join(map(str, year_chunk))}?per_page={PER_PAGE}"
                    )
                    plan.append(DataRequest(kpi_chunk, id_chunk, year_chunk, url))
    return plan


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


def read_period(period: Any) -> int | None:
    """A year as Kolada sends it, an integer (v3) or four digits as text (v2); else None."""
    if isinstance(period, str) and YEAR_TEXT_PATTERN.fullmatch(period):
        year = int(period)
    elif isinstance(period, int) and not isinstance(period, bool):
        year = period
    else:
        return None
    return year if 1900 < year < 2200 else None


def check_records(document: Mapping[str, Any], location: str) -> list[dict[str, Any]]:
    """Check the fields parse relies on, naming the first that differs from Kolada's shape."""
    records = document.get("values")
    if not isinstance(records, list):
        raise SourceError(SOURCE, location, "no 'values' list at the top level")
    for index, record in enumerate(records):
        where = f"values[{index}]"
        require(isinstance(record, dict), location, f"{where} is not an object")
        require(isinstance(record.get("kpi"), str), location, f"{where}.kpi is not a string")
        municipality = record.get("municipality")
        require(
            isinstance(municipality, str) and KOLADA_ID_PATTERN.fullmatch(municipality) is not None,
            location,
            f"{where}.municipality {municipality!r} is not a four-digit Kolada id",
        )
        require(
            read_period(record.get("period")) is not None,
            location,
            f"{where}.period {record.get('period')!r} is not a year (an integer or four digits)",
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
            value = read_period(record[field]) if field == "period" else record[field]
            if value not in wanted:
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
    require(
        isinstance(cell.get("isdeleted", False), bool),
        location,
        f"{where}.isdeleted is not true/false",
    )


def require(condition: bool, location: str, detail: str) -> None:
    if not condition:
        raise SourceError(SOURCE, location, detail)


def describe_record(record: Mapping[str, Any]) -> str:
    return f"KPI {record['kpi']}, municipality {record['municipality']}, period {record['period']}"


def check_status(
    cell: Mapping[str, Any], record: Mapping[str, Any], location: str, where: str
) -> None:
    """Accept Kolada's "" and "Missing" with a null value; refuse anything else.

    Raises SourceError naming the status, KPI, municipality and period for "Missing" with a
    value (a contradiction) and for any status this parser does not know.
    """
    status = cell.get("status")
    if status is None or status == "":
        return
    if status == MISSING_STATUS:
        if cell["value"] is None:
            return
        detail = (
            f"{where}.status {status!r} with value {cell['value']!r} ({describe_record(record)}): "
            "a missing figure cannot have a value"
        )
        raise SourceError(SOURCE, location, detail)
    detail = (
        f"{where}.status {status!r} ({describe_record(record)}) is not a status this parser "
        f"knows ({', '.join(repr(known) for known in KNOWN_STATUSES)})"
    )
    raise SourceError(SOURCE, location, detail)


def map_record(
    record: Mapping[str, Any],
    kpi_map: Mapping[str, KpiMapping],
    region_codes: Mapping[str, str],
    location: str,
    where: str,
) -> Iterator[dict[str, Any]]:
    """One canonical row per kept gender cell of a checked record.

    A deleted record (`isdeleted` on the record) or a deleted cell (`isdeleted` on the gender
    cell, where v3 puts it) is a figure Kolada withdrew: it yields no row.
    """
    if record.get("isdeleted", False):
        return
    kpi = record["kpi"]
    if kpi not in kpi_map:
        detail = f"{where}.kpi: KPI {kpi!r} has no mapping (see {KPI_MAP_FILE})"
        raise SourceError(SOURCE, location, detail)
    mapping = kpi_map[kpi]
    municipality = record["municipality"]
    if municipality not in region_codes:
        detail = f"{where}.municipality {municipality!r} is not a Kolada id in {REGIONS_FILE}"
        raise SourceError(SOURCE, location, detail)
    for position, cell in enumerate(record["values"]):
        if cell.get("isdeleted", False):
            continue
        cell_where = f"{where}.values[{position}]"
        if not mapping.is_divided_by_gender and cell["gender"] != "T":
            detail = (
                f"{cell_where}.gender {cell['gender']!r}: KPI {kpi} is not divided by gender "
                f"(see {KPI_MAP_FILE})"
            )
            raise SourceError(SOURCE, location, detail)
        check_status(cell, record, location, cell_where)
        value = cell["value"]
        yield {
            "measure_id": mapping.measure_id,
            "region_code": region_codes[municipality],
            "period": str(read_period(record["period"])),
            "sex": SEX_BY_GENDER[cell["gender"]],
            "age": mapping.age,
            "birth_region": mapping.birth_region,
            "education": mapping.education,
            "value": math.nan if value is None else float(value),
            # An ordinary figure and a Missing one (value null) are both plain: no status.
            "status": None,
        }


# --- skip-if-unchanged: what the server would give, cheaply ------------------------------------


def describe_remote_version(
    session: requests.Session | None = None,
    kpis: Sequence[str] | None = None,
    base_url: str = KOLADA_URL,
    *,
    today: date | None = None,
    timeout: tuple[float, float] | None = None,
) -> str | None:
    """A fingerprint of what a fetch of kpis would bring, from Kolada's KPI metadata.

    One `GET {base_url}/kpi/{id,...}` per 25 KPIs (default: every KPI in kolada_kpis.csv; one
    call). The fingerprint is a sha256 hex of each KPI's `publ_period`, `publication_date` and
    `prel_publication_date`, and of whether each date lies before today (UTC): it changes when
    Kolada announces or moves a publication, and once more the day after a publication date
    has passed, so a publication is noticed even while the metadata still names it.
    Equal strings: nothing new was published since. None: the metadata names no publication
    for any of the KPIs, so there is nothing to compare (fetch). Raises HttpError when the
    server cannot be asked and SourceError when its answer is not the metadata asked for.
    Figures Kolada revises without a new publication date are not seen here.
    """
    session = session or create_session()
    kpis = sorted(kpis if kpis is not None else load_kpi_map())
    today = today or datetime.now(UTC).date()
    found: dict[str, dict[str, Any]] = {}
    for chunk in split_into_chunks(kpis):
        url = f"{base_url.rstrip('/')}/kpi/{','.join(chunk)}"
        for fetched in fetch_pages(session, url, timeout, None):
            document = read_document(fetched.content, fetched.url)
            found |= read_kpi_metadata(document, set(chunk), fetched.url)
    missing = [kpi for kpi in kpis if kpi not in found]
    if missing:
        detail = f"no metadata for {', '.join(missing)} in Kolada's answer"
        raise SourceError(SOURCE, f"{base_url.rstrip('/')}/kpi", detail)
    if all(found[kpi][field] is None for kpi in kpis for field in PUBLICATION_FIELDS):
        return None
    described = [describe_publication(found[kpi], today) for kpi in kpis]
    text = json.dumps(described, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_kpi_metadata(
    document: Mapping[str, Any], asked: set[str], location: str
) -> dict[str, dict[str, Any]]:
    """{kpi_id: its publication fields} from one metadata page, checking what it relies on."""
    items = document.get("values")
    if not isinstance(items, list):
        raise SourceError(SOURCE, location, "no 'values' list at the top level")
    found = {}
    for index, item in enumerate(items):
        where = f"values[{index}]"
        require(isinstance(item, dict), location, f"{where} is not an object")
        kpi = item.get("id")
        require(kpi in asked, location, f"{where}.id {kpi!r} was not asked for")
        for field in PUBLICATION_FIELDS:
            value = item.get(field)
            require(
                value is None or isinstance(value, str),
                location,
                f"{where}.{field} {value!r} is not text or null",
            )
        for field in ("publication_date", "prel_publication_date"):
            if item.get(field) is not None:
                require(
                    read_date(item[field]) is not None,
                    location,
                    f"{where}.{field} {item[field]!r} is not a date (YYYY-MM-DD)",
                )
        found[kpi] = {field: item.get(field) for field in PUBLICATION_FIELDS}
    return found


def read_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else None
    except ValueError:
        return None


def describe_publication(fields: Mapping[str, str | None], today: date) -> dict[str, Any]:
    """A KPI's publication fields and, per date, whether it lies before today."""
    passed = {
        f"{field}_passed": None if fields[field] is None else read_date(fields[field]) < today
        for field in ("publication_date", "prel_publication_date")
    }
    return {**fields, **passed}


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
    parser.add_argument(
        "--regions",
        help="SCB codes and/or groups, comma-separated: 0181,01,00, sodertorn, lan_01 "
        "(default: every kommun, every län and Riket)",
    )
    parser.add_argument(
        "--years", type=parse_years, help=f"2015-2024 or 2023 (default: {FIRST_YEAR} to this year)"
    )
    parser.add_argument("--base-url", default=KOLADA_URL, help=f"API root (default {KOLADA_URL})")


def fetch_from_arguments(args: argparse.Namespace, catalog: Catalog) -> list[Path]:
    regions = (
        resolve_regions(args.regions, catalog) if args.regions else list_default_regions(catalog)
    )
    kpis = args.kpis.split(",") if args.kpis else sorted(load_kpi_map())
    years = args.years or list_default_years()
    with tqdm(desc="kolada: sidor", unit=" sida", file=sys.stderr) as bar:
        return fetch(
            kpis,
            regions,
            years,
            base_url=args.base_url,
            catalog=catalog,
            progress=lambda url: bar.update(1),
        )


def describe_version_from_arguments(args: argparse.Namespace, catalog: Catalog) -> str | None:
    """describe_remote_version() for the KPIs `fetch kolada` was given (default: all).

    Regions and years do not enter it: Kolada publishes a KPI for all regions at once.
    """
    kpis = args.kpis.split(",") if args.kpis else None
    return describe_remote_version(kpis=kpis, base_url=args.base_url)


FETCHER = Fetcher(
    command="kolada",
    label="Kolada",
    help="Kolada (RKA) key figures through API v3",
    add_arguments=add_fetch_arguments,
    run=fetch_from_arguments,
    version=describe_version_from_arguments,
    examples=(
        "python -m etl fetch kolada   # every KPI, kommun, län and Riket, 2010 to this year",
        "python -m etl fetch kolada --kpis N03920,N03935 --regions 0181,0136 --years 2023",
    ),
)
