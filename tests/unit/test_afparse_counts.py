"""AF count files (time without work, andel pivots): formulas, NaN, impossible months refused."""

import io
import re
import zipfile
from datetime import date

import pytest

from bench.af_tid_workbook import write_kommun_workbook, write_riket_workbook
from etl.errors import SourceError
from etl.pivot_cache import PivotCacheError
from tests.unit.test_af_andel import make_records, write_workbook
from tests.unit.test_af_andel import parse as parse_andel
from tests.unit.test_af_tid import RIKET_RECORDS, TOTAL_ROWS
from tests.unit.test_af_tid import parse as parse_tid
from tests.unit.test_pivot_cache import (
    RECORDS_PART,
    break_record,
    generate,
    read_only_cache,
    rewrite_part,
    write_af,
)

TID_NAME = "web-inskrivna-arbetslosa-tid-utan-arbete-lan-kom-2026-08.xlsx"


def change_row(index: int, column: int, value: object) -> list[tuple]:
    rows = [list(row) for row in TOTAL_ROWS]
    rows[index][column] = value
    return [tuple(row) for row in rows]


# name -> (rows of sheet Total, the error after "arbetsformedlingen: ")
TID_REFUSALS = {
    "formula-without-a-value": (
        change_row(1, 5, "=1+1"),
        f"{TID_NAME}, sheet Total, row 7, column E: the formula =1+1 has no saved value (as in a"
        " workbook written by a script): open the file in Excel, save it, and import it again",
    ),
    "nan-count": (
        change_row(1, 6, float("nan")),
        f"{TID_NAME}, sheet Total, row 7, column F: a number cell without a number (how a script"
        " writes NaN or infinity): fill in the figure, '..' or leave the cell empty",
    ),
    "month-after-the-files": (
        change_row(1, 0, "2026-09"),
        f"{TID_NAME}, sheet Total, row 7, field PERIOD: 2026M09 is after the file's own month"
        " 2026-08 (from its name or title)",
    ),
    "unknown-kommun-names-its-row": (
        change_row(2, 2, "Atlantis"),
        f"{TID_NAME}, sheet Total, row 8, field KOM: unknown kommun name 'Atlantis': not in"
        " regions.csv",
    ),
    "month-before-1990": (
        change_row(1, 0, "1899-12"),
        f"{TID_NAME}, sheet Total, row 7, field PERIOD: 1899M12 is before 1990, the earliest"
        " year Arbetsförmedlingen's files cover",
    ),
}


@pytest.mark.parametrize("name", TID_REFUSALS)
def test_a_time_without_work_file_that_would_store_wrong_counts_is_refused(name):
    rows, message = TID_REFUSALS[name]
    with pytest.raises(SourceError) as caught:
        parse_tid(write_kommun_workbook({"Total": rows}), TID_NAME)
    assert str(caught.value) == f"arbetsformedlingen: {message}"


@pytest.mark.parametrize(
    ("month", "detail"),
    [
        ("2030-12", f"2030M12 is after this month ({date.today():%Y-%m}): not a published month"),
        ("0000-01", "0000M01 is before 1990, the earliest year Arbetsförmedlingen's files cover"),
    ],
)
def test_an_andel_pivot_month_outside_the_plausible_is_refused(month, detail):
    records = make_records()
    records[3]["PERIOD"] = month
    with pytest.raises(SourceError) as caught:
        parse_andel(write_workbook(records))
    assert str(caught.value).endswith(f", record 4, field PERIOD: {detail}")


@pytest.mark.parametrize("text", [b"NaN", b"INF", b"-inf", b"1e999"])
def test_a_pivot_record_holding_nan_or_infinity_is_refused_naming_it(tmp_path, text):
    """float() reads them all; taken in, a NaN count would pass as a missing figure."""

    def to_text(record: bytes) -> bytes:
        return re.sub(rb'<n v="[^"]*"/>', b'<n v="' + text + b'"/>', record, count=1)

    changed = rewrite_part(write_af(tmp_path, generate()), RECORDS_PART, break_record(3, to_text))
    with pytest.raises(PivotCacheError) as caught:
        read_only_cache(changed)
    assert caught.value.location.startswith(f"{RECORDS_PART}, record 3, value ")
    assert caught.value.detail == f'<n v="{text.decode()}">: not a finite number'


def add_title(raw: bytes, title: str) -> bytes:
    """The workbook with a shared-strings part holding the title, as AF's visible sheet has."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<si><t>{title}</t></si></sst>",
        )
    return buffer.getvalue()


def test_an_andel_pivot_whose_title_names_both_definitions_is_refused():
    """Whole-number counts and no hint in the name: the title decides nothing, so refused."""
    title = "Inskrivna arbetslösa som andel av registerbaserade arbetskraften (jämför BAS)"
    raw = add_title(write_workbook(make_records(bas=False)), title)
    with pytest.raises(SourceError) as caught:
        parse_andel(raw, "andel.xlsx")
    assert str(caught.value) == (
        "arbetsformedlingen: andel.xlsx: the title names both the registerbaserad arbetskraft and"
        " BAS and the counts are whole numbers: cannot tell which labour-force definition the"
        " shares use"
    )


def test_an_andel_pivot_month_after_the_files_own_is_refused():
    """MONTHS are 2024-01 and 2024-02: a file named for januari cannot hold februari."""
    name = "web-inskrivna-arbetslosa-andel-av-bas-2024-01.xlsx"
    with pytest.raises(SourceError) as caught:
        parse_andel(write_workbook(make_records()), name)
    assert str(caught.value).endswith(
        ", field PERIOD: 2024M02 is after the file's own month 2024-01 (from its name or title)"
    )


def test_the_same_riket_bytes_under_an_earlier_months_name_are_refused():
    """A parse is kept per bytes; the file's month bounds it, so the name is part of that key."""
    buffer = io.BytesIO()
    write_riket_workbook(buffer, RIKET_RECORDS)
    parse_tid(buffer.getvalue(), "web-tid-riket-2026-08.xlsx")
    with pytest.raises(SourceError) as caught:
        parse_tid(buffer.getvalue(), "web-tid-riket-2026-07.xlsx")
    assert str(caught.value).endswith(
        "2026M08 is after the file's own month 2026-07 (from its name or title)"
    )
