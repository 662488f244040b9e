"""Arbetsförmedlingen downloads: xlsx/csv layouts parse to real values; bad files name the cell."""

import hashlib
import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from etl.errors import SourceError
from etl.sources import af_sheet, arbetsformedlingen
from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog
from labourmarket.core.schema import PARSED_COLUMNS

REGIONS = load_catalog(paths.REPO_DIR / "data" / "reference").regions

RAMS_TITLE = [
    ["Inskrivna arbetslösa som andel av registerbaserad arbetskraft"],
    ["Kommuner och län, 16-64 år"],
    ["Källa: Arbetsförmedlingen"],
    [],
]
BAS_TITLE = [
    ["Inskrivna arbetslösa som andel av arbetskraften (BAS)"],
    ["16-65 år"],
    [],
]
WIDE_HEADER = [
    "PERIOD",
    "Kommunkod",
    "Kommun",
    "Totalt 16-64 år",
    "18-24 år",
    "Inrikes födda",
    "Utrikes födda",
    "Kvinnor",
    "Förgymnasial",
]
# Shaped like AF's download: codes as numbers (181 for 0181), shares as fractions, a note below.
WIDE_ROWS: list[list[Any]] = [
    ["2024-10", 181, "Södertälje", 0.145, 0.121, 0.071, 0.262, 0.139, "<5"],
    ["2024-10", 136, "Haninge", 0.083, "..", 0.052, 0.154, 0.08, None],
    ["2024-10", None, "Stockholms län", 0.066, 0.051, 0.039, 0.121, 0.063, 0.19],
    ["2024-10", None, "Riket", 0.068, 0.075, 0.037, 0.152, 0.066, 0.211],
    [],
    ["Anm: <5 visas där färre än fem personer är inskrivna."],
]
TOTAL = {"sex": "total", "age": "total", "birth_region": "total", "education": "total"}


def build_xlsx(
    rows: list[list[Any]],
    title: list[list[Any]] = RAMS_TITLE,
    sheet: str = "Andel",
    number_format: str | None = None,
    other_sheets: tuple[str, ...] = (),
) -> bytes:
    """A workbook like AF's: a title block, then the header and rows, on the named sheet."""
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for other in other_sheets:
        workbook.create_sheet(other).append(["Antal inskrivna arbetslösa"])
    for line in [*title, *rows]:
        worksheet.append(line)
    if number_format:
        for cells in worksheet.iter_rows(min_row=len(title) + 2):
            for cell in cells:
                if isinstance(cell.value, float):
                    cell.number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def wide(*changes: tuple[int, int, Any], header: list[str] = WIDE_HEADER) -> list[list[Any]]:
    """The wide rows with (row, column, value) edits; row 0 is the header."""
    rows = [list(header), *(list(row) for row in WIDE_ROWS)]
    for row, column, value in changes:
        rows[row][column] = value
    return rows


FRACTIONS_XLSX = build_xlsx(wide())
LONG_PERCENT_XLSX = build_xlsx(
    [
        ["Period", "Länskod", "Län", "Grupp", "Andel (%)"],
        ["202410", 1, "Stockholms län", "Totalt", 6.6],
        ["202410", 1, "Stockholms län", "Unga 18-24 år", 5.1],
        ["202410", 0, "Riket", "Utrikes födda", 15.2],
        ["202410", 0, "Riket", "Män", "7,0"],
    ],
    title=[["Inskrivna arbetslösa som andel av den registerbaserade arbetskraften"], [], []],
    sheet="Blad1",
)
BAS_DATES_XLSX = build_xlsx(
    [
        ["Månad", "Kommunkod", "Totalt", "Kvinnor 18-24 år"],
        [datetime(2024, 10, 1), "0181", 0.145, 0.118],
    ],
    title=BAS_TITLE,
    sheet="Blad1",
    number_format="0.0%",
)
SEMICOLON_CSV = (
    "Inskrivna arbetslösa som andel av den registerbaserade arbetskraften\r\n"
    "Oktober 2024\r\n"
    "\r\n"
    "Period;Kommunkod;Kommun;Totalt;Unga 18-24;Utrikes födda\r\n"
    "202410;0181;Södertälje;14,5;12,1;26,2\r\n"
    "202410;;Stockholms län;6,6;..;12,1\r\n"
    "202410;0127;Botkyrka;<5;-;\r\n"
).encode("cp1252")
COMMA_CSV = (
    "\ufeffInskrivna arbetslösa som andel av registerbaserad arbetskraft\n"
    "PERIOD,Kommunkod,Grupp,Andel\n"
    "2024-10,181,Totalt,0.145\n"
    "2024-10,181,Förgymnasial utbildning,0.3\n"
).encode("utf-8")


def select(frame: pd.DataFrame, region_code: str, group: dict[str, str]) -> pd.DataFrame:
    wanted = {"region_code": region_code, **TOTAL, **group}
    mask = pd.Series(True, index=frame.index)
    for column, code in wanted.items():
        mask &= frame[column] == code
    return frame[mask]


@pytest.mark.parametrize(
    ("raw", "file_name", "measure_id", "rows"),
    [
        (FRACTIONS_XLSX, "andel.xlsx", "af_inskrivna_andel_reg", 24),
        (LONG_PERCENT_XLSX, "lan.xlsx", "af_inskrivna_andel_reg", 4),
        (BAS_DATES_XLSX, "bas.xlsx", "af_inskrivna_andel_bas", 2),
        (SEMICOLON_CSV, "kommuner.csv", "af_inskrivna_andel_reg", 9),
        (COMMA_CSV, "lang.csv", "af_inskrivna_andel_reg", 2),
    ],
)
def test_parse_returns_canonical_rows_of_one_measure_and_month(raw, file_name, measure_id, rows):
    frame = af_sheet.parse(raw, file_name, REGIONS)
    assert list(frame.columns) == PARSED_COLUMNS
    assert len(frame) == rows
    assert set(frame["measure_id"]) == {measure_id}
    assert set(frame["period"]) == {"2024M10"}
    assert frame["value"].dtype == "float64"
    key = ["region_code", "period", "sex", "age", "birth_region", "education"]
    assert not frame.duplicated(key).any()


@pytest.mark.parametrize(
    ("raw", "region_code", "group", "value", "status"),
    [
        (FRACTIONS_XLSX, "0181", {}, 14.5, None),
        (FRACTIONS_XLSX, "0181", {"age": "18-24"}, 12.1, None),
        (FRACTIONS_XLSX, "0181", {"birth_region": "born_in_sweden"}, 7.1, None),
        (FRACTIONS_XLSX, "0181", {"birth_region": "foreign_born"}, 26.2, None),
        (FRACTIONS_XLSX, "0181", {"sex": "women"}, 13.9, None),
        (FRACTIONS_XLSX, "0181", {"education": "pre_upper_secondary"}, None, "suppressed"),
        (FRACTIONS_XLSX, "0136", {}, 8.3, None),
        (FRACTIONS_XLSX, "0136", {"age": "18-24"}, None, "suppressed"),
        (FRACTIONS_XLSX, "0136", {"education": "pre_upper_secondary"}, None, None),
        (FRACTIONS_XLSX, "01", {"education": "pre_upper_secondary"}, 19.0, None),
        (FRACTIONS_XLSX, "00", {"birth_region": "foreign_born"}, 15.2, None),
        (LONG_PERCENT_XLSX, "01", {}, 6.6, None),
        (LONG_PERCENT_XLSX, "01", {"age": "18-24"}, 5.1, None),
        (LONG_PERCENT_XLSX, "00", {"birth_region": "foreign_born"}, 15.2, None),
        (LONG_PERCENT_XLSX, "00", {"sex": "men"}, 7.0, None),
        (BAS_DATES_XLSX, "0181", {}, 14.5, None),
        (BAS_DATES_XLSX, "0181", {"sex": "women", "age": "18-24"}, 11.8, None),
        (SEMICOLON_CSV, "0181", {}, 14.5, None),
        (SEMICOLON_CSV, "0181", {"birth_region": "foreign_born"}, 26.2, None),
        (SEMICOLON_CSV, "01", {"age": "18-24"}, None, "suppressed"),
        (SEMICOLON_CSV, "0127", {}, None, "suppressed"),
        (SEMICOLON_CSV, "0127", {"birth_region": "foreign_born"}, None, None),
        (COMMA_CSV, "0181", {}, 14.5, None),
        (COMMA_CSV, "0181", {"education": "pre_upper_secondary"}, 30.0, None),
    ],
)
def test_parse_reads_each_figure_in_percent(raw, region_code, group, value, status):
    """Fractions become percent exactly (0.145 -> 14.5); missing stays null, never 0."""
    frame = af_sheet.parse(raw, "fil.xlsx", REGIONS)
    match = select(frame, region_code, group)
    assert len(match) == 1
    row = match.iloc[0]
    if value is None:
        assert pd.isna(row["value"])
    else:
        assert row["value"] == value
    assert (None if pd.isna(row["status"]) else row["status"]) == status


def test_parse_reads_a_cp1252_csv_without_mangling_names():
    """The county row has no code: its cp1252 name must decode to match regions.csv."""
    with pytest.raises(UnicodeDecodeError):
        SEMICOLON_CSV.decode("utf-8")
    frame = af_sheet.parse(SEMICOLON_CSV, "kommuner.csv", REGIONS)
    assert sorted(frame["region_code"].unique()) == ["01", "0127", "0181"]


def test_parse_detects_xlsx_by_content_not_by_extension():
    frame = af_sheet.parse(FRACTIONS_XLSX, "nedladdning.csv", REGIONS)
    assert len(frame) == 24


def zip_of_text() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", "PERIOD;Kommunkod\n")
    return buffer.getvalue()


def csv_bytes(*lines: str) -> bytes:
    return "\r\n".join(lines).encode("cp1252")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            build_xlsx(wide((0, 8, "Antal"))),
            "af.xlsx, sheet Andel, row 5, column I: unknown column header 'Antal'",
        ),
        (
            build_xlsx(wide((1, 1, None), (1, 2, "Atlantis"))),
            "af.xlsx, sheet Andel, row 6, column C: unknown region name 'Atlantis'",
        ),
        (
            build_xlsx(wide((1, 3, "fjorton"))),
            "af.xlsx, sheet Andel, row 6, column D: 'fjorton' is not a number",
        ),
        (
            build_xlsx(wide((1, 3, "14,5 %"))),
            "af.xlsx, sheet Andel, row 6, column D: '14,5 %' is not a number",
        ),
        (
            build_xlsx(wide((0, 0, "Kvartal"))),
            "af.xlsx, sheet Andel, row 5, column A: unknown column header 'Kvartal'",
        ),
        (
            build_xlsx(wide(header=["Kommunkod", "Kommun", "Totalt", "Kvinnor"])),
            "af.xlsx, sheet Andel, row 5: no period column",
        ),
        (
            build_xlsx(wide((1, 0, "okt 2024"))),
            "af.xlsx, sheet Andel, row 6, column A: 'okt 2024' is not a month",
        ),
        (
            build_xlsx(wide((1, 1, 999))),
            "af.xlsx, sheet Andel, row 6, column B: unknown region code '0999'",
        ),
        (
            build_xlsx(wide((2, 1, 181), (2, 2, "Södertälje"))),
            "af.xlsx, sheet Andel, row 7, column D: the same region, period and group as row 6,"
            " column D",
        ),
        (
            build_xlsx(wide(), title=[["Inskrivna arbetslösa, oktober 2024"], [], [], []]),
            "af.xlsx, sheet Andel, row 1: the title (rows 1-5) names neither",
        ),
        (
            build_xlsx([["PERIOD", "Kommunkod", "Totalt"], ["2024-10", 181, 0.145]], sheet="Blad1"),
            "af.xlsx, sheet Blad1, row 5: every value in column(s) C is between 0 and 1",
        ),
        (
            build_xlsx([["PERIOD", "Kommunkod", "Andel (%)"], ["2024-10", 181, 145]]),
            "af.xlsx, sheet Andel, row 6, column C: 145 is above 100 %",
        ),
        (
            build_xlsx(
                [["PERIOD", "Kommunkod", "Totalt", "18-24 år"], ["2024-10", 181, 0.145, 12]],
                number_format="0.0%",
            ),
            "af.xlsx, sheet Andel, row 6, column D: 12 is above 1 while 1 cell(s) carry",
        ),
        (
            build_xlsx(
                [["PERIOD", "Kommunkod", "Grupp", "Andel"], ["2024-10", 181, "Pensionärer", 0.1]]
            ),
            "af.xlsx, sheet Andel, row 6, column C: unknown group label 'Pensionärer'",
        ),
        (
            build_xlsx([["Inskrivna arbetslösa"], ["Södertälje", 0.145]]),
            "af.xlsx: not a recognisable table: no header row",
        ),
        (zip_of_text(), "af.xlsx: a zip archive but not a readable xlsx workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "af.xlsx: an Excel 97-2003 (.xls)"),
        (b"<!DOCTYPE html><html><body>Statistik</body></html>", "af.xlsx: an HTML page"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(32)), "af.xlsx: not a spreadsheet"),
        (b"", "af.xlsx: the file is empty"),
        (
            csv_bytes(
                "Inskrivna arbetslösa som andel av registerbaserad arbetskraft",
                "",
                "Period;Kommunkod;Totalt",
                "202410;0181;n/a",
            ),
            "af.xlsx, sheet af, row 4, column C: 'n/a' is not a number",
        ),
    ],
)
def test_parse_refuses_bad_files_naming_sheet_row_and_column(raw, message):
    with pytest.raises(SourceError) as caught:
        af_sheet.parse(raw, "af.xlsx", REGIONS)
    assert caught.value.source == "arbetsformedlingen"
    assert message in str(caught.value)


def test_parse_refuses_two_share_sheets():
    """Two "Andel" tables in one workbook: which one the user meant is not for us to guess."""
    workbook = openpyxl.load_workbook(io.BytesIO(FRACTIONS_XLSX))
    copy = workbook.copy_worksheet(workbook["Andel"])
    copy.title = "Andel län"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(SourceError, match="several sheets hold share tables"):
        af_sheet.parse(buffer.getvalue(), "af.xlsx", REGIONS)


def test_parse_prefers_the_andel_sheet_over_an_earlier_one():
    workbook = openpyxl.load_workbook(io.BytesIO(FRACTIONS_XLSX))
    counts = workbook.create_sheet("Antal", 0)
    for line in [*RAMS_TITLE, ["PERIOD", "Kommunkod", "Totalt"], ["2024-10", 181, 1234]]:
        counts.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    frame = af_sheet.parse(buffer.getvalue(), "af.xlsx", REGIONS)
    assert select(frame, "0181", {})["value"].tolist() == [14.5]


def raw_dir(data_tree: Path) -> Path:
    return data_tree / "raw" / "arbetsformedlingen"


def test_import_file_keeps_exact_bytes_and_a_matching_sidecar(data_tree, tmp_path):
    download = tmp_path / "Inskrivna arbetslösa 2024-10.xlsx"
    download.write_bytes(FRACTIONS_XLSX)
    landed = arbetsformedlingen.import_file(download, load_catalog())
    digest = hashlib.sha256(FRACTIONS_XLSX).hexdigest()
    assert landed == raw_dir(data_tree) / f"Inskrivna_arbetslösa_2024-10-{digest[:12]}.xlsx"
    assert landed.read_bytes() == FRACTIONS_XLSX
    sidecar = landed.with_name(f"{landed.stem}.provenance.json")
    provenance = json.loads(sidecar.read_text(encoding="utf-8"))
    assert provenance["file"] == landed.name
    assert provenance["sha256"] == digest
    assert provenance["original_name"] == download.name
    assert provenance["imported_from"] == str(download.resolve())
    assert provenance["source_id"] == "af_statistik"
    assert provenance["publisher"] == "Arbetsförmedlingen"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", provenance["retrieved_at"])
    assert "downloaded" in provenance["note"].casefold()


def test_import_file_twice_is_idempotent(data_tree, tmp_path):
    download = tmp_path / "kommuner.csv"
    download.write_bytes(SEMICOLON_CSV)
    first = arbetsformedlingen.import_file(download, load_catalog())
    sidecar_text = first.with_name(f"{first.stem}.provenance.json").read_text(encoding="utf-8")
    second = arbetsformedlingen.import_file(download, load_catalog())
    assert second == first
    assert sorted(p.name for p in raw_dir(data_tree).iterdir()) == sorted(
        [first.name, f"{first.stem}.provenance.json"]
    )
    assert first.with_name(f"{first.stem}.provenance.json").read_text() == sidecar_text


def test_import_file_names_the_raw_file_by_content(data_tree, tmp_path):
    """An xlsx saved as .xls still lands as .xlsx: the name says what the bytes are."""
    download = tmp_path / "download.xls"
    download.write_bytes(FRACTIONS_XLSX)
    landed = arbetsformedlingen.import_file(download, load_catalog())
    assert landed.suffix == ".xlsx"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (build_xlsx(wide((1, 3, "fjorton"))), "row 6, column D: 'fjorton' is not a number"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(32)), "not a spreadsheet"),
    ],
)
def test_import_file_leaves_raw_unchanged_on_a_bad_file(data_tree, tmp_path, raw, message):
    download = tmp_path / "trasig.xlsx"
    download.write_bytes(raw)
    with pytest.raises(SourceError, match=re.escape(message)):
        arbetsformedlingen.import_file(download, load_catalog())
    directory = raw_dir(data_tree)
    assert not directory.exists() or not any(directory.iterdir())


@pytest.mark.parametrize(
    ("header", "expected"),
    [("Andel", 90.0), ("Andel (%)", None), ("Andel procent", None)],
    ids=["share-fraction", "percent-sign", "procent"],
)
def test_a_percent_header_over_values_below_1_is_refused(header, expected):
    """0,9 under "Andel (%)" reads as 0,9 % or as 90 %: refused; "andel" alone marks fractions."""
    raw = (
        "Inskrivna arbetslösa som andel av registerbaserad arbetskraft\n"
        f"PERIOD,Kommunkod,Grupp,{header}\n"
        "2024-10,181,Totalt,0.9\n"
        "2024-10,181,Förgymnasial utbildning,0.7\n"
    ).encode()
    if expected is None:
        with pytest.raises(SourceError, match=r"0\.9 reads as 0,9 % or as 90 %"):
            af_sheet.parse(raw, "liten.csv", REGIONS)
        return
    frame = af_sheet.parse(raw, "liten.csv", REGIONS)
    total = frame[(frame["region_code"] == "0181") & (frame["education"] == "total")]
    assert total["value"].tolist() == [expected]
