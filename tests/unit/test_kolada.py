"""Kolada v3: parse() on recorded-format pages, the call plan, fetch() on a loopback HTTP server."""

import argparse
import hashlib
import json
import math
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pytest

from etl.__main__ import main
from etl.errors import SourceError
from etl.http import HttpError, create_session
from etl.raw import PROVENANCE_SUFFIX
from etl.sources import kolada
from labourmarket.core import paths, store
from labourmarket.core.catalog import load_catalog
from labourmarket.core.schema import PARSED_COLUMNS
from tests.http_server import Reply, Request, serve

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "kolada"
REFERENCE = paths.REPO_DIR / "data" / "reference"
CATALOG = load_catalog(REFERENCE)
KPI_MAP = kolada.load_kpi_map(REFERENCE / kolada.KPI_MAP_FILE)
REGION_CODES = kolada.load_region_codes(CATALOG)
KPI_TYPES = {kpi: mapping.municipality_type for kpi, mapping in KPI_MAP.items()}
ALL_IDS = sorted(REGION_CODES)  # Riket, the 21 län and the 290 kommuner as Kolada names them
COUNTIES = sorted(CATALOG.regions.query("level == 'county'")["region_code"])
KOMMUNER = sorted(CATALOG.regions.query("level == 'municipality'")["region_code"])
DATA_PATH = "/v3/data/kpi/N03920/municipality/0000,0001,0181/year/2023"
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


def parse_saved(saved: list[Path]) -> pd.DataFrame:
    """Parse saved pages as the build does: through parse() with each page's sidecar."""
    frames = []
    for path in saved:
        sidecar = json.loads((path.parent / f"{path.stem}{PROVENANCE_SUFFIX}").read_text())
        frames.append(kolada.parse(path.read_bytes(), sidecar, CATALOG))
    return pd.concat(frames, ignore_index=True)


# --- the recorded shape, written by code ---------------------------------------------------------
# Kolada v3's data answer: {"values": [record...], "count", "next_url", "previous_url"}; a record
# {"kpi", "municipality", "period", "values": [cell...]}, a cell {"count", "gender", "isdeleted",
# "status", "value"} (v3 puts isdeleted on the cell; with from_date, on the record too).


def build_cell(
    gender: str, value: float | None, status: str = "", isdeleted: bool | None = False
) -> dict[str, Any]:
    cell: dict[str, Any] = {"count": 1, "gender": gender}
    if isdeleted is not None:
        cell["isdeleted"] = isdeleted
    return cell | {"status": status, "value": value}


def build_record(
    kpi: str,
    municipality: str,
    period: Any,
    cells: list[dict[str, Any]],
    isdeleted: bool | None = None,
) -> dict[str, Any]:
    record: dict[str, Any] = {} if isdeleted is None else {"isdeleted": isdeleted}
    return record | {"kpi": kpi, "municipality": municipality, "period": period, "values": cells}


def build_page(
    records: list[dict[str, Any]], next_link: str | None = None, next_key: str = "next_url"
) -> bytes:
    """One answer page; v2 named the links next_page/previous_page."""
    previous_key = next_key.replace("next", "previous")
    page = {"values": records, "count": len(records), next_key: next_link, previous_key: None}
    return json.dumps(page, ensure_ascii=False).encode("utf-8")


def build_tkm(value: float) -> list[dict[str, Any]]:
    """Total, women and men cells around one value (women 0.3 below, men 0.3 above)."""
    return [
        build_cell("K", round(value - 0.3, 1)),
        build_cell("M", round(value + 0.3, 1)),
        build_cell("T", value),
    ]


# --- parse ---------------------------------------------------------------------------------------


def test_parse_of_a_saved_page_places_kpis_and_regions_by_the_reference_tables() -> None:
    raw = read_fixture("page1.json")
    frame = kolada.parse(raw, {"file": "page1.json"}, CATALOG)
    assert frame.equals(kolada.parse_page(raw, KPI_MAP, REGION_CODES, "page1.json"))


def test_parse_returns_exactly_the_canonical_columns() -> None:
    frame = kolada.parse_page(read_fixture("page1.json"), KPI_MAP, REGION_CODES)
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
    frame = kolada.parse_page(read_fixture(fixture), KPI_MAP, REGION_CODES)
    row = frame[(frame["region_code"] == region_code) & (frame["sex"] == sex)].iloc[0]
    assert row["measure_id"] == "kolada_arbetslosa_befolkning"
    assert row["period"] == "2023"
    assert (row["age"], row["birth_region"], row["education"]) == (age, "total", "total")
    assert row["value"] == value
    assert row["status"] is None


def test_parse_keeps_a_null_value_missing_never_zero() -> None:
    frame = kolada.parse_page(read_fixture("page2.json"), KPI_MAP, REGION_CODES)
    women = frame[frame["sex"] == "women"].iloc[0]
    assert math.isnan(women["value"])
    assert women["status"] is None


def test_parse_drops_deleted_records() -> None:
    """With from_date Kolada sends isdeleted; a deleted figure must not reach the clean data."""
    frame = kolada.parse_page(read_fixture("from_date.json"), KPI_MAP, REGION_CODES)
    assert frame[["measure_id", "region_code", "period", "value"]].values.tolist() == [
        ["kolada_arbetslosa_bas", "01", "2024", 6.4]
    ]


@pytest.mark.parametrize(
    ("kpi", "measure_id", "age", "birth_region", "municipality_type"),
    [
        ("N03920", "kolada_arbetslosa_befolkning", "total", "total", "A"),
        ("N03935", "kolada_arbetslosa_befolkning", "18-24", "total", "K"),
        ("N03950", "kolada_arbetslosa_befolkning", "25-65", "total", "A"),
        ("N03941", "kolada_arbetslosa_bas", "total", "total", "A"),
        ("N03942", "kolada_arbetslosa_bas", "18-24", "total", "A"),
        ("N03943", "kolada_arbetslosa_bas", "25-65", "total", "A"),
        ("N02280", "kolada_arbetsloshet_bas_20_64", "total", "total", "A"),
        ("N02281", "kolada_arbetsloshet_bas_20_64", "total", "born_in_sweden", "A"),
        ("N02282", "kolada_arbetsloshet_bas_20_64", "total", "foreign_born", "A"),
        ("N03952", "kolada_langtidsarbetslosa_befolkning", "total", "total", "A"),
        ("N03951", "kolada_langtidsarbetslosa_befolkning", "18-24", "total", "A"),
        ("N03926", "kolada_langtidsarbetslosa_befolkning", "25-65", "total", "A"),
    ],
)
def test_kpi_map_gives_each_kpi_its_group_and_kolada_metadata(
    kpi: str, measure_id: str, age: str, birth_region: str, municipality_type: str
) -> None:
    """municipality_type and is_divided_by_gender as in Kolada's KPI metadata (2026-03)."""

    def set_kpi(document: dict) -> None:
        document["values"][0]["kpi"] = kpi

    frame = kolada.parse_page(edit_fixture("from_date.json", set_kpi), KPI_MAP, REGION_CODES)
    row = frame.iloc[0]
    assert (row["measure_id"], row["age"], row["birth_region"]) == (measure_id, age, birth_region)
    assert row["education"] == "total"
    assert KPI_MAP[kpi].municipality_type == municipality_type
    assert KPI_MAP[kpi].is_divided_by_gender is True


def test_kpi_map_has_one_group_per_key() -> None:
    """Two KPIs mapped to the same measure and group would collide in the clean key."""
    groups = [mapping.group for mapping in KPI_MAP.values()]
    assert len(groups) == len(set(groups))


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("municipality_type", "X", "municipality_type 'X' is not K, L or A"),
        ("is_divided_by_gender", "ja", "is_divided_by_gender 'ja' is not true/false"),
        ("measure_id", "", "empty measure_id"),
    ],
)
def test_kpi_map_names_a_bad_line(tmp_path: Path, column: str, value: str, message: str) -> None:
    frame = pd.read_csv(REFERENCE / kolada.KPI_MAP_FILE, dtype=str, keep_default_na=False)
    frame.loc[2, column] = value
    path = tmp_path / kolada.KPI_MAP_FILE
    frame.to_csv(path, index=False)
    with pytest.raises(SourceError, match=message) as caught:
        kolada.load_kpi_map(path)
    assert caught.value.location.endswith("line 4")


@pytest.mark.parametrize(
    ("kolada_id", "scb_code"),
    [("0000", "00"), ("0001", "01"), ("0025", "25"), ("0009", "09"), ("0181", "0181")],
)
def test_region_codes_come_from_regions_csv(kolada_id: str, scb_code: str) -> None:
    assert REGION_CODES[kolada_id] == scb_code
    assert kolada.convert_to_kolada_id(scb_code) == kolada_id
    assert kolada.convert_to_kolada_id(kolada_id) == kolada_id


def test_regions_csv_follows_koladas_id_rule_for_every_region() -> None:
    """Riket 0000, 21 län 00LL, 290 kommuner: fetch converts by the rule, parse by the file."""
    assert len(REGION_CODES) == 312
    assert Counter(CATALOG.regions["level"]) == {"municipality": 290, "county": 21, "country": 1}
    assert all(kolada.convert_to_kolada_id(code) == id_ for id_, code in REGION_CODES.items())


@pytest.mark.parametrize("region", ["0", "181", "G12345", "Riket", "", "0181\n", "０１"])
def test_convert_to_kolada_id_refuses_other_codes(region: str) -> None:
    with pytest.raises(ValueError, match="neither an SCB code nor a Kolada id"):
        kolada.convert_to_kolada_id(region)


def test_fetch_refuses_a_region_regions_csv_cannot_place() -> None:
    with pytest.raises(SourceError, match=r"no Kolada id for region\(s\) 0199, 26") as caught:
        kolada.convert_regions_to_kolada_ids(["0181", "0199", "26"], REGION_CODES)
    assert caught.value.location == "regions.csv"


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
        (("values", 1, "municipality"), "0099", r"'0099' is not a Kolada id in regions.csv"),
        (("values", 2, "period"), "23", r"values\[2\]\.period '23' is not a year"),
        (("values", 2, "period"), "2023-01", r"values\[2\]\.period '2023-01' is not a year"),
        (("values", 2, "period"), "２０２３", r"values\[2\]\.period '２０２３' is not a year"),
        (("values", 2, "period"), 2023.0, r"values\[2\]\.period 2023.0 is not a year"),
        (("values", 2, "period"), True, r"values\[2\]\.period True is not a year"),
        (("values", 2, "isdeleted"), "ja", r"values\[2\]\.isdeleted is not true/false"),
        (("values", 0, "values"), None, r"values\[0\]\.values is not a list"),
        (("values", 0, "values", 1, "gender"), "F", r"values\[0\]\.values\[1\]\.gender 'F'"),
        (("values", 0, "values", 2, "value"), "6,1", r"values\[0\]\.values\[2\]\.value '6,1'"),
        (
            ("values", 0, "values", 2, "isdeleted"),
            1,
            r"values\[0\]\.values\[2\]\.isdeleted is not true/false",
        ),
        (
            ("values", 0, "values", 2, "status"),
            "X",
            r"values\[0\]\.values\[2\]\.status 'X' \(KPI N03920, municipality 0000, period 2023\)"
            " is not a status this parser knows",
        ),
        (("values", 0, "kpi"), "N99999", "KPI 'N99999' has no mapping"),
        (("values", 1, "municipality"), "0000", "6 rows share a key"),
    ],
)
def test_parse_names_the_field_of_a_changed_shape(
    path: tuple[Any, ...], value: Any, message: str
) -> None:
    raw = edit_fixture("page1.json", lambda document: set_path(document, path, value))
    with pytest.raises(SourceError, match=message) as caught:
        kolada.parse_page(raw, KPI_MAP, REGION_CODES, location="page1.json")
    assert caught.value.source == "kolada"
    assert caught.value.location == "page1.json"


def test_parse_refuses_the_changed_shape_fixture() -> None:
    with pytest.raises(SourceError, match=r"values\[0\]\.values is not a list"):
        kolada.parse_page(read_fixture("changed_shape.json"), KPI_MAP, REGION_CODES)


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
        kolada.parse_page(raw, KPI_MAP, REGION_CODES)


def test_parse_accepts_a_byte_order_mark_and_an_empty_page() -> None:
    raw = b'\xef\xbb\xbf{"values": [], "count": 0, "next_url": null}'
    frame = kolada.parse_page(raw, KPI_MAP, REGION_CODES)
    assert frame.empty
    assert list(frame.columns) == PARSED_COLUMNS


@pytest.mark.parametrize(
    ("gender", "expected"),
    [("T", [("total", 4.2)]), ("K", "KPI N03920 is not divided by gender")],
)
def test_parse_refuses_a_gender_cell_of_a_kpi_not_divided_by_gender(
    tmp_path: Path, gender: str, expected: Any
) -> None:
    frame = pd.read_csv(REFERENCE / kolada.KPI_MAP_FILE, dtype=str, keep_default_na=False)
    frame.loc[frame["kpi_id"] == "N03920", "is_divided_by_gender"] = "false"
    frame.to_csv(tmp_path / kolada.KPI_MAP_FILE, index=False)
    kpi_map = kolada.load_kpi_map(tmp_path / kolada.KPI_MAP_FILE)
    raw = build_page([build_record("N03920", "0181", 2023, [build_cell(gender, 4.2)])])
    if isinstance(expected, str):
        with pytest.raises(SourceError, match=rf"values\[0\]\.values\[0\]\.gender 'K': {expected}"):
            kolada.parse_page(raw, kpi_map, REGION_CODES)
        return
    frame = kolada.parse_page(raw, kpi_map, REGION_CODES)
    assert list(zip(frame["sex"], frame["value"], strict=True)) == expected


# --- the call plan -------------------------------------------------------------------------------


def list_asked(plan: list[kolada.DataRequest]) -> list[tuple[str, str, int]]:
    return [
        (kpi, id_, year)
        for request in plan
        for kpi in request.kpis
        for id_ in request.kolada_ids
        for year in request.years
    ]


def list_wanted(
    types: dict[str, str], ids: list[str], years: list[int]
) -> set[tuple[str, str, int]]:
    return {
        (kpi, id_, year)
        for kpi, municipality_type in types.items()
        for id_ in ids
        if kolada.is_published_for(municipality_type, id_)
        for year in years
    }


def check_plan(plan: list[kolada.DataRequest], types: dict, ids: list, years: list) -> None:
    """Within the limits, every wanted figure asked exactly once, nothing else asked."""
    for request in plan:
        assert max(len(request.kpis), len(request.kolada_ids), len(request.years)) <= 25
        assert request.most_records <= kolada.PER_PAGE
        path = urlsplit(request.url).path
        assert path == (
            f"/v3/data/kpi/{','.join(request.kpis)}/municipality/{','.join(request.kolada_ids)}"
            f"/year/{','.join(map(str, request.years))}"
        )
        assert urlsplit(request.url).query == "per_page=5000"
    asked = list_asked(plan)
    assert len(asked) == len(set(asked))
    assert set(asked) == list_wanted(types, ids, years)


def test_default_plan_asks_every_region_in_14_calls() -> None:
    """12 KPIs x 312 regions x 2010-2026: 13 calls for the 290 kommuner with Riket (22-23
    regions x 12 KPIs x 17 years, at most 4692 records), 1 for the 21 län (11 KPIs, 3927
    records). 13 calls cannot do it: see plan_requests()'s docstring."""
    years = list(range(2010, 2027))
    plan = kolada.plan_requests(KPI_TYPES, ALL_IDS, years)
    assert len(plan) == 14
    check_plan(plan, KPI_TYPES, ALL_IDS, years)
    kommun_calls, lan_call = plan[:13], plan[13]
    assert all("N03935" in request.kpis for request in kommun_calls)
    assert sum(len(request.kolada_ids) for request in kommun_calls) == 291
    assert "0000" in kommun_calls[0].kolada_ids  # Riket is asked for N03935 too
    assert "N03935" not in lan_call.kpis
    assert lan_call.kolada_ids == [f"00{code}" for code in COUNTIES]


@pytest.mark.parametrize(
    ("types", "ids", "years", "calls"),
    [
        ({"N03920": "A"}, ["0181"], [2023], 1),
        ({"N03920": "A"}, ALL_IDS[:25], [2023], 1),
        ({"N03920": "A"}, ALL_IDS[:26], [2023], 2),  # 13 + 13 ids
        ({"N03935": "K"}, ["0001", "0003"], [2023], 0),  # a kommun KPI is not asked for a län
        ({"N03935": "K"}, ["0000", "0001", "0181"], [2023], 1),  # but for Riket and kommuner
        ({"N03920": "A", "N03935": "K"}, ["0000", "0001", "0181"], [2023], 2),
        ({"L1": "L"}, ["0000", "0001", "0181"], [2023], 1),  # a region KPI: Riket and län
        # 25 KPIs x 25 ids x 8 years = 5000 records: one full call; a 9th year needs two.
        ({f"N{n:05}": "A" for n in range(25)}, ALL_IDS[:25], list(range(2010, 2018)), 1),
        ({f"N{n:05}": "A" for n in range(25)}, ALL_IDS[:25], list(range(2010, 2019)), 2),
        # 26 KPIs: the KPI list splits (13 + 13), 13 x 25 x 15 = 4875 records per call.
        ({f"N{n:05}": "A" for n in range(26)}, ALL_IDS[:25], list(range(2010, 2025)), 2),
        (KPI_TYPES, ALL_IDS, list(range(2010, 2028)), 14),  # 18 years: 12 x 23 x 18 = 4968
        (KPI_TYPES, ALL_IDS, list(range(2010, 2029)), 15),  # 19 years: 21 regions per call
    ],
    ids=[
        "one-figure",
        "25-ids",
        "26-ids",
        "K-for-lan",
        "K-for-riket-and-kommun",
        "A-and-K",
        "L",
        "25x25x8",
        "25x25x9",
        "26-kpis",
        "default-18-years",
        "default-19-years",
    ],
)
def test_plan_takes_the_fewest_calls_within_the_limits(
    types: dict[str, str], ids: list[str], years: list[int], calls: int
) -> None:
    plan = kolada.plan_requests(types, ids, years, "https://api.kolada.se/v3")
    assert len(plan) == calls
    check_plan(plan, types, ids, years)


def test_plan_refuses_what_it_cannot_ask() -> None:
    with pytest.raises(ValueError, match="at least one KPI, one region and one year"):
        kolada.plan_requests(KPI_TYPES, ALL_IDS, [])
    with pytest.raises(ValueError, match="KPI N03920: municipality_type 'X'"):
        kolada.plan_requests({"N03920": "X"}, ALL_IDS, [2023])


@pytest.mark.parametrize(
    ("count", "size", "sizes"),
    [
        (1, 25, [1]),
        (25, 25, [25]),
        (26, 25, [13, 13]),
        (30, 25, [15, 15]),
        (51, 25, [17, 17, 17]),
        (291, 23, [23] * 5 + [22] * 8),
    ],
)
def test_split_into_chunks_keeps_order_and_evens_the_chunks(
    count: int, size: int, sizes: list[int]
) -> None:
    items = list(range(count))
    chunks = list(kolada.split_into_chunks(items, size))
    assert [len(chunk) for chunk in chunks] == sizes
    assert [item for chunk in chunks for item in chunk] == items


# --- fetch: the recorded shapes through the real HTTP code ---------------------------------------

ONE_KPI_PATH = "/v3/data/kpi/N03920/municipality/0181/year/2022,2023"


def serve_pages(records_by_page: list[list[dict]], next_key: str) -> Any:
    """A route function: page n of ONE_KPI_PATH, each page linking to the next by next_key."""

    def answer(request: Request) -> Reply:
        query = dict(part.split("=") for part in request.query.split("&"))
        number = int(query.get("page", "1"))
        last = number == len(records_by_page)
        link = None if last else f"{ONE_KPI_PATH}?per_page=5000&page={number + 1}"
        return Reply(body=build_page(records_by_page[number - 1], link, next_key))

    return answer


@pytest.mark.parametrize(
    ("pages", "next_key", "expected"),
    [
        pytest.param(
            [
                [
                    build_record(
                        "N03920",
                        "0181",
                        2023,
                        [
                            build_cell("K", 10.4, isdeleted=True),
                            build_cell("M", 11.7),
                            build_cell("T", 11.1),
                        ],
                    )
                ]
            ],
            "next_url",
            [("2023", "men", 11.7), ("2023", "total", 11.1)],
            id="cell-isdeleted",
        ),
        pytest.param(
            [
                [
                    build_record("N03920", "0181", 2022, build_tkm(9.0), isdeleted=True),
                    build_record("N03920", "0181", 2023, build_tkm(11.1), isdeleted=False),
                ]
            ],
            "next_url",
            [("2023", "men", 11.4), ("2023", "total", 11.1), ("2023", "women", 10.8)],
            id="record-isdeleted",
        ),
        pytest.param(
            [
                [
                    build_record(
                        "N03920",
                        "0181",
                        2023,
                        [
                            build_cell("K", None, status="Missing"),
                            build_cell("M", 11.7),
                            build_cell("T", 11.1),
                        ],
                    )
                ]
            ],
            "next_url",
            [("2023", "men", 11.7), ("2023", "total", 11.1), ("2023", "women", None)],
            id="missing-with-null",
        ),
        pytest.param(
            [[build_record("N03920", "0181", "2022", build_tkm(9.0))]],
            "next_url",
            [("2022", "men", 9.3), ("2022", "total", 9.0), ("2022", "women", 8.7)],
            id="string-period",
        ),
        pytest.param(
            [[build_record("N03920", "0181", 2022, [build_cell("T", 9.0, isdeleted=None)])]],
            "next_url",
            [("2022", "total", 9.0)],
            id="int-period-cell-without-isdeleted",
        ),
        pytest.param(
            [
                [build_record("N03920", "0181", 2022, build_tkm(9.0))],
                [build_record("N03920", "0181", 2023, build_tkm(11.1))],
            ],
            "next_url",
            [
                ("2022", "men", 9.3),
                ("2022", "total", 9.0),
                ("2022", "women", 8.7),
                ("2023", "men", 11.4),
                ("2023", "total", 11.1),
                ("2023", "women", 10.8),
            ],
            id="paged-next_url",
        ),
        pytest.param(
            [
                [build_record("N03920", "0181", "2022", [build_cell("T", 9.0)])],
                [build_record("N03920", "0181", "2023", [build_cell("T", 11.1)])],
            ],
            "next_page",
            [("2022", "total", 9.0), ("2023", "total", 11.1)],
            id="paged-v2-next_page",
        ),
    ],
)
def test_fetch_reads_each_recorded_shape(
    data_tree: Path, pages: list[list[dict]], next_key: str, expected: list[tuple]
) -> None:
    with serve({ONE_KPI_PATH: serve_pages(pages, next_key)}) as server:
        saved = kolada.fetch(["N03920"], ["0181"], [2022, 2023], fast_session(), f"{server.url}/v3")
    assert len(server.requests) == len(pages) == len(saved)
    frame = parse_saved(saved).sort_values(["period", "sex"])
    assert (frame["measure_id"] == "kolada_arbetslosa_befolkning").all()
    assert (frame["region_code"] == "0181").all()
    assert frame["status"].isna().all()  # a Missing cell is a plain missing figure
    got = [
        (period, sex, None if math.isnan(value) else value)
        for period, sex, value in zip(frame["period"], frame["sex"], frame["value"], strict=True)
    ]
    assert got == expected


@pytest.mark.parametrize(
    ("cell", "period", "message"),
    [
        (
            build_cell("K", 10.4, status="Missing"),
            2023,
            r"values\[0\]\.values\[0\]\.status 'Missing' with value 10\.4 "
            r"\(KPI N03920, municipality 0181, period 2023\): a missing figure cannot have a value",
        ),
        (
            build_cell("K", 10.4, status="Preliminär"),
            "2023",
            r"values\[0\]\.values\[0\]\.status 'Preliminär' "
            r"\(KPI N03920, municipality 0181, period 2023\) is not a status this parser knows",
        ),
        (
            build_cell("K", None, status="Suppressed"),
            2022,
            r"status 'Suppressed' \(KPI N03920, municipality 0181, period 2022\)",
        ),
    ],
    ids=["missing-with-a-value", "unknown-status", "unknown-status-null"],
)
def test_fetch_stops_on_a_status_it_cannot_store_and_writes_nothing(
    data_tree: Path, cell: dict, period: Any, message: str
) -> None:
    record = build_record("N03920", "0181", period, [cell, build_cell("T", 11.1)])
    with (
        serve({ONE_KPI_PATH: Reply(body=build_page([record]))}) as server,
        pytest.raises(SourceError, match=message) as caught,
    ):
        kolada.fetch(["N03920"], ["0181"], [2022, 2023], fast_session(), f"{server.url}/v3")
    assert caught.value.location == f"{server.url}{ONE_KPI_PATH}?per_page=5000"
    assert raw_kolada_files(data_tree) == []


def test_fetch_asks_each_kpi_only_where_kolada_publishes_it(data_tree: Path) -> None:
    """N03935 (municipality_type K) goes to Riket and the kommun, not to the län."""
    kommun_path = "/v3/data/kpi/N03920,N03935/municipality/0000,0181/year/2023"
    lan_path = "/v3/data/kpi/N03920/municipality/0001/year/2023"
    routes = {
        kommun_path: Reply(
            body=build_page(
                [
                    build_record("N03920", "0000", 2023, build_tkm(6.1)),
                    build_record("N03935", "0000", 2023, build_tkm(7.9)),
                    build_record("N03920", "0181", 2023, build_tkm(11.1)),
                    build_record("N03935", "0181", 2023, build_tkm(8.3)),
                ]
            )
        ),
        lan_path: Reply(body=build_page([build_record("N03920", "0001", 2023, build_tkm(5.6))])),
    }
    with serve(routes) as server:
        saved = kolada.fetch(
            ["N03920", "N03935"], ["00", "01", "0181"], [2023], fast_session(), server.url + "/v3"
        )
    assert server.paths() == [kommun_path, lan_path]
    totals = parse_saved(saved).query("sex == 'total'")
    assert sorted(zip(totals["region_code"], totals["age"], totals["value"], strict=True)) == [
        ("00", "18-24", 7.9),
        ("00", "total", 6.1),
        ("01", "total", 5.6),
        ("0181", "18-24", 8.3),
        ("0181", "total", 11.1),
    ]


def test_fetch_refuses_a_kpi_only_for_regions_kolada_does_not_publish_it_for(
    data_tree: Path,
) -> None:
    with serve({}) as server, pytest.raises(SourceError, match="nothing to ask: Kolada publishes"):
        kolada.fetch(["N03935"], ["01", "03"], [2023], fast_session(), server.url + "/v3")
    assert server.requests == []


# --- fetch: paging, retries and failures ---------------------------------------------------------


def build_two_pages(base: str) -> tuple[bytes, bytes]:
    """DATA_PATH's answer in two pages; page 1's next_url is absolute, on this server."""
    page1 = build_page(
        [
            build_record("N03920", "0000", 2023, build_tkm(6.1)),
            build_record("N03920", "0001", 2023, build_tkm(5.6)),
        ],
        f"{base}{DATA_PATH}?per_page=5000&page=2",
    )
    page2 = build_page([build_record("N03920", "0181", 2023, build_tkm(11.1))])
    return page1, page2


def serve_two_pages(routes: dict, base: str, page2: Any = None) -> tuple[bytes, bytes]:
    page1, page2_bytes = build_two_pages(base)
    routes[f"{DATA_PATH}?per_page=5000"] = Reply(body=page1)
    routes[f"{DATA_PATH}?per_page=5000&page=2"] = page2 or Reply(body=page2_bytes)
    return page1, page2_bytes


def fetch_two_pages(base: str, **options: Any) -> list[Path]:
    options.setdefault("session", fast_session())
    options.setdefault("timeout", FAST_TIMEOUT)
    return kolada.fetch(["N03920"], ["00", "01", "0181"], [2023], base_url=f"{base}/v3", **options)


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
        f"N03920_0000+2_2023_p1_{digest}.json",
        f"N03920_0000+2_2023_p2_{digest}.json",
    ]
    assert all(path.parent == data_tree / "raw" / "kolada" for path in saved)
    sidecar = json.loads((saved[1].parent / f"{saved[1].stem}{PROVENANCE_SUFFIX}").read_text())
    assert sidecar["source_id"] == "kolada"
    assert sidecar["url"] == seen_urls[1]
    assert sidecar["request_url"] == seen_urls[0]
    assert sidecar["page"] == 2
    assert sidecar["sha256"] == hashlib.sha256(page2).hexdigest()
    frame = parse_saved(saved).query("sex == 'total'")
    assert dict(zip(frame["region_code"], frame["value"], strict=True)) == {
        "00": 6.1,
        "01": 5.6,
        "0181": 11.1,
    }


def test_fetch_names_files_the_same_way_every_time(data_tree: Path) -> None:
    routes: dict = {}
    with serve(routes) as server:
        serve_two_pages(routes, server.url)
        first = fetch_two_pages(server.url)
        second = fetch_two_pages(server.url)
    assert first == second
    assert len(raw_kolada_files(data_tree)) == 4  # two pages, each with its sidecar


def test_fetch_splits_long_region_lists_into_even_chunks_of_at_most_25(data_tree: Path) -> None:
    """36 regions in SCB form (Riket, Stockholms län, 34 kommuner): two requests of 18 ids."""
    kommuner = CATALOG.group_members("lan_01") + CATALOG.group_members("lan_03")
    ids = sorted(["0000", "0001", *kommuner])
    assert len(ids) == 36
    expected = [
        f"/v3/data/kpi/N03941/municipality/{','.join(ids[:18])}/year/2022,2023",
        f"/v3/data/kpi/N03941/municipality/{','.join(ids[18:])}/year/2022,2023",
    ]
    empty = Reply(body=b'{"count": 0, "next_url": null, "previous_url": null, "values": []}')
    with serve(dict.fromkeys(expected, empty)) as server:
        saved = kolada.fetch(
            ["N03941"], ["00", "01", *kommuner], [2022, 2023], fast_session(), f"{server.url}/v3"
        )
    assert server.paths() == expected
    assert all(request.query == "per_page=5000" for request in server.requests)
    assert len(saved) == 2


@pytest.mark.parametrize(
    "first",
    [
        Reply(429, {"Retry-After": "1"}, b"Too Many Requests"),
        Reply(500, body=b"Internal Server Error"),
        Reply(503, body=b"Service Unavailable"),
    ],
)
def test_fetch_retries_a_refusal_then_succeeds(data_tree: Path, first: Reply) -> None:
    routes: dict = {}
    with serve(routes) as server:
        page1, page2 = serve_two_pages(routes, server.url)
        routes[f"{DATA_PATH}?per_page=5000"] = [first, Reply(body=page1)]
        saved = fetch_two_pages(server.url)
    assert len(server.requests) == 3
    assert [path.read_bytes() for path in saved] == [page1, page2]


def cut_off(body: bytes) -> Reply:
    return Reply(body=body[: len(body) // 2], content_length=len(body))


PAGE2 = build_page([build_record("N03920", "0181", 2023, build_tkm(11.1))])


@pytest.mark.parametrize(
    ("page2", "error", "message"),
    [
        (Reply(500, body=b"Internal Server Error"), HttpError, "HTTP 500"),
        (Reply(404, body=b"Not Found"), HttpError, "HTTP 404"),
        (Reply(body=PAGE2, delay=2.0), HttpError, "timed out"),
        (cut_off(PAGE2), HttpError, "cut off"),
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
    kommuner = sorted(CATALOG.group_members("lan_01") + CATALOG.group_members("lan_03")[:4])
    first = f"/v3/data/kpi/N03920/municipality/{','.join(kommuner[:15])}/year/2023"
    second = f"/v3/data/kpi/N03920/municipality/{','.join(kommuner[15:])}/year/2023"
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
    routes = {DATA_PATH: Reply(body=read_fixture("page2.json"))}
    expected = pytest.raises(SourceError, match=r"values\[0\]\.kpi 'N03935' was not asked for")
    with serve(routes) as server, expected as caught:
        kolada.fetch(["N03920"], ["00", "01", "0181"], [2023], fast_session(), server.url + "/v3")
    assert DATA_PATH in str(caught.value)
    assert raw_kolada_files(data_tree) == []


# --- `python -m etl fetch kolada` with no options ------------------------------------------------


def make_value(kolada_id: str, year: str) -> float:
    return round(1 + int(kolada_id) % 50 / 10 + int(year) % 7, 1)


def answer_what_was_asked(request: Request) -> Reply:
    """A full answer to any data path: a record per KPI, region and year, value from the three."""
    _, _, _, _, kpis, _, ids, _, years = request.path.split("/")
    records = [
        build_record(kpi, id_, int(year), build_tkm(make_value(id_, year)))
        for kpi in kpis.split(",")
        for id_ in ids.split(",")
        for year in years.split(",")
    ]
    return Reply(body=build_page(records))


def test_fetch_with_no_options_brings_every_region_from_2010_into_the_build(
    data_tree: Path, capsys: pytest.CaptureFixture
) -> None:
    years = list(range(2010, date.today().year + 1))
    plan = kolada.plan_requests(KPI_TYPES, ALL_IDS, years, "/v3")
    routes = {urlsplit(request.url).path: answer_what_was_asked for request in plan}
    with serve(routes) as server:
        code = main(["fetch", "kolada", "--base-url", f"{server.url}/v3"])
    assert code == 0, capsys.readouterr().err
    assert server.paths() == [urlsplit(request.url).path for request in plan]
    kolada_rows = store.read_observations().query("source_id == 'kolada'")
    totals = kolada_rows.query("sex == 'total' and age == 'total'")
    per_measure = totals.groupby("measure_id", observed=True)["region_code"].nunique()
    assert per_measure.to_dict() == {
        "kolada_arbetslosa_bas": 312,
        "kolada_arbetslosa_befolkning": 312,
        "kolada_arbetsloshet_bas_20_64": 312,
        "kolada_langtidsarbetslosa_befolkning": 312,
    }
    young = kolada_rows.query("measure_id == 'kolada_arbetslosa_befolkning' and age == '18-24'")
    assert set(young["region_code"]) == {"00", *KOMMUNER}
    assert sorted(set(totals["period"])) == [str(year) for year in years]
    sodertalje = totals.query("measure_id == 'kolada_arbetslosa_bas' and region_code == '0181'")
    assert sodertalje.set_index("period").loc["2023", "value"] == 1 + 3.1 + 0  # 2023 % 7 == 0
    assert len(kolada_rows) == 3 * len(list_wanted(KPI_TYPES, ALL_IDS, years))


# --- describe_remote_version: skip when nothing was published ------------------------------------

# Publication facts from Kolada's KPI metadata (snapshot 2026-03): (publ_period, publication_date).
NEXT_IN_JANUARY_2027 = [
    "N03920",
    "N03926",
    "N03935",
    "N03941",
    "N03942",
    "N03943",
    "N03950",
    "N03951",
    "N03952",
]
PUBLICATIONS = {
    "N02280": (None, None),  # retired (-2024)
    "N02281": ("2025", "2026-11-28"),
    "N02282": ("2025", "2026-11-28"),
    **dict.fromkeys(NEXT_IN_JANUARY_2027, ("2026", "2027-01-19")),
}
METADATA_PATH = f"/v3/kpi/{','.join(sorted(PUBLICATIONS))}"


def build_kpi_metadata(kpi: str, publ_period: str | None, publication_date: str | None) -> dict:
    """One KPI as Kolada's /kpi answer holds it (the fields of the recorded metadata)."""
    return {
        "id": kpi,
        "title": f"Nyckeltal {kpi}",
        "description": "Källa: Arbetsförmedlingen och SCB.",
        "is_divided_by_gender": True,
        "municipality_type": KPI_TYPES.get(kpi, "A"),
        "auspice": "X",
        "operating_area": "Arbetsmarknad",
        "perspective": "Övrigt",
        "prel_publication_date": None,
        "publication_date": publication_date,
        "publ_period": publ_period,
        "has_ou_data": False,
    }


def build_metadata_page(publications: dict[str, tuple]) -> bytes:
    items = [build_kpi_metadata(kpi, *fields) for kpi, fields in publications.items()]
    return json.dumps({"values": items, "count": len(items), "next_url": None}).encode()


def describe(publications: dict[str, tuple], today: date) -> str | None:
    with serve({METADATA_PATH: Reply(body=build_metadata_page(publications))}) as server:
        fingerprint = kolada.describe_remote_version(
            fast_session(), base_url=f"{server.url}/v3", today=today, timeout=FAST_TIMEOUT
        )
    assert server.paths() == [METADATA_PATH]  # one call for the twelve KPIs
    return fingerprint


def test_remote_version_is_the_same_while_nothing_is_published() -> None:
    first = describe(PUBLICATIONS, date(2026, 12, 1))
    assert first is not None and len(first) == 64
    assert describe(PUBLICATIONS, date(2026, 12, 1)) == first
    assert describe(PUBLICATIONS, date(2027, 1, 19)) == first  # the day itself: maybe not yet


@pytest.mark.parametrize(
    ("change", "today"),
    [
        ({"N03920": ("2027", "2028-01-18")}, date(2026, 12, 1)),  # next publication announced
        ({"N02281": ("2025", "2026-12-15")}, date(2026, 12, 1)),  # publication moved
        ({"N02280": ("2024", None)}, date(2026, 12, 1)),
        ({}, date(2027, 1, 20)),  # the day after 2027-01-19: published
    ],
    ids=["new-period", "moved-date", "retired-gets-a-period", "date-passed"],
)
def test_remote_version_changes_with_a_publication(change: dict, today: date) -> None:
    before = describe(PUBLICATIONS, date(2026, 12, 1))
    assert describe(PUBLICATIONS | change, today) != before


def test_fetch_kolada_tells_update_the_remote_version_for_its_arguments() -> None:
    """`etl update` calls FETCHER.version with the arguments `fetch kolada` would get."""
    parser = argparse.ArgumentParser()
    kolada.add_fetch_arguments(parser)
    routes = {
        METADATA_PATH: Reply(body=build_metadata_page(PUBLICATIONS)),
        "/v3/kpi/N03920": Reply(body=build_metadata_page({"N03920": PUBLICATIONS["N03920"]})),
    }
    with serve(routes) as server:
        base = f"{server.url}/v3"
        default = parser.parse_args(["--base-url", base])
        one_kpi = parser.parse_args(["--kpis", "N03920", "--regions", "0181", "--base-url", base])
        assert kolada.FETCHER.version is not None
        versions = [kolada.FETCHER.version(args, CATALOG) for args in (default, one_kpi)]
        expected = [
            kolada.describe_remote_version(base_url=base),
            kolada.describe_remote_version(kpis=["N03920"], base_url=base),
        ]
    assert versions == expected
    assert versions[0] != versions[1]
    assert server.paths() == [METADATA_PATH, "/v3/kpi/N03920"] * 2


def test_remote_version_is_none_when_no_kpi_names_a_publication() -> None:
    assert describe(dict.fromkeys(PUBLICATIONS, (None, None)), date(2026, 12, 1)) is None


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        (
            build_metadata_page({k: v for k, v in PUBLICATIONS.items() if k != "N03926"}),
            SourceError,
            "no metadata for N03926",
        ),
        (
            build_metadata_page(PUBLICATIONS | {"N01951": ("2026", "2027-02-24")}),
            SourceError,
            r"values\[12\]\.id 'N01951' was not asked for",
        ),
        (
            build_metadata_page(PUBLICATIONS | {"N03920": ("2026", "19 januari")}),
            SourceError,
            r"publication_date '19 januari' is not a date",
        ),
        (b'{"data": []}', SourceError, "no 'values' list"),
    ],
    ids=["kpi-missing", "kpi-not-asked-for", "bad-date", "changed-shape"],
)
def test_remote_version_refuses_a_wrong_answer(body: bytes, error: type, message: str) -> None:
    with serve({METADATA_PATH: Reply(body=body)}) as server, pytest.raises(error, match=message):
        kolada.describe_remote_version(fast_session(), base_url=f"{server.url}/v3")


def test_remote_version_names_a_server_that_fails() -> None:
    with (
        serve({METADATA_PATH: Reply(404, body=b"Not Found")}) as server,
        pytest.raises(HttpError, match=f"GET {server.url}{METADATA_PATH}: HTTP 404"),
    ):
        kolada.describe_remote_version(fast_session(), base_url=f"{server.url}/v3")
