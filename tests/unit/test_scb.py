"""SCB json-stat2 parser and PxWebApi fetch: decoding, statuses, splitting, pacing, fallback."""

import copy
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pandas as pd
import pytest

from etl.errors import SourceError
from etl.http import HttpError, create_session
from etl.raw import PROVENANCE_SUFFIX
from etl.sources import scb
from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog
from labourmarket.core.schema import KEY, PARSED_COLUMNS
from tests.http_server import Reply, Request, Server, serve

FIXTURES = paths.REPO_DIR / "tests" / "fixtures" / "scb"
REGISTRY = paths.REPO_DIR / "data" / "reference" / scb.REGISTRY_FILE
BOM = b"\xef\xbb\xbf"
META_6260 = (FIXTURES / "TAB6260_metadata.json").read_bytes()
META_6260_V1 = (FIXTURES / "TAB6260_metadata_v1.json").read_bytes()
DATA_6260 = (FIXTURES / "TAB6260_data.json").read_bytes()
META_6383 = (FIXTURES / "TAB6383_metadata.json").read_bytes()
DATA_6383 = (FIXTURES / "TAB6383_data.json").read_bytes()
TABLES = {(t.table_id, t.measure_id): t for t in scb.read_registry(REGISTRY)}
CATALOG = load_catalog(REGISTRY.parent)
BAS_20_64 = TABLES["TAB6260", "scb_bas_arbetsloshet_20_64"]
BAS_16_64 = TABLES["TAB6260", "scb_bas_arbetsloshet_16_64"]
INTEGRATION = TABLES["TAB6383", "scb_integration_oppet_arbetslosa"]
# The Alder codes the two TAB6260 measures need, in the table's order (as the fixture holds them).
AGES = [
    "16-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "060-64",
    "16-64",
    "20-64",
]
V2_PATH = "/api/v2"
V1_PATH = "/OV0104/v1/doris/sv/ssd"
CELLS_PER_REGION_AND_MONTH = 3 * len(AGES) * 3 * 1  # Kon x Alder x Fodelseregion x ContentsCode


def load(raw: bytes) -> dict[str, Any]:
    return json.loads(raw.decode("utf-8-sig"))


def edit(raw: bytes, change: Callable[[dict[str, Any]], Any]) -> bytes:
    """A copy of a fixture with one change made to its JSON (written without the BOM)."""
    document = copy.deepcopy(load(raw))
    change(document)
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def rename_code(document: dict[str, Any], dimension: str, old: str, new: str) -> None:
    category = document["dimension"][dimension]["category"]
    for key in ("index", "label"):
        category[key] = {(new if c == old else c): v for c, v in category[key].items()}


def pick(frame: pd.DataFrame, **where: str) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    return frame[mask]


# --- parse: decoding order and mapping ------------------------------------------------------


@pytest.fixture(scope="module")
def bas_20_64() -> pd.DataFrame:
    return scb.parse_table(DATA_6260, BAS_20_64)


@pytest.fixture(scope="module")
def bas_16_64() -> pd.DataFrame:
    return scb.parse_table(DATA_6260, BAS_16_64)


def test_parse_reads_an_answer_that_starts_with_a_byte_order_mark(bas_20_64, bas_16_64):
    assert DATA_6260.startswith(BOM)
    assert list(bas_20_64.columns) == PARSED_COLUMNS
    assert str(bas_20_64["value"].dtype) == "float64"
    # 3 regions x 3 sexes x 3 birth regions x 2 months, times the ages each measure keeps
    assert len(bas_20_64) == 54 * 10
    assert len(bas_16_64) == 54 * 11
    assert not bas_16_64.duplicated(KEY).any()


# Flat index = ((((region*3 + kon)*12 + alder)*3 + fodelseregion)*1 + contents)*2 + tid, and the
# fixture's value at flat index i is i/10: each expected value below is that sum, by hand.
@pytest.mark.parametrize(
    ("table", "region", "sex", "age", "birth_region", "period", "expected"),
    [
        (BAS_16_64, "00", "men", "16-19", "total", "2024M09", 0.0),  # cell 0: a zero stays 0
        (BAS_16_64, "00", "men", "16-19", "total", "2024M10", 0.1),  # Tid is fastest
        (BAS_16_64, "00", "men", "16-19", "born_in_sweden", "2024M09", 0.2),  # then birth
        (BAS_16_64, "00", "men", "20-24", "total", "2024M09", 0.6),  # Alder 1: 1*3*2
        (BAS_16_64, "00", "women", "16-19", "total", "2024M09", 7.2),  # Kon 1: 12*3*2
        (BAS_16_64, "01", "men", "16-19", "total", "2024M09", 21.6),  # Region 1: 3*12*3*2
        (BAS_20_64, "00", "men", "20-24", "total", "2024M09", 0.6),
        (BAS_20_64, "0181", "women", "60-64", "foreign_born", "2024M10", 56.3),  # (93*3+2)*2+1
        (BAS_20_64, "01", "total", "total", "born_in_sweden", "2024M09", 42.8),  # (71*3+1)*2
        (BAS_16_64, "0181", "total", "total", "foreign_born", "2024M10", 64.1),  # (106*3+2)*2+1
    ],
    ids=[
        "first-cell",
        "tid-fastest",
        "birth-region",
        "alder",
        "kon",
        "region",
        "band-20-24",
        "060-64",
        "population-20-64",
        "population-16-64",
    ],
)
def test_parse_decodes_cells_last_dimension_fastest(
    table, region, sex, age, birth_region, period, expected
):
    frame = scb.parse_table(DATA_6260, table)
    match = pick(
        frame, region_code=region, sex=sex, age=age, birth_region=birth_region, period=period
    )
    assert match["value"].tolist() == [expected]
    assert match["education"].tolist() == ["total"]
    assert match["status"].tolist() == ["provisional"]  # TAB6260 is preliminary


def test_parse_keeps_a_suppressed_cell_null_never_zero(bas_16_64):
    cell = pick(bas_16_64, region_code="0181", sex="women", age="16-19", period="2024M10")
    cell = pick(cell, birth_region="foreign_born")
    assert cell["value"].isna().all() and len(cell) == 1
    assert cell["status"].tolist() == ["suppressed"]
    assert bas_16_64["value"].isna().sum() == 1


BANDS_20_64 = {"20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60-64"}


@pytest.mark.parametrize(
    ("table", "ages"),
    [(BAS_20_64, {"total", *BANDS_20_64}), (BAS_16_64, {"total", "16-19", *BANDS_20_64})],
    ids=["20-64", "16-64"],
)
def test_parse_keeps_the_population_and_its_bands_only(table, ages):
    """Codes outside the population (16-19 for 20-64, 20-64 for 16-64) are dropped, not renamed."""
    assert set(scb.parse_table(DATA_6260, table)["age"]) == ages


def test_parse_education_answer_takes_the_labelled_contents_only():
    """TAB6383's ContentsCode is not in the registry: parse finds it by label in the answer."""
    assert INTEGRATION.contents_code == ""
    frame = scb.parse_table(DATA_6383, INTEGRATION)
    assert len(frame) == 3 * 5 * 3 * 2  # regions x UtbNiv x BakgrVar x years, one ContentsCode
    assert set(frame["education"]) == {
        "total",
        "pre_upper_secondary",
        "upper_secondary",
        "post_secondary",
        "unknown",
    }
    assert set(frame["birth_region"]) == {"total", "born_in_sweden", "foreign_born"}
    assert set(frame["age"]) == {"total"} and set(frame["sex"]) == {"total"}
    # (((2*1 + 0)*5 + 3)*3 + 2)*2 + 1 = 83 -> contents 000007XB -> *2 + 1 (2023) = 167
    match = pick(frame, region_code="0181", education="post_secondary", birth_region="foreign_born")
    assert pick(match, period="2023")["value"].tolist() == [16.7]
    missing = pick(frame, region_code="0181", education="unknown", birth_region="foreign_born")
    missing = pick(missing, period="2022")
    assert missing["value"].isna().all() and missing["status"].tolist() == ["suppressed"]
    assert frame["status"].isna().sum() == len(frame) - 1  # final table: no provisional mark


# --- parse: statuses --------------------------------------------------------------------------


def set_status(status: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["status"] = status

    return change


def set_status_list(document: dict[str, Any]) -> None:
    document["status"] = [None] * len(document["value"])
    document["status"][509] = ".."


def drop_status(document: dict[str, Any]) -> None:
    document.pop("status")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (set_status({"509": ".."}), "suppressed"),
        (set_status_list, "suppressed"),
        (set_status({"509": "."}), "not_applicable"),
        (set_status({"509": "..."}), "suppressed"),
        (drop_status, None),
    ],
    ids=["dict", "list", "not-applicable", "three-dots", "no-status"],
)
def test_parse_reads_the_status_of_a_null_cell(change, expected):
    frame = scb.parse_table(edit(DATA_6260, change), BAS_16_64)
    cell = pick(frame, region_code="0181", sex="women", age="16-19", period="2024M10")
    cell = pick(cell, birth_region="foreign_born")
    assert cell["value"].isna().all()
    assert cell["status"].astype("string").tolist() == [expected if expected else pd.NA]


@pytest.mark.parametrize(
    ("recorded", "rows_by_measure"),
    [
        ({}, {BAS_20_64.measure_id: 54 * 10, BAS_16_64.measure_id: 54 * 11}),
        ({BAS_16_64.measure_id: "000006II"}, {BAS_16_64.measure_id: 54 * 11}),
    ],
    ids=["every-registry-measure", "the-recorded-measure-only"],
)
def test_parse_of_a_saved_answer_reads_the_measures_its_fetch_recorded(recorded, rows_by_measure):
    provenance = {"file": "answer.json", "table_id": "TAB6260", "contents_codes": recorded}
    frame = scb.parse(DATA_6260, provenance, CATALOG)
    assert frame["measure_id"].value_counts().to_dict() == rows_by_measure


# --- parse: bad input -------------------------------------------------------------------------


def shorten_values(document: dict[str, Any]) -> None:
    document["value"] = document["value"][:-1]


def move_kon_index(document: dict[str, Any]) -> None:
    document["dimension"]["Kon"]["category"]["index"]["1+2"] = 5


def rename_dimension(document: dict[str, Any]) -> None:
    document["id"] = ["Sektor" if d == "Fodelseregion" else d for d in document["id"]]
    document["dimension"]["Sektor"] = document["dimension"].pop("Fodelseregion")


def relabel_contents(document: dict[str, Any]) -> None:
    document["dimension"]["ContentsCode"]["category"]["label"]["000006II"] = "employment rate"


def set_first_value(document: dict[str, Any]) -> None:
    document["value"][0] = "1,5"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (edit(DATA_6260, lambda d: d.pop("id")), "no 'id' list of dimensions"),
        (edit(DATA_6260, lambda d: d.pop("size")), "'size' None does not fit"),
        (edit(DATA_6260, lambda d: d.pop("value")), "no 'value' list"),
        (edit(DATA_6260, shorten_values), "647 values for 648 cells"),
        (META_6260, "0 values for"),
        (edit(DATA_6260, move_kon_index), "Kon: category.index positions are not 0..2"),
        (
            edit(DATA_6260, lambda d: rename_code(d, "Kon", "1", "3")),
            "Kon code '3' (category index 0) is not a code this parser maps",
        ),
        (
            edit(DATA_6260, lambda d: rename_code(d, "Alder", "20-24", "20-24 år")),
            "Alder code '20-24 år' (category index 1) is not an age range",
        ),
        (
            edit(DATA_6260, lambda d: rename_code(d, "Tid", "2024M10", "2024-10")),
            "Tid code '2024-10' (category index 1) is not a period like 2024M10",
        ),
        (
            edit(DATA_6260, lambda d: rename_code(d, "Region", "0181", "Södertälje")),
            "Region code 'Södertälje' (category index 2) is not an SCB region code",
        ),
        (edit(DATA_6260, rename_dimension), "dimension 'Sektor' is not one this maps"),
        (
            edit(DATA_6260, lambda d: rename_code(d, "ContentsCode", "000006II", "000006IK")),
            "ContentsCode '000006II' of scb_bas_arbetsloshet_20_64 is not in the table",
        ),
        (
            edit(DATA_6260, relabel_contents),
            "'000006II' is labelled 'employment rate', the registry expects",
        ),
        (edit(DATA_6260, set_first_value), "value[0] '1,5' is not a number or null"),
        (edit(DATA_6260, set_status({"9999": ".."})), "status key '9999' is not a cell index"),
        (
            edit(DATA_6260, set_status({"509": "-"})),
            "status[509] = '-' on a null value (Region=0181, Kon=2, Alder=16-19, "
            "Fodelseregion=ut, ContentsCode=000006II, Tid=2024M10) is not a symbol",
        ),
        (edit(DATA_6260, set_status({"563": "*"})), "status[563] = '*' on a value"),
        ("Södertälje".encode("latin-1"), "not UTF-8 at byte 1"),
        (b"<html>Service unavailable</html>", "not JSON"),
    ],
    ids=[
        "no-id",
        "no-size",
        "no-value",
        "short-value",
        "metadata-not-data",
        "index-positions",
        "unknown-kon",
        "unknown-age",
        "bad-period",
        "bad-region",
        "unknown-dimension",
        "contents-code-gone",
        "contents-relabelled",
        "value-text",
        "status-key",
        "nil-symbol",
        "note-on-value",
        "latin-1",
        "html",
    ],
)
def test_parse_refuses_a_changed_shape_naming_the_spot(raw, message):
    with pytest.raises(SourceError) as error:
        scb.parse_table(raw, BAS_20_64, location="answer.json")
    assert str(error.value).startswith("scb: answer.json: ")
    assert message in str(error.value)


def relabel_unemployment(document: dict[str, Any]) -> None:
    document["dimension"]["ContentsCode"]["category"]["label"]["000007XB"] = "Andel arbetslösa"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: rename_code(d, "BakgrVar", "SE", "NEXS"),
            "BakgrVar code 'NEXS' (category index 1) is not a code this parser maps",
        ),
        (
            relabel_unemployment,
            "no ContentsCode labelled 'andel öppet arbetslösa'",
        ),
    ],
    ids=["unmapped-background", "label-gone"],
)
def test_parse_refuses_an_education_answer_it_cannot_map(change, message):
    with pytest.raises(SourceError) as error:
        scb.parse_table(edit(DATA_6383, change), INTEGRATION)
    assert message in str(error.value)


# --- registry ------------------------------------------------------------------------------


def test_registry_agrees_with_the_real_tab6260_metadata():
    """Codes, label, unit and ages named for TAB6260 exist in SCB's own metadata (trimmed copy)."""
    dimension = load(META_6260)["dimension"]
    contents = dimension["ContentsCode"]["category"]
    ages = set(dimension["Alder"]["category"]["index"])
    for table in (BAS_20_64, BAS_16_64):
        assert table.contents_code == "000006II"
        assert contents["label"]["000006II"] == "unemployment"
        assert contents["unit"]["000006II"] == {"base": "percent", "decimals": 1}
        assert {table.total_age, *table.age_bands} <= ages
    assert "Preliminary" in load(META_6260)["label"]


def test_registry_leaves_unknown_contents_codes_empty():
    unknown = [t for t in TABLES.values() if t.table_id in ("TAB6383", "TAB6384", "TAB6379")]
    assert len(unknown) == 3
    assert all(t.contents_code == "" and t.contents_label for t in unknown)


HEADER = ",".join(scb.REGISTRY_COLUMNS)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("TAB1,m,,,,,false,s,,", "neither contents_code nor contents_label"),
        ("TAB1,m,X,,20-64,16-19,false,s,,", "age band '16-19' is not inside 20-64"),
        ("TAB1,m,X,,,,yes,s,,", "is_preliminary must be true or false"),
        ("1234,m,X,,,,false,s,,", "table_id '1234' is not TABnnnn"),
        ("TAB1,,X,,,,false,s,,", "empty measure_id"),
    ],
    ids=["no-contents", "band-outside", "preliminary-word", "table-id", "no-measure"],
)
def test_registry_refuses_a_row_that_cannot_be_fetched(tmp_path, row, message):
    path = tmp_path / "scb_tables.csv"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    with pytest.raises(SourceError) as error:
        scb.read_registry(path)
    assert f"{path}, line 2" in str(error.value)
    assert message in str(error.value)


# --- rate limiter ---------------------------------------------------------------------------


class FakeClock:
    """A clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def limiter(self) -> scb.RateLimiter:
        return scb.RateLimiter(clock=self.clock, sleep=self.sleep)


@pytest.mark.parametrize(
    ("calls", "expected_sleeps"),
    [(30, []), (31, [10.0]), (61, [10.0, 10.0]), (90, [10.0, 10.0])],
)
def test_rate_limiter_lets_30_calls_start_in_any_10_seconds(calls, expected_sleeps):
    fake = FakeClock()
    limiter = fake.limiter()
    started = []
    for _ in range(calls):
        limiter.wait()
        started.append(fake.now)
    assert fake.sleeps == expected_sleeps
    assert all(started[i + 30] - started[i] >= 10.0 for i in range(len(started) - 30))


def test_rate_limiter_waits_only_for_what_is_left_of_the_window():
    fake = FakeClock()
    limiter = scb.RateLimiter(calls=2, period=10.0, clock=fake.clock, sleep=fake.sleep)
    limiter.wait()
    fake.now = 4.0
    limiter.wait()
    limiter.wait()
    assert fake.sleeps == [6.0]


# --- fetch against a real local server ----------------------------------------------------


def build_answer(metadata: bytes, selection: dict[str, list[str]]) -> bytes:
    """A json-stat2 answer for a selection, shaped like the metadata; value = flat index / 10."""
    document = load(metadata)
    dimensions = {}
    for variable, codes in selection.items():
        source = document["dimension"][variable]
        labels = source["category"]["label"]
        category = {
            "index": {c: i for i, c in enumerate(codes)},
            "label": {c: labels[c] for c in codes},
        }
        dimensions[variable] = {"label": source["label"], "category": category}
    total = math.prod(len(codes) for codes in selection.values())
    answer = {
        "version": "2.0",
        "class": "dataset",
        "label": document["label"],
        "source": document.get("source", "SCB"),
        "updated": document.get("updated", ""),
        "role": document["role"],
        "id": list(selection),
        "size": [len(codes) for codes in selection.values()],
        "dimension": dimensions,
        "value": [round((i % 1000) / 10, 1) for i in range(total)],
    }
    return BOM + json.dumps(answer, ensure_ascii=False).encode("utf-8")


def read_v2_selection(request: Request) -> dict[str, list[str]]:
    body = json.loads(request.body)
    return {item["variableCode"]: item["valueCodes"] for item in body["selection"]}


def answer_v2(metadata: bytes) -> Callable[[Request], Reply]:
    def reply(request: Request) -> Reply:
        body = build_answer(metadata, read_v2_selection(request))
        return Reply(200, {"Content-Type": "application/json; charset=utf-8"}, body)

    return reply


def v2_routes(table_id: str, metadata: bytes, data: Any) -> dict[str, Any]:
    return {
        f"{V2_PATH}/tables/{table_id}/metadata": Reply(200, body=metadata),
        f"{V2_PATH}/tables/{table_id}/data": data,
    }


def run_fetch(server: Server, table_id: str, regions: Any, periods: Any, **options: Any) -> Any:
    options.setdefault("limiter", FakeClock().limiter())
    return scb.fetch(
        table_id,
        regions,
        periods,
        session=create_session(total_retries=1, backoff_factor=0),
        base_url=server.url + V2_PATH,
        v1_url=server.url + V1_PATH,
        **options,
    )


def read_sidecar(path: Path) -> dict[str, Any]:
    return json.loads((path.parent / f"{path.stem}{PROVENANCE_SUFFIX}").read_text("utf-8"))


def list_scb_files(data_tree: Path) -> list[str]:
    directory = data_tree / "raw" / scb.SOURCE
    return sorted(p.name for p in directory.glob("*")) if directory.exists() else []


EXPECTED_6260_SELECTION = {
    "Region": ["00", "01", "0181"],
    "Kon": ["1", "2", "1+2"],
    "Alder": AGES,
    "Fodelseregion": ["tot", "in", "ut"],
    "ContentsCode": ["000006II"],
    "Tid": ["2024M09", "2024M10"],
}


def test_fetch_reads_metadata_then_posts_the_selection_and_saves_exact_bytes(data_tree):
    routes = v2_routes("TAB6260", META_6260, Reply(200, body=DATA_6260))
    with serve(routes) as server:
        saved = run_fetch(server, "TAB6260", ["0181", "00", "01"], ["2024M09", "2024M10"])
    metadata_request, data_request = server.requests
    assert (metadata_request.method, metadata_request.path) == (
        "GET",
        f"{V2_PATH}/tables/TAB6260/metadata",
    )
    assert parse_qs(metadata_request.query) == {"lang": ["sv"]}
    assert (data_request.method, data_request.path) == ("POST", f"{V2_PATH}/tables/TAB6260/data")
    assert parse_qs(data_request.query) == {"lang": ["sv"], "outputFormat": ["json-stat2"]}
    assert json.loads(data_request.body) == {
        "selection": [
            {"variableCode": variable, "valueCodes": codes}
            for variable, codes in EXPECTED_6260_SELECTION.items()
        ]
    }
    assert len(saved) == 1 and saved[0].read_bytes() == DATA_6260  # BOM and all
    sidecar = read_sidecar(saved[0])
    assert sidecar["source_id"] == "scb_bas"
    assert (sidecar["table_id"], sidecar["api"]) == ("TAB6260", "v2")
    assert sidecar["measure_ids"] == ["scb_bas_arbetsloshet_20_64", "scb_bas_arbetsloshet_16_64"]
    assert sidecar["url"].startswith(f"{server.url}{V2_PATH}/tables/TAB6260/data?")
    assert sidecar["request_body"] == json.loads(data_request.body)
    assert sidecar["attribution_sv"] == "Källa: SCB"


@pytest.mark.parametrize(
    ("max_cells", "expected_posts"),
    [(150_000, 1), (648, 1), (647, 2), (216, 3), (215, 6), (108, 6)],
)
def test_fetch_splits_on_region_then_month_under_the_cell_limit(
    data_tree, max_cells, expected_posts
):
    """3 regions x 2 months x 108 cells: regions are split first, months when one is too big."""
    routes = v2_routes("TAB6260", META_6260, answer_v2(META_6260))
    with serve(routes) as server:
        saved = run_fetch(
            server, "TAB6260", ["00", "01", "0181"], ["2024M09", "2024M10"], max_cells=max_cells
        )
    posts = [read_v2_selection(r) for r in server.requests if r.method == "POST"]
    assert len(posts) == expected_posts == len(saved)
    pairs = [(r, t) for part in posts for r in part["Region"] for t in part["Tid"]]
    assert sorted(pairs) == sorted(
        (r, t) for r in ["00", "01", "0181"] for t in ["2024M09", "2024M10"]
    )
    for part in posts:
        assert math.prod(len(codes) for codes in part.values()) <= max_cells
        assert part["Alder"] == AGES


def test_fetch_refuses_a_query_no_split_can_fit(data_tree):
    routes = v2_routes("TAB6260", META_6260, answer_v2(META_6260))
    with serve(routes) as server, pytest.raises(SourceError) as error:
        run_fetch(server, "TAB6260", ["00"], ["2024M09"], max_cells=CELLS_PER_REGION_AND_MONTH - 1)
    assert "one region and period alone is 108 cells (> 107)" in str(error.value)
    assert [r.method for r in server.requests] == ["GET"]
    assert list_scb_files(data_tree) == []


def test_fetch_paces_calls_to_30_per_10_seconds(data_tree):
    """1 metadata GET + 7 regions x 6 months = 43 calls: the 31st waits out the window."""
    fake = FakeClock()
    months = [f"2024M0{m}" for m in range(1, 7)]
    routes = v2_routes("TAB6260", META_6260, answer_v2(META_6260))
    with serve(routes) as server:
        saved = run_fetch(
            server,
            "TAB6260",
            None,
            months,
            max_cells=CELLS_PER_REGION_AND_MONTH,
            limiter=fake.limiter(),
        )
    assert len(server.requests) == 43 and len(saved) == 42
    assert fake.sleeps == [10.0]


def answer_v1(request: Request) -> Reply:
    if request.method == "GET":
        return Reply(200, body=META_6260_V1)
    return Reply(200, body=DATA_6260)


def test_fetch_falls_back_to_v1_when_v2_does_not_know_the_table(data_tree):
    v1_table = f"{V1_PATH}/START/AM/AM0210/AM0210A/ArbStatusM"
    with serve({v1_table: answer_v1}) as server:  # every v2 path answers 404
        saved = run_fetch(server, "TAB6260", ["00", "01", "0181"], ["2024M09", "2024M10"])
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", f"{V2_PATH}/tables/TAB6260/metadata"),
        ("GET", v1_table),
        ("POST", v1_table),
    ]
    assert json.loads(server.requests[2].body) == {
        "query": [
            {"code": variable, "selection": {"filter": "item", "values": codes}}
            for variable, codes in EXPECTED_6260_SELECTION.items()
        ],
        "response": {"format": "json-stat2"},
    }
    assert read_sidecar(saved[0])["api"] == "v1"
    assert saved[0].read_bytes() == DATA_6260


def test_fetch_without_a_v1_path_stops_on_a_v2_404(data_tree):
    with serve({}) as server, pytest.raises(SourceError) as error:
        run_fetch(server, "TAB2948", ["00"], ["2024M09"])
    assert "v2 has no TAB2948 (404) and no v1 path is known" in str(error.value)
    assert f"{V2_PATH}/tables/TAB2948/metadata" in str(error.value)


def fail_after_first_post() -> Callable[[Request], Reply]:
    posts: list[Request] = []

    def reply(request: Request) -> Reply:
        posts.append(request)
        if len(posts) == 1:
            return answer_v2(META_6260)(request)
        return Reply(500, body=b"Internal Server Error")

    return reply


def test_fetch_stops_on_a_lasting_500_naming_the_url_and_writes_nothing(data_tree):
    routes = v2_routes("TAB6260", META_6260, fail_after_first_post())
    with serve(routes) as server, pytest.raises(HttpError) as error:
        run_fetch(server, "TAB6260", ["00", "01", "0181"], ["2024M09", "2024M10"], max_cells=216)
    assert error.value.status == 500
    assert f"{server.url}{V2_PATH}/tables/TAB6260/data" in str(error.value)
    assert [r.method for r in server.requests] == ["GET", "POST", "POST", "POST"]  # one retry
    assert list_scb_files(data_tree) == []


def test_fetch_refuses_an_answer_that_is_not_what_was_asked(data_tree):
    routes = v2_routes("TAB6260", META_6260, Reply(200, body=DATA_6260))
    with serve(routes) as server, pytest.raises(SourceError) as error:
        run_fetch(server, "TAB6260", ["00"], ["2024M09", "2024M10"])
    assert "Region: asked for 1 code(s), the answer has 3 (01, 0181 differ)" in str(error.value)
    assert list_scb_files(data_tree) == []


def test_fetch_finds_an_unknown_contents_code_by_its_label(data_tree):
    routes = v2_routes("TAB6383", META_6383, answer_v2(META_6383))
    with serve(routes) as server:
        saved = run_fetch(server, "TAB6383", ["0181", "0136"], ["2022", "2023"])
    assert read_v2_selection(server.requests[1]) == {
        "Region": ["0136", "0181"],
        "Kon": ["1", "2", "1+2"],
        "UtbNiv": ["000", "F", "3", "EU", "US"],
        "BakgrVar": ["TOT", "SE", "SAMUTF"],  # NEXS, EUEESXN, VXEUEES: no canonical group
        "ContentsCode": ["000007XB"],
        "Tid": ["2022", "2023"],
    }
    assert read_sidecar(saved[0])["contents_codes"] == {
        "scb_integration_oppet_arbetslosa": "000007XB"
    }


def label_twice(document: dict[str, Any]) -> None:
    labels = document["dimension"]["ContentsCode"]["category"]["label"]
    labels["000007XC"] = "Andel öppet arbetslösa, procent"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (relabel_unemployment, "no ContentsCode labelled 'andel öppet arbetslösa'"),
        (label_twice, "2 ContentsCode labelled 'andel öppet arbetslösa'"),
        (lambda d: rename_code(d, "Region", "0181", "0182"), "Region: the table has no 0181"),
        (lambda d: rename_code(d, "Kon", "1+2", "T"), "Kon: the table has no 1+2"),
    ],
    ids=["label-gone", "label-ambiguous", "region-missing", "total-renamed"],
)
def test_fetch_stops_before_any_data_call_when_metadata_does_not_fit(data_tree, change, message):
    routes = v2_routes("TAB6383", edit(META_6383, change), answer_v2(META_6383))
    with serve(routes) as server, pytest.raises(SourceError) as error:
        run_fetch(server, "TAB6383", ["0181"], ["2022"])
    assert message in str(error.value)
    if not message.startswith(("Region", "Kon")):
        assert "(the table has:" in str(error.value)
    assert [r.method for r in server.requests] == ["GET"]
    assert list_scb_files(data_tree) == []
