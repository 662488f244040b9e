"""AF's andel pivot workbooks: kommun shares from counts, counties and Riket summed from counts."""

import io
import unicodedata
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from bench.af_workbook import AF_ANDEL_FIELDS, AF_CALCULATED, AF_COUNT_NAMES, write_pivot_workbook
from etl.errors import SourceError
from etl.sources import arbetsformedlingen
from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog

CATALOG = load_catalog(paths.REPO_DIR / "data" / "reference")
MONTHS = ("2024-01", "2024-02")
# (LAN, KOM): two Stockholm kommuner, a residual kommun row in Stockholms län, Heby under two
# counties (it moved in 2007; AF can list it under both in one month), and a row whose county is
# unknown (it counts only for Riket).
PLACES = (
    ("Stockholms län", "Södertälje"),
    ("Stockholms län", "Haninge"),
    ("Stockholms län", "Uppgift saknas"),
    ("Uppsala län", "Heby"),
    ("Västmanlands län", "Heby"),
    ("Uppgift saknas", "Uppgift saknas"),
)
TOTAL = {"sex": "total", "age": "total", "birth_region": "total", "education": "total"}


def make_counts(place: int, month: int, bas: bool) -> dict[str, float]:
    """Deterministic counts: SOK below AK; BAS labour force an average with decimals."""
    counts = {}
    for index, name in enumerate(AF_COUNT_NAMES):
        base = 100 + 37 * place + 11 * month + 3 * (index // 2)
        if name.endswith("SOK"):
            counts[name] = float(base)
        else:
            # Shares from 3 % to 17 %, different for each place and group.
            counts[name] = float(base * (6 + 3 * place + index % 5)) + (0.25 if bas else 0.0)
    return counts


def make_records(bas: bool = True, places: tuple = PLACES) -> list[dict[str, object]]:
    records = []
    for month_index, month in enumerate(MONTHS):
        for place_index, (county, kommun) in enumerate(places):
            row = {"PERIOD": month, "LAN": county, "KOM": kommun}
            records.append(row | make_counts(place_index, month_index, bas))
    return records


def write_workbook(records: list[dict[str, object]], **options: object) -> bytes:
    buffer = io.BytesIO()
    rows = [[record.get(field.name) for field in AF_ANDEL_FIELDS] for record in records]
    write_pivot_workbook(buffer, AF_ANDEL_FIELDS, rows, calculated=AF_CALCULATED, **options)
    return buffer.getvalue()


def parse(raw: bytes, name: str = "web-inskrivna-arbetslosa-andel-av-bas-2024-02.xlsx"):
    return arbetsformedlingen.parse(raw, {"file": name}, CATALOG)


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return parse(write_workbook(make_records()))


def pick(frame: pd.DataFrame, region: str, period: str = "2024M02", **group: str) -> pd.Series:
    wanted = TOTAL | group
    mask = (frame["region_code"] == region) & (frame["period"] == period)
    for dimension, code in wanted.items():
        mask &= frame[dimension] == code
    rows = frame[mask]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def sum_counts(records: list[dict], month: str, keep, field: str) -> float:
    return sum(r[field] for r in records if r["PERIOD"] == month and keep(r))


@pytest.mark.parametrize(
    ("region", "group", "prefix", "keep"),
    [
        ("0181", {}, "TOT", lambda r: r["KOM"] == "Södertälje"),
        (
            "0181",
            {"birth_region": "foreign_born", "sex": "women"},
            "UTRK",
            lambda r: r["KOM"] == "Södertälje",
        ),
        ("0136", {"age": "18-24", "sex": "men"}, "UNGM", lambda r: r["KOM"] == "Haninge"),
        ("0136", {"education": "pre_upper_secondary"}, "FG", lambda r: r["KOM"] == "Haninge"),
        # Heby's two rows (two counties) are one kommun row: summed.
        ("0331", {}, "TOT", lambda r: r["KOM"] == "Heby"),
        # The county: all its rows, the residual kommun row included.
        ("01", {}, "TOT", lambda r: r["LAN"] == "Stockholms län"),
        ("01", {"age": "55-64", "sex": "women"}, "GAMK", lambda r: r["LAN"] == "Stockholms län"),
        ("03", {}, "TOT", lambda r: r["LAN"] == "Uppsala län"),
        ("19", {}, "TOT", lambda r: r["LAN"] == "Västmanlands län"),
        # Riket: every row, the one without a county too.
        ("00", {}, "TOT", lambda r: True),
        ("00", {"education": "post_secondary", "sex": "men"}, "EGM", lambda r: True),
    ],
)
def test_shares_are_computed_from_summed_counts(parsed, region, group, prefix, keep):
    records = make_records()
    numerator = sum_counts(records, "2024-02", keep, f"{prefix}SOK")
    denominator = sum_counts(records, "2024-02", keep, f"{prefix}AK")
    row = pick(parsed, region, **group)
    assert row["numerator"] == numerator
    assert row["denominator"] == pytest.approx(denominator)
    assert row["value"] == pytest.approx(100 * numerator / denominator, rel=1e-12)
    assert pd.isna(row["status"])


def test_every_group_for_every_sex_and_no_residual_region(parsed):
    """8 groups x 3 sexes for 3 kommuner, 3 counties and Riket; "Uppgift saknas" is no region."""
    assert set(parsed["region_code"]) == {"0181", "0136", "0331", "01", "03", "19", "00"}
    assert len(parsed) == 7 * 2 * 24
    assert set(parsed["measure_id"]) == {"af_inskrivna_andel_bas"}
    assert set(parsed["period"]) == {"2024M01", "2024M02"}
    assert not parsed.duplicated(
        ["region_code", "period", "sex", "age", "birth_region", "education"]
    ).any()


def test_a_missing_cell_makes_the_county_and_riket_missing_not_smaller():
    records = make_records()
    records[6 + 0]["UTRSOK"] = None  # Södertälje, 2024-02
    frame = parse(write_workbook(records))
    kommun = pick(frame, "0181", birth_region="foreign_born")
    assert pd.isna(kommun["value"]) and pd.isna(kommun["numerator"])
    for region in ("01", "00"):
        row = pick(frame, region, birth_region="foreign_born")
        assert pd.isna(row["value"]) and pd.isna(row["numerator"])
        assert row["status"] == "missing_part"
    # Other groups, months and counties keep their figures.
    assert pick(frame, "01")["value"] > 0
    assert pick(frame, "01", period="2024M01", birth_region="foreign_born")["value"] > 0
    assert pick(frame, "03", birth_region="foreign_born")["value"] > 0


def test_a_residual_row_without_labour_force_adds_its_job_seekers_only():
    """ "Uppgift saknas" rows have no labour force of their own: empty AK adds nothing there."""
    records = make_records()
    residual = records[6 + 2]  # Stockholms län, kommun unknown, 2024-02
    assert residual["KOM"] == "Uppgift saknas"
    for name in AF_COUNT_NAMES:
        if name.endswith("AK"):
            residual[name] = None
    frame = parse(write_workbook(records))
    row = pick(frame, "01")
    stockholm = [r for r in records if r["PERIOD"] == "2024-02" and r["LAN"] == "Stockholms län"]
    assert row["numerator"] == sum(r["TOTSOK"] for r in stockholm)
    assert row["denominator"] == pytest.approx(sum(r["TOTAK"] or 0 for r in stockholm))
    assert pd.isna(row["status"])


def test_nfd_encoded_names_map_to_their_codes():
    frame = parse(write_workbook(make_records(), normalization="NFD"))
    assert unicodedata.is_normalized("NFD", "Södertälje") is False
    assert set(frame["region_code"]) == {"0181", "0136", "0331", "01", "03", "19", "00"}


def test_names_are_case_and_whitespace_tolerant():
    places = (("  STOCKHOLMS  LÄN ", "södertälje"), ("Stockholm", "Haninge kommun"))
    frame = parse(write_workbook(make_records(places=places)))
    assert set(frame["region_code"]) == {"0181", "0136", "01", "00"}


def test_an_unknown_kommun_name_stops_the_import_naming_it_and_the_record():
    places = (("Stockholms län", "Södertälje"), ("Stockholms län", "Söderköping Norra"))
    with pytest.raises(SourceError) as error:
        parse(write_workbook(make_records(places=places)))
    message = str(error.value)
    assert "unknown kommun name 'Söderköping Norra'" in message
    assert "record 2, field KOM" in message
    assert "pivotCacheDefinition1.xml" in message


@pytest.mark.parametrize(
    ("bas", "name", "measure"),
    [
        (True, "af.xlsx", "af_inskrivna_andel_bas"),  # decimals in AK: BAS averages
        (False, "af.xlsx", "af_inskrivna_andel_reg"),  # whole head counts: registerbaserad
        (False, "web-inskrivna-arbetslosa-andel-av-bas-2024-02.xlsx", "af_inskrivna_andel_bas"),
    ],
)
def test_the_labour_force_definition_is_told_from_the_content(bas, name, measure):
    frame = parse(write_workbook(make_records(bas=bas)), name)
    assert set(frame["measure_id"]) == {measure}


def test_two_pivot_tables_sharing_one_cache_yield_its_rows_once():
    frame = parse(write_workbook(make_records(), second_table=True))
    assert len(frame) == 7 * 2 * 24


def test_counts_travel_as_floats_and_shares_stay_unrounded(parsed):
    row = pick(parsed, "00")
    assert row["value"] != round(row["value"], 1)
    assert np.isfinite(row["denominator"]) and row["denominator"] % 1 != 0


def make_xlsb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return buffer.getvalue()


def make_plain_workbook() -> bytes:
    """An xlsx with neither a pivot cache nor a header this importer knows."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["Något helt annat", "än statistik"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD = write_workbook(make_records())


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (GOOD[: len(GOOD) // 2], "not a readable xlsx workbook"),
        (
            write_workbook(make_records(), omit_records_part=True),
            "pivotCacheDefinition1.xml",
        ),
        (make_plain_workbook(), "not a recognisable table"),
        (make_xlsb(), "an .xlsb (binary Excel) workbook: open it in Excel and save it as .xlsx"),
    ],
    ids=["truncated-zip", "cache-without-records", "no-cache-no-layout", "xlsb"],
)
def test_a_broken_or_foreign_workbook_stops_with_a_message(raw, message):
    with pytest.raises(SourceError) as error:
        parse(raw, "af.xlsx")
    assert message in str(error.value)
    assert str(error.value).startswith("arbetsformedlingen: af.xlsx")
