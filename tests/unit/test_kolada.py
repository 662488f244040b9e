"""Kolada v3: parse() on recorded-format pages, fetch() against a real HTTP server on 127.0.0.1."""

import hashlib
import json
import math
import time
from pathlib import Path
from typing import Any

import pytest

from etl.errors import SourceError
from etl.http import HttpError, create_session
from etl.raw import PROVENANCE_SUFFIX
from etl.sources import kolada
from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog
from labourmarket.core.schema import PARSED_COLUMNS
from tests.http_server import Reply, serve

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "kolada"
KPI_MAP = kolada.load_kpi_map(paths.REPO_DIR / "data" / "reference" / kolada.KPI_MAP_FILE)
RECORDED_BASE = b"https://api.kolada.se/v3"
DATA_PATH = "/v3/data/kpi/N03920,N03935/municipality/0000,0001,0181/year/2023"
FAST_TIMEOUT = (1.0, 0.3)


def read_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def edit_fixture(name: str, change: Any) -> bytes:
    """Load a fixture as JSON, let change() mutate it, and return the new bytes."""
    document = json.loads(read_fixture(name))
    change(document)
    return json.dumps(document).encode("utf-8")


def fast_session() -> Any:
    return create_session(total_retries=2, backoff_factor=0.01)


def raw_kolada_files(data_tree: Path) -> list[Path]:
    directory = data_tree / "raw" / "kolada"
    return sorted(directory.iterdir()) if directory.exists() else []


# --- parse -------------------------------------------------------------------------------------


def test_parse_of_a_saved_page_places_kpis_by_the_reference_map() -> None:
    catalog = load_catalog(paths.REPO_DIR / "data" / "reference")
    raw = read_fixture("page1.json")
    frame = kolada.parse(raw, {"file": "page1.json"}, catalog)
    assert frame.equals(kolada.parse_page(raw, KPI_MAP, "page1.json"))


def test_parse_returns_exactly_the_canonical_columns() -> None:
    frame = kolada.parse_page(read_fixture("page1.json"), KPI_MAP)
    assert list(frame.columns) == PARSED_COLUMNS
    assert len(frame) == 9
    assert frame["value"].dtype == "float64"


@pytest.mark.parametrize(
    ("fixture", "region_code", "sex", "age", "value"),
    [
        ("page1.json", "00", "total", "total", 6.1),
        ("page1.json", "00", "women", "total", 5.8),
        ("page1.json", "00", "men", "total", 6.3),
        ("page1.json", "01", "total", "total", 5.6),
        ("page1.json", "0181", "women", "total", 10.4),
        ("page1.json", "0181", "total", "total", 11.1),
        ("page2.json", "0181", "men", "18-24", 9.7),
        ("page2.json", "0181", "total", "18-24", 8.3),
    ],
)
def test_parse_maps_regions_genders_and_kpis(
    fixture: str, region_code: str, sex: str, age: str, value: float
) -> None:
    frame = kolada.parse_page(read_fixture(fixture), KPI_MAP)
    row = frame[(frame["region_code"] == region_code) & (frame["sex"] == sex)].iloc[0]
    assert row["measure_id"] == "kolada_arbetslosa_befolkning"
    assert row["period"] == "2023"
    assert (row["age"], row["birth_region"], row["education"]) == (age, "total", "total")
    assert row["value"] == value
    assert row["status"] is None


def test_parse_keeps_a_null_value_missing_never_zero() -> None:
    frame = kolada.parse_page(read_fixture("page2.json"), KPI_MAP)
    women = frame[frame["sex"] == "women"].iloc[0]
    assert math.isnan(women["value"])
    assert women["status"] is None


def test_parse_drops_deleted_rows() -> None:
    """With from_date Kolada sends isdeleted; a deleted figure must not reach the clean data."""
    frame = kolada.parse_page(read_fixture("from_date.json"), KPI_MAP)
    assert frame[["measure_id", "region_code", "period", "value"]].values.tolist() == [
        ["kolada_arbetslosa_bas", "01", "2024", 6.4]
    ]


@pytest.mark.parametrize(
    ("kpi", "measure_id", "age", "birth_region"),
    [
        ("N03920", "kolada_arbetslosa_befolkning", "total", "total"),
        ("N03935", "kolada_arbetslosa_befolkning", "18-24", "total"),
        ("N03950", "kolada_arbetslosa_befolkning", "25-65", "total"),
        ("N03941", "kolada_arbetslosa_bas", "total", "total"),
        ("N03942", "kolada_arbetslosa_bas", "18-24", "total"),
        ("N03943", "kolada_arbetslosa_bas", "25-65", "total"),
        ("N02280", "kolada_arbetsloshet_bas_20_64", "total", "total"),
        ("N02281", "kolada_arbetsloshet_bas_20_64", "total", "born_in_sweden"),
        ("N02282", "kolada_arbetsloshet_bas_20_64", "total", "foreign_born"),
        ("N03952", "kolada_langtidsarbetslosa_befolkning", "total", "total"),
        ("N03951", "kolada_langtidsarbetslosa_befolkning", "18-24", "total"),
        ("N03926", "kolada_langtidsarbetslosa_befolkning", "25-65", "total"),
    ],
)
def test_kpi_map_gives_each_kpi_its_group(
    kpi: str, measure_id: str, age: str, birth_region: str
) -> None:
    def set_kpi(document: dict) -> None:
        document["values"][0]["kpi"] = kpi

    frame = kolada.parse_page(edit_fixture("from_date.json", set_kpi), KPI_MAP)
    row = frame.iloc[0]
    assert (row["measure_id"], row["age"], row["birth_region"]) == (measure_id, age, birth_region)
    assert row["education"] == "total"


def test_kpi_map_has_one_group_per_key() -> None:
    """Two KPIs mapped to the same measure and group would collide in the clean key."""
    groups = [tuple(group.values()) for group in KPI_MAP.values()]
    assert len(groups) == len(set(groups))


@pytest.mark.parametrize(
    ("kolada_id", "scb_code"),
    [("0000", "00"), ("0001", "01"), ("0025", "25"), ("0181", "0181"), ("2580", "2580")],
)
def test_region_codes_convert_both_ways(kolada_id: str, scb_code: str) -> None:
    assert kolada.convert_to_scb_code(kolada_id) == scb_code
    assert kolada.convert_to_kolada_id(scb_code) == kolada_id
    assert kolada.convert_to_kolada_id(kolada_id) == kolada_id


@pytest.mark.parametrize("region", ["0", "181", "G12345", "Riket", ""])
def test_convert_to_kolada_id_refuses_other_codes(region: str) -> None:
    with pytest.raises(ValueError, match="neither an SCB code nor a Kolada id"):
        kolada.convert_to_kolada_id(region)


def set_path(document: dict, path: tuple[Any, ...], value: Any) -> None:
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("values",), {"kpi": "N03920"}, "no 'values' list"),
        (("values", 0), "N03920", r"values\[0\] is not an object"),
        (("values", 0, "kpi"), None, r"values\[0\]\.kpi is not a string"),
        (("values", 1, "municipality"), "181", r"values\[1\]\.municipality '181'"),
        (("values", 2, "period"), "2023", r"values\[2\]\.period '2023' is not a year"),
        (("values", 0, "values"), None, r"values\[0\]\.values is not a list"),
        (("values", 0, "values", 1, "gender"), "F", r"values\[0\]\.values\[1\]\.gender 'F'"),
        (("values", 0, "values", 2, "value"), "6,1", r"values\[0\]\.values\[2\]\.value '6,1'"),
        (("values", 0, "values", 2, "status"), "X", r"values\[0\]\.values\[2\]\.status 'X'"),
        (("values", 0, "kpi"), "N99999", "KPI 'N99999' has no mapping"),
        (("values", 1, "municipality"), "0000", "6 rows share a key"),
    ],
)
def test_parse_names_the_field_of_a_changed_shape(
    path: tuple[Any, ...], value: Any, message: str
) -> None:
    raw = edit_fixture("page1.json", lambda document: set_path(document, path, value))
    with pytest.raises(SourceError, match=message) as caught:
        kolada.parse_page(raw, KPI_MAP, location="page1.json")
    assert caught.value.source == "kolada"
    assert caught.value.location == "page1.json"


def test_parse_refuses_the_changed_shape_fixture() -> None:
    with pytest.raises(SourceError, match=r"values\[0\]\.values is not a list"):
        kolada.parse_page(read_fixture("changed_shape.json"), KPI_MAP)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<html>Service Unavailable</html>", "not JSON"),
        (b'["values"]', "top level is list"),
        ('{"values": []}'.encode("utf-16"), "not UTF-8"),
    ],
)
def test_parse_refuses_bytes_that_are_not_a_kolada_page(raw: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        kolada.parse_page(raw, KPI_MAP)


def test_parse_accepts_a_byte_order_mark_and_an_empty_page() -> None:
    frame = kolada.parse_page(b'\xef\xbb\xbf{"values": [], "count": 0, "next_url": null}', KPI_MAP)
    assert frame.empty
    assert list(frame.columns) == PARSED_COLUMNS


@pytest.mark.parametrize(
    ("count", "sizes"), [(1, [1]), (25, [25]), (26, [25, 1]), (30, [25, 5]), (51, [25, 25, 1])]
)
def test_split_into_chunks_keeps_order_within_the_limit(count: int, sizes: list[int]) -> None:
    items = list(range(count))
    chunks = list(kolada.split_into_chunks(items))
    assert [len(chunk) for chunk in chunks] == sizes
    assert [item for chunk in chunks for item in chunk] == items


# --- fetch -------------------------------------------------------------------------------------


def serve_two_pages(routes: dict, base: str, page2: Any = None) -> tuple[bytes, bytes]:
    """Register the recorded two-page answer, with next_url pointing at this server."""
    page1 = read_fixture("page1.json").replace(RECORDED_BASE, base.encode() + b"/v3")
    page2_bytes = read_fixture("page2.json").replace(RECORDED_BASE, base.encode() + b"/v3")
    routes[f"{DATA_PATH}?per_page=5000"] = Reply(body=page1)
    routes[f"{DATA_PATH}?per_page=5000&page=2"] = page2 or Reply(body=page2_bytes)
    return page1, page2_bytes


def fetch_two_pages(base: str, **options: Any) -> list[Path]:
    options.setdefault("session", fast_session())
    options.setdefault("timeout", FAST_TIMEOUT)
    return kolada.fetch(
        ["N03920", "N03935"], ["00", "01", "0181"], [2023], base_url=f"{base}/v3", **options
    )


def test_fetch_follows_next_url_and_saves_exact_bytes(data_tree: Path) -> None:
    routes: dict = {}
    seen_urls: list[str] = []
    with serve(routes) as server:
        page1, page2 = serve_two_pages(routes, server.url)
        saved = fetch_two_pages(server.url, progress=seen_urls.append)
    assert [r.query for r in server.requests] == ["per_page=5000", "per_page=5000&page=2"]
    assert server.paths() == [DATA_PATH, DATA_PATH]
    assert seen_urls == [
        f"{server.url}{DATA_PATH}?per_page=5000",
        f"{server.url}{DATA_PATH}?per_page=5000&page=2",
    ]
    assert [path.read_bytes() for path in saved] == [page1, page2]
    digest = hashlib.sha256(seen_urls[0].encode()).hexdigest()[:12]
    assert [path.name for path in saved] == [
        f"N03920+1_0000+2_2023_p1_{digest}.json",
        f"N03920+1_0000+2_2023_p2_{digest}.json",
    ]
    assert all(path.parent == data_tree / "raw" / "kolada" for path in saved)
    sidecar = json.loads((saved[1].parent / f"{saved[1].stem}{PROVENANCE_SUFFIX}").read_text())
    assert sidecar["source_id"] == "kolada"
    assert sidecar["url"] == seen_urls[1]
    assert sidecar["request_url"] == seen_urls[0]
    assert sidecar["page"] == 2
    assert sidecar["sha256"] == hashlib.sha256(page2).hexdigest()
    assert len(kolada.parse_page(saved[0].read_bytes(), KPI_MAP)) == 9


def test_fetch_names_files_the_same_way_every_time(data_tree: Path) -> None:
    routes: dict = {}
    with serve(routes) as server:
        serve_two_pages(routes, server.url)
        first = fetch_two_pages(server.url)
        second = fetch_two_pages(server.url)
    assert first == second
    assert len(raw_kolada_files(data_tree)) == 4  # two pages, each with its sidecar


def test_fetch_splits_long_region_lists_into_chunks_of_25(data_tree: Path) -> None:
    """30 regions in SCB form: two requests, 25 + 5 ids, Riket and a county converted."""
    kommuner = [f"01{number:02d}" for number in range(14, 42)]
    regions = ["00", "01", *kommuner]
    ids = ["0000", "0001", *kommuner]
    expected = [
        f"/v3/data/kpi/N03941/municipality/{','.join(ids[:25])}/year/2022,2023",
        f"/v3/data/kpi/N03941/municipality/{','.join(ids[25:])}/year/2022,2023",
    ]
    empty = Reply(body=b'{"count": 0, "next_url": null, "previous_url": null, "values": []}')
    with serve(dict.fromkeys(expected, empty)) as server:
        saved = kolada.fetch(["N03941"], regions, [2022, 2023], fast_session(), f"{server.url}/v3")
    assert server.paths() == expected
    assert all(request.query == "per_page=5000" for request in server.requests)
    assert len(saved) == 2


@pytest.mark.parametrize(
    ("first", "minimum_seconds"),
    [
        (Reply(429, {"Retry-After": "1"}, b"Too Many Requests"), 1.0),
        (Reply(500, body=b"Internal Server Error"), 0.0),
        (Reply(503, body=b"Service Unavailable"), 0.0),
    ],
)
def test_fetch_retries_a_refusal_then_succeeds(
    data_tree: Path, first: Reply, minimum_seconds: float
) -> None:
    routes: dict = {}
    with serve(routes) as server:
        page1, page2 = serve_two_pages(routes, server.url)
        routes[f"{DATA_PATH}?per_page=5000"] = [first, Reply(body=page1)]
        started = time.monotonic()
        saved = fetch_two_pages(server.url)
        elapsed = time.monotonic() - started
    assert len(server.requests) == 3
    assert elapsed >= minimum_seconds  # Retry-After was honoured
    assert [path.read_bytes() for path in saved] == [page1, page2]


def cut_off(body: bytes) -> Reply:
    return Reply(body=body[: len(body) // 2], content_length=len(body))


@pytest.mark.parametrize(
    ("page2", "error", "message"),
    [
        (Reply(500, body=b"Internal Server Error"), HttpError, "HTTP 500"),
        (Reply(404, body=b"Not Found"), HttpError, "HTTP 404"),
        (Reply(body=read_fixture("page2.json"), delay=2.0), HttpError, "timed out"),
        (cut_off(read_fixture("page2.json")), HttpError, "cut off"),
        (Reply(body=read_fixture("changed_shape.json")), SourceError, "values is not a list"),
        (Reply(body=b"<html>maintenance</html>"), SourceError, "not JSON"),
    ],
    ids=["500", "404", "read-timeout", "truncated-body", "changed-shape", "html"],
)
def test_fetch_failure_on_page_2_names_the_url_and_writes_nothing(
    data_tree: Path, page2: Reply, error: type[Exception], message: str
) -> None:
    """Page 1 arrived fine, page 2 did not: nothing may land in data/raw/kolada."""
    routes: dict = {}
    with serve(routes) as server:
        serve_two_pages(routes, server.url, page2=page2)
        with pytest.raises(error, match=message) as caught:
            fetch_two_pages(server.url)
    assert f"{DATA_PATH}?per_page=5000&page=2" in str(caught.value)
    assert raw_kolada_files(data_tree) == []


def test_fetch_failure_in_a_later_chunk_writes_nothing(data_tree: Path) -> None:
    kommuner = [f"01{number:02d}" for number in range(14, 44)]
    first = f"/v3/data/kpi/N03920/municipality/{','.join(kommuner[:25])}/year/2023"
    second = f"/v3/data/kpi/N03920/municipality/{','.join(kommuner[25:])}/year/2023"
    routes = {
        first: Reply(body=b'{"count": 0, "next_url": null, "values": []}'),
        second: Reply(502, body=b"Bad Gateway"),
    }
    with serve(routes) as server, pytest.raises(HttpError, match="HTTP 502") as caught:
        kolada.fetch(["N03920"], kommuner, [2023], fast_session(), f"{server.url}/v3")
    assert second in str(caught.value)
    assert server.paths() == [first, *[second] * 3]  # two retries, then it gives up
    assert raw_kolada_files(data_tree) == []


def test_fetch_refuses_a_kpi_it_did_not_ask_for(data_tree: Path) -> None:
    """Asked for N03920 only, the server answers with N03935: a wrong answer, not extra data."""
    path = "/v3/data/kpi/N03920/municipality/0000,0001,0181/year/2023"
    routes = {path: Reply(body=read_fixture("page2.json"))}
    expected = pytest.raises(SourceError, match="KPI 'N03935' has no mapping")
    with serve(routes) as server, expected as caught:
        kolada.fetch(["N03920"], ["00", "01", "0181"], [2023], fast_session(), server.url + "/v3")
    assert path in str(caught.value)
    assert raw_kolada_files(data_tree) == []
