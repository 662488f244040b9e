"""SCB json-stat2 parser and PxWebApi fetch: decoding, statuses, splitting, pacing, fallback."""

import argparse
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
from etl.pipeline import build
from etl.raw import PROVENANCE_SUFFIX
from etl.sources import scb
from labourmarket.core import paths, store
from labourmarket.core.catalog import load_catalog
from labourmarket.core.schema import KEY, PARSED_COLUMNS
from tests.fixtures.scb import write_fixtures as fixtures
from tests.http_server import Reply, Request, Server, serve

FIXTURES = paths.REPO_DIR / "tests" / "fixtures" / "scb"
REGISTRY = paths.REPO_DIR / "data" / "reference" / scb.REGISTRY_FILE
BOM = b"\xef\xbb\xbf"
META_6260 = (FIXTURES / "TAB6260_metadata.json").read_bytes()
META_6260_V1 = (FIXTURES / "TAB6260_metadata_v1.json").read_bytes()
DATA_6260 = (FIXTURES / "TAB6260_data.json").read_bytes()
META_6383 = (FIXTURES / "TAB6383_metadata.json").read_bytes()
DATA_6383 = (FIXTURES / "TAB6383_data.json").read_bytes()
META_6384 = (FIXTURES / "TAB6384_metadata.json").read_bytes()  # Kon coded TotSa, 1, 2
DATA_6384 = (FIXTURES / "TAB6384_data.json").read_bytes()
META_6379_V1 = (FIXTURES / "TAB6379_metadata_v1.json").read_bytes()
DATA_6379_V1 = (FIXTURES / "TAB6379_data_v1.json").read_bytes()
LISTING_V1 = (FIXTURES / "AA0003B_listing_v1.json").read_bytes()
TABLES = {(t.table_id, t.measure_id): t for t in scb.read_registry(REGISTRY)}
CATALOG = load_catalog(REGISTRY.parent)
BAS_20_64 = TABLES["TAB6260", "scb_bas_arbetsloshet_20_64"]
BAS_16_64 = TABLES["TAB6260", "scb_bas_arbetsloshet_16_64"]
OPPET, INSKRIVNA = "scb_integration_oppet_arbetslosa", "scb_integration_inskrivna_arbetslosa"
INTEGRATION = TABLES["TAB6383", OPPET]
INTEGRATION_6384 = TABLES["TAB6384", OPPET]
UPDATED = "2026-03-26T07:00:00Z"  # the integration fixtures' `updated`
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
AA0003B = f"{V1_PATH}/START/AA/AA0003/AA0003B"  # the integration tables' v1 folder
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


EDUCATION = {"total", "pre_upper_secondary", "upper_secondary", "post_secondary", "unknown"}


# Flat index = ((((region*3 + kon)*5 + utbniv)*3 + bakgrvar)*2 + contents)*2 + tid; a value is
# its flat index / 10 (tests/fixtures/scb/README.md). Contents 0 is inskrivna, 1 is öppet.
@pytest.mark.parametrize(
    ("measure", "region", "sex", "education", "birth_region", "period", "expected"),
    [
        (INSKRIVNA, "0127", "men", "total", "total", "2022", 0.0),
        (OPPET, "0127", "men", "total", "total", "2022", 0.2),
        (OPPET, "0136", "women", "pre_upper_secondary", "born_in_sweden", "2022", 25.8),
        (INSKRIVNA, "0181", "total", "post_secondary", "foreign_born", "2023", 52.5),
        (OPPET, "0181", "total", "post_secondary", "foreign_born", "2023", 52.7),
    ],
    ids=["inskrivna-first-cell", "oppet-beside-it", "women-se", "inskrivna-0181", "oppet-0181"],
)
def test_parse_integration_answer_keeps_inskrivna_and_oppet_as_two_measures(
    measure, region, sex, education, birth_region, period, expected
):
    """TAB6383's ContentsCodes are not in the registry: each measure finds its own by label."""
    frame = scb.parse_table(DATA_6383, TABLES["TAB6383", measure])
    match = pick(
        frame,
        region_code=region,
        sex=sex,
        education=education,
        birth_region=birth_region,
        period=period,
    )
    assert match["value"].tolist() == [expected]
    assert match["measure_id"].tolist() == [measure] and match["age"].tolist() == ["total"]


@pytest.mark.parametrize("measure", [OPPET, INSKRIVNA])
def test_parse_integration_answer_maps_every_group_and_keeps_a_null_null(measure):
    frame = scb.parse_table(DATA_6383, TABLES["TAB6383", measure])
    assert len(frame) == 3 * 3 * 5 * 3 * 2  # regions x Kon x UtbNiv x BakgrVar x years
    assert set(frame["education"]) == EDUCATION
    assert set(frame["birth_region"]) == {"total", "born_in_sweden", "foreign_born"}
    assert set(frame["sex"]) == {"total", "men", "women"} and set(frame["age"]) == {"total"}
    cell = pick(frame, region_code="0181", sex="total", education="unknown", period="2023")
    cell = pick(cell, birth_region="foreign_born")
    if measure == OPPET:  # cell 539, the answer's last, is null with status ".."
        assert cell["value"].isna().all() and cell["status"].tolist() == ["suppressed"]
    else:
        assert cell["value"].tolist() == [53.7] and cell["status"].isna().all()
    assert frame["status"].notna().sum() == (1 if measure == OPPET else 0)  # final table


def test_parse_reads_both_integration_measures_from_one_saved_answer():
    recorded = {OPPET: "000007XC", INSKRIVNA: "000007XB"}
    provenance = {"file": "answer.json", "table_id": "TAB6383", "contents_codes": recorded}
    frame = scb.parse(DATA_6383, provenance, CATALOG)
    assert frame["measure_id"].value_counts().to_dict() == {OPPET: 270, INSKRIVNA: 270}


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
    document["dimension"]["ContentsCode"]["category"]["label"]["000007XC"] = "Andel arbetslösa"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: rename_code(d, "BakgrVar", "SE", "NEXS"),
            "BakgrVar code 'NEXS' (category index 1) is not a code this parser maps; "
            "the answer names 'TOT' as its total (eliminationValueCode)",
        ),
        (relabel_unemployment, "no ContentsCode labelled 'andel öppet arbetslösa'"),
    ],
    ids=["unmapped-background", "label-gone"],
)
def test_parse_refuses_an_education_answer_it_cannot_map(change, message):
    with pytest.raises(SourceError) as error:
        scb.parse_table(edit(DATA_6383, change), INTEGRATION)
    assert message in str(error.value)


# --- parse: totals named by eliminationValueCode ------------------------------------------


# TAB6384's Kon is TotSa, 1, 2 (index 0, 1, 2); flat index as for TAB6383 above.
@pytest.mark.parametrize(
    ("measure", "region", "sex", "education", "birth_region", "period", "expected"),
    [
        (OPPET, "01", "total", "total", "total", "2024", 0.3),
        (INSKRIVNA, "03", "total", "upper_secondary", "foreign_born", "2023", 21.2),
        (OPPET, "03", "women", "post_secondary", "born_in_sweden", "2024", 34.3),
        (INSKRIVNA, "01", "men", "total", "total", "2024", None),  # cell 61, status ".."
    ],
    ids=["totsa-total", "totsa-inskrivna", "women", "suppressed-men"],
)
def test_parse_takes_the_total_the_answer_names(
    measure, region, sex, education, birth_region, period, expected
):
    frame = scb.parse_table(DATA_6384, TABLES["TAB6384", measure])
    assert set(frame["sex"]) == {"total", "men", "women"} and len(frame) == 180
    match = pick(
        frame,
        region_code=region,
        sex=sex,
        education=education,
        birth_region=birth_region,
        period=period,
    )
    if expected is None:
        assert match["value"].isna().all() and match["status"].tolist() == ["suppressed"]
    else:
        assert match["value"].tolist() == [expected]


def name_riket(document: dict[str, Any]) -> None:
    document["dimension"]["Region"]["extension"]["eliminationValueCode"] = "00"


def test_parse_reads_totals_of_group_dimensions_only():
    """Region's eliminationValueCode (Riket) is no group total: not checked, not used."""
    frame = scb.parse_table(edit(DATA_6384, name_riket), INTEGRATION_6384)
    assert sorted(set(frame["region_code"])) == ["01", "03"] and len(frame) == 180


def set_kon_extension(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        extension = document["dimension"]["Kon"]["extension"]
        for key, value in fields.items():
            if value is None:
                extension.pop(key, None)
            else:
                extension[key] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            set_kon_extension(eliminationValueCode=None),
            "Kon code 'TotSa' (category index 0) is not a code this parser maps; "
            "the answer names no total for Kon (eliminationValueCode)",
        ),
        (
            set_kon_extension(eliminationValueCode="1"),
            "Kon: eliminationValueCode '1' names as the total a code this parser maps to 'men'",
        ),
        (
            lambda d: rename_code(d, "Kon", "2", "1+2"),
            "Kon code '1+2' (category index 2) is not a code this parser maps; "
            "the answer names 'TotSa' as its total (eliminationValueCode)",
        ),
        (
            set_kon_extension(eliminationValueCode="T"),
            "dimension 'Kon': extension.eliminationValueCode 'T' is not one of the "
            "dimension's codes",
        ),
        (
            set_kon_extension(elimination="yes"),
            "dimension 'Kon': extension.elimination 'yes' is no bool",
        ),
    ],
    ids=["total-not-named", "names-a-category", "two-totals", "names-no-code", "flag-text"],
)
def test_parse_refuses_a_total_it_cannot_trust(change, message):
    with pytest.raises(SourceError) as error:
        scb.parse_table(edit(DATA_6384, change), INTEGRATION_6384, location="answer.json")
    assert str(error.value).startswith("scb: answer.json: ")
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


def test_registry_takes_both_integration_contents_by_label_from_every_level():
    integration = [t for t in TABLES.values() if t.table_id in ("TAB6383", "TAB6384", "TAB6379")]
    assert {(t.table_id, t.measure_id, t.contents_label) for t in integration} == {
        (table, measure, label)
        for table in ("TAB6383", "TAB6384", "TAB6379")
        for measure, label in (
            (OPPET, "andel öppet arbetslösa"),
            (INSKRIVNA, "andel inskrivna arbetslösa"),
        )
    }
    assert all(t.contents_code == "" and not t.total_age for t in integration)
    assert set(scb.DEFAULT_TABLES) == {"TAB6260", "TAB6383", "TAB6384", "TAB6379"}


HEADER = ",".join(scb.REGISTRY_COLUMNS)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("TAB1,m,,,,,false,s,,,", "neither contents_code nor contents_label"),
        ("TAB1,m,X,,20-64,16-19,false,s,,,", "age band '16-19' is not inside 20-64"),
        ("TAB1,m,X,,,,yes,s,,,", "is_preliminary must be true or false"),
        ("1234,m,X,,,,false,s,,,", "table_id '1234' is not TABnnnn"),
        ("TAB1,,X,,,,false,s,,,", "empty measure_id"),
        ("TAB1,m,X,,,,false,s,,county,", "region_level must be empty or one of riket, lan, kommun"),
    ],
    ids=["no-contents", "band-outside", "preliminary-word", "table-id", "no-measure", "level"],
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


def build_answer(
    metadata: bytes, selection: dict[str, list[str]], totals: dict[str, str] | None = None
) -> bytes:
    """A json-stat2 answer for a selection, shaped like the metadata; value = flat index / 10.

    totals: the eliminationValueCode to name per dimension, where the selection holds it.
    """
    document = load(metadata)
    dimensions: dict[str, Any] = {}
    for variable, codes in selection.items():
        source = document["dimension"][variable]
        labels = source["category"]["label"]
        category = {
            "index": {c: i for i, c in enumerate(codes)},
            "label": {c: labels[c] for c in codes},
        }
        dimensions[variable] = {"label": source["label"], "category": category}
        total = (totals or {}).get(variable)
        if total in codes:
            dimensions[variable]["extension"] = {
                "elimination": True,
                "eliminationValueCode": total,
                "show": "value",
            }
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


def answer_v2(metadata: bytes, totals: dict[str, str] | None = None) -> Callable[[Request], Reply]:
    def reply(request: Request) -> Reply:
        body = build_answer(metadata, read_v2_selection(request), totals)
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


def write_v1_listing(table: str, updated: str) -> bytes:
    """A v1 folder listing, as PxWeb v1 answers GET on a folder: one entry per table."""
    entry = {
        "id": table,
        "type": "t",
        "text": "Befolkningens arbetsmarknadsstatus",
        "updated": updated,
    }
    return json.dumps([entry], ensure_ascii=False).encode("utf-8")


def test_fetch_falls_back_to_v1_when_v2_does_not_know_the_table(data_tree):
    v1_folder = f"{V1_PATH}/START/AM/AM0210/AM0210A"
    v1_table = f"{v1_folder}/ArbStatusM"
    routes = {
        v1_table: answer_v1,
        v1_folder: Reply(200, body=write_v1_listing("ArbStatusM", "2026-08-28T08:00:00")),
    }
    with serve(routes) as server:  # every v2 path answers 404
        saved = run_fetch(server, "TAB6260", ["00", "01", "0181"], ["2024M09", "2024M10"])
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", f"{V2_PATH}/tables/TAB6260/metadata"),
        ("GET", v1_table),
        ("GET", v1_folder),  # v1 table metadata has no `updated`: its folder listing has
        ("POST", v1_table),
    ]
    assert json.loads(server.requests[3].body) == {
        "query": [
            {"code": variable, "selection": {"filter": "item", "values": codes}}
            for variable, codes in EXPECTED_6260_SELECTION.items()
        ],
        "response": {"format": "json-stat2"},
    }
    sidecar = read_sidecar(saved[0])
    assert (sidecar["api"], sidecar["table_updated"]) == ("v1", "2026-08-28T08:00:00")
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


# --- fetch: the integration tables (both contents, totals, population) --------------------

UTBNIV = ["000", "F", "3", "EU", "US"]


def read_saved(path: Path) -> pd.DataFrame:
    """Parse a saved answer as the build does: its bytes and its sidecar."""
    sidecar = read_sidecar(path)
    return scb.parse(path.read_bytes(), sidecar | {"file": path.name}, CATALOG)


def test_fetch_takes_both_integration_contents_by_label_and_records_the_population(data_tree):
    routes = v2_routes("TAB6383", META_6383, Reply(200, body=DATA_6383))
    with serve(routes) as server:
        saved = run_fetch(server, "TAB6383", ["0181", "0136", "0127"], ["2022", "2023"])
    assert read_v2_selection(server.requests[1]) == {
        "Region": ["0127", "0136", "0181"],
        "Kon": ["1", "2", "1+2"],
        "UtbNiv": UTBNIV,
        "BakgrVar": ["TOT", "SE", "SAMUTF"],  # ages, Nordic, EU, reasons, durations: no group
        "ContentsCode": ["000007XB", "000007XC"],  # the table's order: inskrivna, öppet
        "Tid": ["2022", "2023"],
    }
    sidecar = read_sidecar(saved[0])
    assert sidecar["measure_ids"] == [OPPET, INSKRIVNA]
    assert sidecar["contents_codes"] == {OPPET: "000007XC", INSKRIVNA: "000007XB"}
    assert sidecar["population_from_labels"] == ["20-64", "20-65"]  # bands up to 55-64, 55-65
    assert sidecar["table_updated"] == UPDATED
    assert saved[0].read_bytes() == DATA_6383  # BOM and all
    frame = read_saved(saved[0])
    cell = pick(frame, region_code="0181", sex="total", education="post_secondary", period="2023")
    cell = pick(cell, birth_region="foreign_born")
    assert dict(zip(cell["measure_id"], cell["value"], strict=True)) == {
        OPPET: 52.7,
        INSKRIVNA: 52.5,
    }


HOLDING_RIKET = edit(META_6383, lambda d: rename_code(d, "Region", "0127", "00"))


@pytest.mark.parametrize(
    ("table_id", "metadata", "regions", "expected"),
    [
        ("TAB6383", META_6383, ["0181", "01", "00"], ["0181"]),
        ("TAB6383", HOLDING_RIKET, None, ["0136", "0181"]),
        ("TAB6384", META_6384, ["0181", "01", "00"], ["01"]),
    ],
    ids=["kommun-of-three-levels", "kommun-table-holding-riket", "lan-of-three-levels"],
)
def test_fetch_takes_only_its_tables_level_of_region(
    data_tree, table_id, metadata, regions, expected
):
    """Three tables feed each integration measure: a region from two would be a duplicate key."""
    answer = answer_v2(metadata, {"Kon": "TotSa"} if table_id == "TAB6384" else None)
    with serve(v2_routes(table_id, metadata, answer)) as server:
        saved = run_fetch(server, table_id, regions, ["2023"])
    assert read_v2_selection(server.requests[1])["Region"] == expected
    assert sorted(set(read_saved(saved[0])["region_code"])) == expected


def test_integration_tables_of_three_levels_build_into_two_measures(data_tree):
    """Kommun, län and Riket answers (v2, v2 with TotSa, v1) pass the build's validation."""
    v1_table = f"{AA0003B}/IntGr1RikUtbBAS"
    routes = {
        **v2_routes("TAB6383", META_6383, Reply(200, body=DATA_6383)),
        **v2_routes("TAB6384", META_6384, Reply(200, body=DATA_6384)),
        v1_table: answer_v1_integration(META_6379_V1, DATA_6379_V1),
        AA0003B: Reply(200, body=LISTING_V1),
    }
    with serve(routes) as server:
        run_fetch(server, "TAB6383", None, ["2022", "2023"])
        run_fetch(server, "TAB6384", None, ["2023", "2024"])
        run_fetch(server, "TAB6379", None, ["2024"])
    build()
    rows = store.read_observations({"measure_id": [OPPET, INSKRIVNA]})
    # (3 kommuner x 2 years + 2 län x 2 years + Riket x 1 year) x 3 x 5 x 3 groups, per measure
    counts = rows["measure_id"].astype(str).value_counts().to_dict()
    assert counts == {OPPET: 11 * 45, INSKRIVNA: 11 * 45}
    riket = rows[(rows["region_code"] == "00") & (rows["measure_id"] == OPPET)]
    riket = pick(riket, sex="total", education="total", birth_region="total")
    assert riket["value"].tolist() == [6.1] and riket["period"].tolist() == ["2024"]
    assert rows["value"].isna().sum() == 2  # TAB6383 cell 539 and TAB6384 cell 61, never 0


def test_fetch_refuses_regions_of_another_level_only(data_tree):
    routes = v2_routes("TAB6384", META_6384, Reply(200, body=DATA_6384))
    with serve(routes) as server, pytest.raises(SourceError) as error:
        run_fetch(server, "TAB6384", ["0181", "0136"], ["2023"])
    assert "Region: none of 0181, 0136 is a lan region (this table's level)" in str(error.value)
    assert [r.method for r in server.requests] == ["GET"]


def test_fetch_asks_for_a_total_the_metadata_does_not_name_and_keeps_it_as_the_answer_names_it(
    data_tree,
):
    """SCB's metadata says only `elimination: true` for Kon; the data answer names TotSa."""
    assert "eliminationValueCode" not in load(META_6384)["dimension"]["Kon"]["extension"]
    assert load(DATA_6384)["dimension"]["Kon"]["extension"]["eliminationValueCode"] == "TotSa"
    routes = v2_routes("TAB6384", META_6384, Reply(200, body=DATA_6384))
    with serve(routes) as server:
        saved = run_fetch(server, "TAB6384", ["03", "01"], ["2023", "2024"])
    assert read_v2_selection(server.requests[1])["Kon"] == ["TotSa", "1", "2"]
    frame = read_saved(saved[0])
    totals = pick(frame, region_code="01", sex="total", education="total", birth_region="total")
    assert pick(totals, measure_id=OPPET, period="2024")["value"].tolist() == [0.3]
    women = pick(frame, region_code="03", sex="women", education="post_secondary", period="2024")
    women = pick(women, birth_region="born_in_sweden", measure_id=OPPET)
    assert women["value"].tolist() == [34.3]


def add_code(dimension: str, code: str, label: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        category = document["dimension"][dimension]["category"]
        category["index"][code] = len(category["index"])
        category["label"][code] = label
        document["size"][document["id"].index(dimension)] += 1

    return change


def drop_codes(dimension: str, codes: list[str]) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        category = document["dimension"][dimension]["category"]
        kept = [code for code in category["index"] if code not in codes]
        category["index"] = {code: position for position, code in enumerate(kept)}
        category["label"] = {code: category["label"][code] for code in kept}
        document["size"][document["id"].index(dimension)] = len(kept)

    return change


def name_kon_total(code: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        add_code("Kon", "9", "uppgift saknas")(document)
        document["dimension"]["Kon"]["extension"]["eliminationValueCode"] = code

    return change


def test_fetch_asks_for_the_total_the_metadata_names_and_leaves_other_codes_out(data_tree):
    """PxWebApi may name eliminationValueCode in metadata too: then that code is the total."""
    routes = v2_routes(
        "TAB6384", edit(META_6384, name_kon_total("TotSa")), Reply(200, body=DATA_6384)
    )
    with serve(routes) as server:
        saved = run_fetch(server, "TAB6384", ["01", "03"], ["2023", "2024"])
    assert read_v2_selection(server.requests[1])["Kon"] == ["TotSa", "1", "2"]  # not "9"
    assert len(saved) == 1


def make_kon_fixed(document: dict[str, Any]) -> None:
    document["dimension"]["Kon"]["extension"]["elimination"] = False


@pytest.mark.parametrize(
    ("metadata", "data", "message", "methods"),
    [
        (
            edit(META_6384, add_code("Kon", "3", "okänt")),
            DATA_6384,
            "Kon: no code is a total this parser knows ('1+2'); the metadata names none (no "
            "eliminationValueCode) and several codes are unmapped (unmapped: 'TotSa', '3'); "
            "map them in GROUP_DIMENSIONS",
            ["GET"],
        ),
        (
            edit(META_6384, make_kon_fixed),
            DATA_6384,
            "Kon: no code is a total this parser knows ('1+2'); Kon is not eliminable in the "
            "metadata, so no other code can be one (unmapped: 'TotSa')",
            ["GET"],
        ),
        (
            META_6384,
            edit(DATA_6384, set_kon_extension(eliminationValueCode=None)),
            "Kon code 'TotSa' (category index 0) is not a code this parser maps; "
            "the answer names no total for Kon (eliminationValueCode)",
            ["GET", "POST"],
        ),
        (
            edit(META_6384, name_kon_total("1")),
            DATA_6384,
            "Kon: eliminationValueCode '1' names as the total a code this parser maps to 'men'",
            ["GET"],
        ),
    ],
    ids=["two-unknown-codes", "not-eliminable", "answer-names-no-total", "metadata-names-men"],
)
def test_fetch_refuses_an_unknown_code_it_cannot_take_as_the_total(
    data_tree, metadata, data, message, methods
):
    routes = v2_routes("TAB6384", metadata, Reply(200, body=data))
    with serve(routes) as server, pytest.raises(SourceError) as error:
        run_fetch(server, "TAB6384", ["01", "03"], ["2023", "2024"])
    assert message in str(error.value)
    assert [r.method for r in server.requests] == methods
    assert list_scb_files(data_tree) == []


def answer_v1_integration(metadata: bytes, data: bytes) -> Callable[[Request], Reply]:
    def reply(request: Request) -> Reply:
        return Reply(200, body=metadata if request.method == "GET" else data)

    return reply


def rename_v1_value(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        for variable in document["variables"]:
            variable["values"] = [new if v == old else v for v in variable["values"]]

    return change


def test_fetch_v1_integration_table_with_known_totals_and_its_listing_version(data_tree):
    v1_table = f"{AA0003B}/IntGr1RikUtbBAS"
    routes = {
        v1_table: answer_v1_integration(META_6379_V1, DATA_6379_V1),
        AA0003B: Reply(200, body=LISTING_V1),
    }
    with serve(routes) as server:
        saved = run_fetch(server, "TAB6379", ["00"], ["2024"])
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", f"{V2_PATH}/tables/TAB6379/metadata"),
        ("GET", v1_table),
        ("GET", AA0003B),
        ("POST", v1_table),
    ]
    sidecar = read_sidecar(saved[0])
    assert (sidecar["api"], sidecar["table_updated"]) == ("v1", "2026-03-26T07:00:00")
    frame = read_saved(saved[0])
    # Flat index = ((kon*5 + utbniv)*3 + bakgrvar)*2 + contents: one region, one year.
    total = pick(frame, sex="total", education="total", birth_region="total", measure_id=OPPET)
    assert total["value"].tolist() == [6.1]
    men = pick(frame, sex="men", education="unknown", birth_region="foreign_born")
    assert pick(men, measure_id=INSKRIVNA)["value"].tolist() == [2.8]


def test_fetch_v1_refuses_a_totsa_its_answer_cannot_name(data_tree):
    """v1 metadata says only `elimination: true`; PxWeb's older json-stat2 names no total."""
    v1_table = f"{AA0003B}/IntGr1RikUtbBAS"
    metadata = edit(META_6379_V1, rename_v1_value("1+2", "TotSa"))
    data = edit(DATA_6379_V1, lambda d: rename_code(d, "Kon", "1+2", "TotSa"))
    routes = {v1_table: answer_v1_integration(metadata, data), AA0003B: Reply(200, body=LISTING_V1)}
    with serve(routes) as server, pytest.raises(SourceError) as error:
        run_fetch(server, "TAB6379", ["00"], ["2024"])
    assert "Kon code 'TotSa' (category index 2) is not a code this parser maps" in str(error.value)
    assert json.loads(server.requests[-1].body)["query"][1]["selection"]["values"] == [
        "1",
        "2",
        "TotSa",
    ]
    assert list_scb_files(data_tree) == []


def set_population(data_tree: Path, measure: str, population: str) -> None:
    """Change one measure's population_sv in the test's own measures.csv."""
    path = data_tree / "reference" / "measures.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame["measure_id"] == measure, "population_sv"] = population
    frame.to_csv(path, index=False)


AGE_BANDS_6383 = ["ALD20-24", "ALD25-34", "ALD35-44", "ALD45-54", "ALD55-64", "ALD55-65"]


@pytest.mark.parametrize(
    ("metadata", "population", "message"),
    [
        (
            META_6383,
            "20-64 år",
            "the table's labels give the population 20-64 år ('ålder: 20-24 år'; 'ålder: "
            "55-64 år'), 20-65 år ('ålder: 20-24 år'; 'ålder: 55-65 år'); measures.csv says "
            f"'20-64 år' for {OPPET}: correct its population_sv",
        ),
        (
            edit(META_6383, drop_codes("BakgrVar", ["ALD55-64"])),
            "20-64/20-65 år",
            "the table's labels give the population 20-65 år",
        ),
        (
            edit(META_6383, drop_codes("BakgrVar", AGE_BANDS_6383)),
            "20-64/20-65 år",
            "no age range in the labels of Kon, UtbNiv, BakgrVar: the population of "
            f"{OPPET} (measures.csv: '20-64/20-65 år') is not stated by the table",
        ),
    ],
    ids=["measures-says-20-64", "table-drops-55-64", "no-ages-in-labels"],
)
def test_fetch_stops_before_any_data_call_unless_the_labels_confirm_the_population(
    data_tree, metadata, population, message
):
    set_population(data_tree, OPPET, population)
    routes = v2_routes("TAB6383", metadata, Reply(200, body=DATA_6383))
    with serve(routes) as server, pytest.raises(SourceError) as error:
        run_fetch(server, "TAB6383", ["0181"], ["2022"])
    assert message in str(error.value)
    assert [r.method for r in server.requests] == ["GET"]
    assert list_scb_files(data_tree) == []


def test_fetch_stops_when_measures_csv_names_another_population_than_the_age_code(data_tree):
    set_population(data_tree, BAS_20_64.measure_id, "20-65 år")
    routes = v2_routes("TAB6260", META_6260, Reply(200, body=DATA_6260))
    with serve(routes) as server, pytest.raises(SourceError) as error:
        run_fetch(server, "TAB6260", ["00", "01", "0181"], ["2024M09", "2024M10"])
    assert (
        "Alder code '20-64' gives the population 20-64 år; measures.csv says '20-65 år' for "
        "scb_bas_arbetsloshet_20_64: correct its population_sv"
    ) in str(error.value)
    assert [r.method for r in server.requests] == ["GET"]
    assert list_scb_files(data_tree) == []


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["ålder: 20-24 år", "ålder: 25-34 år", "ålder: 55-64 år"], ["20-64"]),
        (["ålder: 20-24 år", "ålder: 55-64 år", "ålder: 55-65 år"], ["20-64", "20-65"]),
        (["samtliga 20-64 år", "ålder: 20-24 år", "ålder: 55-64 år"], ["20-64"]),
        (["samtliga 20-64 år", "ålder: 20-24 år", "ålder: 55-65 år"], ["20-64", "20-65"]),
        (["Ålder:  20–24 år", "ålder: 60-66 år"], ["20-66"]),
        (["vistelsetid 0-1 år", "vistelsetid 2-3 år", "samtliga"], []),
    ],
    ids=["bands", "two-top-bands", "whole-and-bands", "whole-disagrees", "en-dash", "durations"],
)
def test_read_label_populations_reads_ages_not_durations(labels, expected):
    groups = {"BakgrVar": {f"c{i}": label for i, label in enumerate(labels)}}
    assert list(scb.read_label_populations(groups)) == expected


def drop_label_texts(document: dict[str, Any]) -> None:
    label = document["dimension"]["ContentsCode"]["category"]["label"]
    label["000007XB"] = label["000007XC"] = "Andel öppet arbetslösa, procent"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (relabel_unemployment, "no ContentsCode labelled 'andel öppet arbetslösa'"),
        (drop_label_texts, "2 ContentsCode labelled 'andel öppet arbetslösa'"),
        (lambda d: rename_code(d, "Region", "0181", "0182"), "Region: the table has no 0181"),
        (lambda d: rename_code(d, "UtbNiv", "EU", "E"), "UtbNiv: the table has no EU"),
    ],
    ids=["label-gone", "label-ambiguous", "region-missing", "category-renamed"],
)
def test_fetch_stops_before_any_data_call_when_metadata_does_not_fit(data_tree, change, message):
    routes = v2_routes("TAB6383", edit(META_6383, change), Reply(200, body=DATA_6383))
    with serve(routes) as server, pytest.raises(SourceError) as error:
        run_fetch(server, "TAB6383", ["0181"], ["2022"])
    assert message in str(error.value)
    if "labelled" in message:
        assert "(the table has:" in str(error.value)
    assert [r.method for r in server.requests] == ["GET"]
    assert list_scb_files(data_tree) == []


# --- skip-if-unchanged: the table's `updated` ---------------------------------------------


def drop_updated(document: dict[str, Any]) -> None:
    document.pop("updated")


@pytest.mark.parametrize(
    ("table_id", "routes", "expected", "paths_asked"),
    [
        (
            "TAB6383",
            {f"{V2_PATH}/tables/TAB6383/metadata": Reply(200, body=META_6383)},
            UPDATED,
            [f"{V2_PATH}/tables/TAB6383/metadata"],
        ),
        (
            "TAB6384",
            {AA0003B: Reply(200, body=LISTING_V1)},  # v2 answers 404: the v1 folder listing
            "2026-03-26T07:00:00",
            [f"{V2_PATH}/tables/TAB6384/metadata", AA0003B],
        ),
        (
            "TAB6383",
            {f"{V2_PATH}/tables/TAB6383/metadata": Reply(200, body=edit(META_6383, drop_updated))},
            None,
            [f"{V2_PATH}/tables/TAB6383/metadata"],
        ),
    ],
    ids=["v2-metadata", "v1-listing", "none-named"],
)
def test_describe_remote_version_reads_updated(data_tree, table_id, routes, expected, paths_asked):
    with serve(routes) as server:
        version = scb.describe_remote_version(
            create_session(total_retries=0),
            table_id,
            base_url=server.url + V2_PATH,
            v1_url=server.url + V1_PATH,
            limiter=FakeClock().limiter(),
        )
    assert version == expected
    assert server.paths() == paths_asked


def test_describe_remote_version_raises_on_a_failing_server(data_tree):
    routes = {f"{V2_PATH}/tables/TAB6383/metadata": Reply(503, body=b"Service Unavailable")}
    with serve(routes) as server, pytest.raises(HttpError) as error:
        scb.describe_remote_version(
            create_session(total_retries=0, backoff_factor=0),
            "TAB6383",
            base_url=server.url + V2_PATH,
            limiter=FakeClock().limiter(),
        )
    assert error.value.status == 503


def test_fetch_records_the_version_the_update_command_compares(data_tree):
    """`etl update` asks FETCHER.version with fetch's arguments; the sidecars record the same."""
    parser = argparse.ArgumentParser()
    scb.add_fetch_arguments(parser)
    routes = v2_routes("TAB6384", META_6384, Reply(200, body=DATA_6384))
    routes[f"{V2_PATH}/tables/TAB6383/metadata"] = Reply(200, body=edit(META_6383, drop_updated))
    with serve(routes) as server:
        saved = run_fetch(server, "TAB6384", ["01", "03"], ["2023", "2024"])
        args = parser.parse_args(
            ["--tables", "TAB6384,TAB6383", "--base-url", server.url + V2_PATH]
        )
        versions = scb.FETCHER.version(args, CATALOG)
    assert versions == {"TAB6384": UPDATED, "TAB6383": None}
    assert read_sidecar(saved[0])["table_updated"] == versions["TAB6384"]


# --- `python -m etl fetch scb` defaults -----------------------------------------------------


def test_fetch_command_defaults_to_the_default_tables_and_every_region(data_tree):
    parser = argparse.ArgumentParser()
    scb.add_fetch_arguments(parser)
    defaults = parser.parse_args([])
    assert defaults.tables.split(",") == list(scb.DEFAULT_TABLES)
    assert defaults.regions == scb.ALL_REGIONS

    def answer(request: Request) -> Reply:
        selection = read_v2_selection(request)
        totals = {"Kon": "1+2", "UtbNiv": "000", "BakgrVar": "TOT"}
        document = fixtures.write_v2_answer(fixtures.TAB6383, selection, totals)
        return Reply(200, body=fixtures.encode(document, with_bom=False))

    routes = v2_routes("TAB6383", META_6383, answer)
    with serve(routes) as server:
        args = parser.parse_args(["--tables", "TAB6383", "--base-url", server.url + V2_PATH])
        saved = scb.fetch_from_arguments(args, CATALOG)
    selection = read_v2_selection(server.requests[1])
    assert selection["Region"] == ["0127", "0136", "0181"]  # every region the table has
    assert selection["Tid"] == ["2022", "2023", "2024"]
    assert len(saved) == 1


def test_fixture_files_are_what_the_fixture_writer_writes():
    for name, content in fixtures.render_fixtures().items():
        assert (FIXTURES / name).read_bytes() == content, f"rerun write_fixtures for {name}"
