"""Bad files through `python -m etl import` and `build`: refused naming file, row and cell.

Symbols are not faults: `-` and blank are missing figures, `..` and `<5` suppressed ones (see
etl/sources/af_sheet.py read_value, seed.py parse_value, scb_snapshot.py parse_numbers), so those
cases assert what is stored after a successful build instead.
"""

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.faults.etl_cli import (
    Outcome,
    assert_consistent_clean,
    assert_failed_cleanly,
    copy_tree,
    hash_clean,
    read_error_line,
    read_manifest,
    run_etl,
    run_side_by_side,
    take_before,
)
from tests.unit.test_arbetsformedlingen import build_xlsx
from tests.unit.test_cli import AF_CSV

SEED = "raw/seed/sodertalje_2014_tabell1.txt"
BAS = "raw/scb_snapshot/scb_bas_arbstatusm_monthly_2020_2024_riket_stockholmslan_by_birthregion.csv"
INTEGRATION = (
    "raw/scb_snapshot/scb_integration_unemployment_20_64_kommun_stockholmslan_2016_2023.csv"
)
AF_TITLE = "Inskrivna arbetslösa som andel av registerbaserad arbetskraft\n"
CHUNK = bytes(1 << 20)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, pristine_build: Path) -> Path:
    """The session's build of the bundled data, copied for this module's cases to copy."""
    return copy_tree(pristine_build, tmp_path_factory.mktemp("files") / "data")


# --- files for `python -m etl import` -----------------------------------------------------------


def csv_text(*lines: str) -> bytes:
    return (AF_TITLE + "".join(f"{line}\n" for line in lines)).encode("utf-8")


def mix_encodings() -> bytes:
    """UTF-8 throughout, but one "ö" as the single latin-1 byte a mangled copy leaves."""
    raw = csv_text(
        "PERIOD,Kommunkod,Grupp,Andel",
        "2024-10,181,Totalt,0.145",
        "2024-10,181,Utrikes födda,0.262",
    )
    return raw[: raw.rindex("ö".encode())] + "ö".encode("latin-1") + raw[raw.rindex(b"dda") :]


def write_zip(members: dict[str, int], level: int = 1) -> bytes:
    """A zip of zero-filled parts, streamed in: the zeros are compressed, never inflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, size in members.items():
            with archive.open(name, "w", force_zip64=size > 1 << 30) as part:
                for start in range(0, size, len(CHUNK)):
                    part.write(CHUNK[: min(len(CHUNK), size - start)])
    return buffer.getvalue()


def describe_ratio(raw: bytes, name: str) -> str:
    """The ratio the importer reports, read from the central directory as it reads it."""
    info = zipfile.ZipFile(io.BytesIO(raw)).getinfo(name)
    return f"{info.file_size / info.compress_size:.0f}"


def write_sparse(path: Path, size: int) -> None:
    """A file of size bytes that takes no disk: the importer must refuse it before reading."""
    with path.open("wb") as file:
        file.truncate(size)


def declare_size(raw: bytes, size: int) -> bytes:
    """The same zip with its first part's unpacked size in the central directory set to size."""
    header = raw.index(b"PK\x01\x02")
    return raw[: header + 24] + size.to_bytes(4, "little") + raw[header + 28 :]


# A part that claims just under 4.3 GB (the largest size without zip64): over the total limit.
BOMB = declare_size(write_zip({"xl/worksheets/sheet1.xml": 1_000_000}), 0xFFFFFFFE)
SMALL_BOMB = write_zip({"xl/worksheets/sheet1.xml": 5_000_000}, level=9)
SHEET = "xl/worksheets/sheet1.xml"


def download(file_name: str, raw: bytes) -> Callable[[Path], Path]:
    """Prepare a downloaded file in a folder; return its path."""

    def write(folder: Path) -> Path:
        (folder / file_name).write_bytes(raw)
        return folder / file_name

    return write


def download_sparse(folder: Path) -> Path:
    write_sparse(folder / "stor.csv", 260_000_000)
    return folder / "stor.csv"


SYMBOLS_CSV = (
    "Inskrivna arbetslösa som andel av den registerbaserade arbetskraften\r\n"
    "Period;Kommunkod;Totalt;Unga 18-24;Utrikes födda;Inrikes födda\r\n"
    "202410;0181;..;-;<5;\r\n"
    "202410;0127;12,9;17,7;19,5;7,0\r\n"
).encode("cp1252")
# name -> (prepare the file to import, the error line after "error: arbetsformedlingen: ";
# {path} stands for the file's full path)
IMPORT_FAULTS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "latin-1-byte-in-utf-8": (
        download("blandad.csv", mix_encodings()),
        "blandad.csv, line 4, character 22: mixed encodings: the file is UTF-8 but byte 138"
        " (0xf6) is not; save it again as UTF-8",
    ),
    "decimal-comma-in-comma-separated": (
        download(
            "komma.csv", csv_text("PERIOD,Kommunkod,Grupp,Andel (%)", "2024-10,181,Totalt,14,5")
        ),
        "komma.csv, sheet komma, row 3, column E: '5' stands in a column without a header"
        " (is a decimal comma splitting a number in a comma-separated file?)",
    ),
    "empty-file": (download("tom.csv", b""), "tom.csv: the file is empty"),
    "duplicated-key": (
        download(
            "dubbel.csv", AF_CSV + "202410;0181;Södertälje;14,6;12,1;26,2\r\n".encode("cp1252")
        ),
        "dubbel.csv, sheet dubbel, row 7, column D: the same region, period and group as"
        " row 5, column D",
    ),
    "value-above-100": (
        download("over.csv", AF_CSV.replace(b"26,2", b"126,2")),
        "over.csv, sheet over, row 5, column F: 126.2 is above 100 %: not a share",
    ),
    "value-below-0": (
        download(
            "under.xlsx",
            build_xlsx(
                [
                    ["PERIOD", "Kommunkod", "Andel (%)"],
                    ["2024-10", 181, -1.5],
                    ["2024-10", 127, 12.0],
                ]
            ),
        ),
        "under.xlsx, sheet Andel, row 6, column C: -1.5 is below 0: not a share",
    ),
    "unknown-region-code": (
        download("okand.csv", AF_CSV.replace(b"202410;0181;", b"202410;9999;")),
        "okand.csv, sheet okand, row 5, column B: unknown region code '9999' (from '9999')",
    ),
    "old-binary-xls": (
        download("gammal.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
        "gammal.xls: an Excel 97-2003 (.xls) workbook: open it and save it as .xlsx",
    ),
    "png-renamed-xlsx": (
        download("bild.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(64))),
        "bild.xlsx: not a spreadsheet: a PNG image, not xlsx or csv",
    ),
    "html-page-renamed-xlsx": (
        download(
            "sida.xlsx", b"<!DOCTYPE html>\n<html><head><title>Statistik</title></head></html>"
        ),
        "sida.xlsx: an HTML page, not a spreadsheet: download the Excel or CSV file",
    ),
    "zip-declaring-over-4-gb": (
        download("bomb.xlsx", BOMB),
        "bomb.xlsx: unpacks to 4295 MB (limit 4000 MB): refused as a possible zip bomb",
    ),
    "zip-bomb-compression-ratio": (
        download("tat.xlsx", SMALL_BOMB),
        f"tat.xlsx, part {SHEET}: unpacks to {describe_ratio(SMALL_BOMB, SHEET)} times its packed"
        " size (limit 100): refused as a possible zip bomb",
    ),
    "zip-with-too-many-parts": (
        download("delar.xlsx", write_zip({f"xl/p{index}.xml": 0 for index in range(1001)})),
        "delar.xlsx: 1001 parts in the archive (an xlsx has a few dozen; limit 1000): refused"
        " as a possible zip bomb",
    ),
    "over-the-size-limit": (
        download_sparse,
        "{path}: 260.0 MB is more than the 250 MB a file from Arbetsförmedlingen can be: not the"
        " file from Arbetsförmedlingen",
    ),
    "a-device-that-never-ends": (lambda folder: Path("/dev/zero"), "/dev/zero: not a file"),
}


def run_import(built: Path, folder: Path, prepare: Callable[[Path], Path]) -> Outcome:
    root = copy_tree(built, folder / "data")
    path = prepare(folder)
    before = take_before(root)
    return Outcome(run_etl(root, "import", str(path)), root, before, str(path))


@pytest.fixture(scope="module")
def imports(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every import case (and the symbols file) run once, side by side."""
    cases = {name: prepare for name, (prepare, _) in IMPORT_FAULTS.items()}
    cases["symbols"] = download("symboler.csv", SYMBOLS_CSV)
    return run_side_by_side(
        {
            name: partial(run_import, built, tmp_path_factory.mktemp(name), prepare)
            for name, prepare in cases.items()
        }
    )


@pytest.mark.parametrize("name", IMPORT_FAULTS)
def test_import_refuses_a_bad_file_and_writes_nothing(imports, name):
    outcome = imports[name].result()
    message = IMPORT_FAULTS[name][1].replace("{path}", outcome.detail)
    assert_failed_cleanly(
        outcome.result, outcome.root, outcome.before, f"error: arbetsformedlingen: {message}"
    )
    assert read_error_line(outcome.result) == f"error: arbetsformedlingen: {message}"


def read_af_rows(root: Path) -> pd.DataFrame:
    frame = pq.read_table(root / "clean" / "observations.parquet").to_pandas()
    return frame[frame["measure_id"] == "af_inskrivna_andel_reg"]


def test_import_stores_symbols_as_missing_or_suppressed_never_zero(imports):
    """`-` and blank are missing (null, no status); `..` and `<5` are suppressed, as in the seed
    table; none becomes 0."""
    outcome = imports["symbols"].result()
    root = outcome.root
    assert outcome.result.returncode == 0, outcome.result.stderr
    assert "Traceback" not in outcome.result.stderr
    assert hash_clean(root) != outcome.before.clean
    assert_consistent_clean(root)
    assert read_manifest(root)["observations"]["rows"] == 610 + 8
    af = read_af_rows(root)
    sodertalje = af[(af["region_code"] == "0181") & (af["period"] == "2024M10")]
    stored = {
        (row.age, row.birth_region): tuple(
            None if pd.isna(v) else v for v in (row.value, row.status)
        )
        for row in sodertalje.itertuples()
    }
    assert stored == {
        ("total", "total"): (None, "suppressed"),  # .., as the seed and SCB store it
        ("18-24", "total"): (None, None),  # -
        ("total", "foreign_born"): (None, "suppressed"),  # <5
        ("total", "born_in_sweden"): (None, None),  # blank
    }
    botkyrka = af[(af["region_code"] == "0127") & (af["period"] == "2024M10")]
    assert sorted(botkyrka["value"]) == [7.0, 12.9, 17.7, 19.5]


# --- raw files for `python -m etl build` --------------------------------------------------------


def rewrite_raw(root: Path, relative: str, change: Callable[[bytes], bytes]) -> None:
    """Replace a raw file's bytes and record their checksum, as a new upstream file would."""
    path = root / relative
    raw = change(path.read_bytes())
    path.write_bytes(raw)
    sidecar = path.with_name(f"{path.stem}.provenance.json")
    provenance = json.loads(sidecar.read_text(encoding="utf-8"))
    provenance["sha256"] = hashlib.sha256(raw).hexdigest()
    sidecar.write_text(json.dumps(provenance, ensure_ascii=False), encoding="utf-8")


def replace_line(number: int, old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    """Change old to new on line `number` (1-based) only."""

    def change(raw: bytes) -> bytes:
        lines = raw.split(b"\n")
        assert old in lines[number - 1], lines[number - 1]
        lines[number - 1] = lines[number - 1].replace(old, new, 1)
        return b"\n".join(lines)

    return change


def repeat_line(number: int) -> Callable[[bytes], bytes]:
    def change(raw: bytes) -> bytes:
        lines = raw.rstrip(b"\n").split(b"\n")
        return b"\n".join([*lines, lines[number - 1]]) + b"\n"

    return change


# name -> (raw file, change, fragments of the message)
BUILD_FAULTS: dict[str, tuple[str, Callable[[bytes], bytes], list[str]]] = {
    "seed-latin-1": (
        SEED,
        lambda raw: raw.decode("utf-8").encode("latin-1"),
        ["error: seed: sodertalje_2014_tabell1.txt: not UTF-8 at byte 17 (line 3, character 8)"],
    ),
    "seed-decimal-point": (
        SEED,
        replace_line(7, b"27,0", b"27.0"),
        [
            "error: seed: sodertalje_2014_tabell1.txt, line 7, column 5 (Utrikes Födda):"
            " '27.0' is not a number with a decimal comma"
        ],
    ),
    "scb-snapshot-decimal-comma": (
        BAS,
        replace_line(2, b",5.9", b",5,9"),
        [
            "error: scb_snapshot: scb_bas_arbstatusm_monthly_2020_2024_riket_stockholmslan_by"
            "_birthregion.csv, line 2: 10 fields for 9 columns (a decimal comma in a"
            " comma-separated file?)"
        ],
    ),
    "scb-snapshot-empty": (
        INTEGRATION,
        lambda raw: b"",
        [
            "error: scb_snapshot: scb_integration_unemployment_20_64_kommun_stockholmslan_2016"
            "_2023.csv: the file is empty"
        ],
    ),
    "scb-snapshot-duplicated-line": (
        BAS,
        repeat_line(5),
        [
            "error: scb_snapshot: scb_bas_arbstatusm_monthly_2020_2024_riket_stockholmslan_by"
            "_birthregion.csv, lines 5 and 362: the same key: measure_id="
            "'scb_bas_arbetsloshet_20_64', region_code='00', period='2020M04', sex='total',"
            " age='total', birth_region='total', education='total'"
        ],
    ),
    "scb-snapshot-value-above-100": (
        INTEGRATION,
        replace_line(3, b",6.1,", b",106.1,"),
        [
            "error: validation failed: 1 check(s)",
            "- percent_out_of_range: percent value outside 0-100 (1 row(s))",
            f"in {INTEGRATION}: measure_id='scb_integration_arbetsloshet_20_64',"
            " region_code='0115', period='2016'",
            "value=106.1",
        ],
    ),
    "scb-snapshot-unknown-region": (
        INTEGRATION,
        replace_line(3, b"0115,", b"9915,"),
        [
            "error: validation failed: 1 check(s)",
            "- unknown_region: region_code not in regions.csv (1 row(s))",
            f"in {INTEGRATION}: measure_id='scb_integration_arbetsloshet_20_64',"
            " region_code='9915', period='2016'",
        ],
    ),
}


def break_symbols(root: Path) -> None:
    """Symbols where figures were: `..` in the seed table and in both snapshots."""
    rewrite_raw(root, SEED, replace_line(7, b"\t27,0\t", b"\t..\t"))
    rewrite_raw(root, INTEGRATION, replace_line(3, b",6.1,", b",..,"))
    rewrite_raw(root, BAS, replace_line(2, b",5.9", b",.."))


def run_build(built: Path, folder: Path, change: Callable[[Path], None]) -> Outcome:
    root = copy_tree(built, folder / "data")
    change(root)
    before = take_before(root)
    return Outcome(run_etl(root, "build"), root, before)


@pytest.fixture(scope="module")
def builds(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every build case (and the symbols case) run once, side by side."""
    changes: dict[str, Callable[[Path], None]] = {
        name: partial(rewrite_raw, relative=relative, change=change)
        for name, (relative, change, _) in BUILD_FAULTS.items()
    }
    changes["symbols"] = break_symbols
    return run_side_by_side(
        {
            name: partial(run_build, built, tmp_path_factory.mktemp(name), change)
            for name, change in changes.items()
        }
    )


@pytest.mark.parametrize("name", BUILD_FAULTS)
def test_build_refuses_a_bad_raw_file_and_keeps_the_clean_data(builds, name):
    fragments = BUILD_FAULTS[name][2]
    outcome = builds[name].result()
    assert_failed_cleanly(outcome.result, outcome.root, outcome.before, *fragments)
    assert read_error_line(outcome.result) == fragments[0]


def test_build_stores_symbols_as_missing_or_suppressed(builds):
    """`..` is suppressed in the seed and in both SCB snapshots alike: one meaning, one status."""
    outcome = builds["symbols"].result()
    root = outcome.root
    assert outcome.result.returncode == 0, outcome.result.stderr
    assert hash_clean(root) != outcome.before.clean
    assert_consistent_clean(root)
    frame = pq.read_table(root / "clean" / "observations.parquet").to_pandas()

    def stored(measure: str, region: str, period: str, birth_region: str = "total") -> tuple:
        match = frame[
            (frame["measure_id"] == measure)
            & (frame["region_code"] == region)
            & (frame["period"] == period)
            & (frame["birth_region"] == birth_region)
            & (frame["age"] == "total")
            & (frame["education"] == "total")
        ]
        assert len(match) == 1
        row = match.iloc[0]
        return tuple(None if pd.isna(row[c]) else row[c] for c in ("value", "status"))

    assert stored("af_inskrivna_andel_rams", "0181", "2013K3", "foreign_born") == (
        None,
        "suppressed",
    )
    assert stored("af_inskrivna_andel_rams", "0181", "2013K3", "born_in_sweden") == (6.9, None)
    assert stored("scb_integration_arbetsloshet_20_64", "0115", "2016") == (None, "suppressed")
    assert stored("scb_integration_arbetsloshet_20_64", "0114", "2016") == (11.9, None)
    assert stored("scb_bas_arbetsloshet_20_64", "00", "2020M01") == (None, "suppressed")
    assert read_manifest(root)["observations"]["rows"] == 610
