"""Write workbooks shaped like AF's time-without-work files (kommun sheets, the riket pivot).

The kommun file's layout (sheets Total, Kön, Födelseland, …; four title rows; a header row
PERIOD, LÄN, KOMMUN, [group], ARBETSLÖSA, "Utan arbete mer än 6/12/24 månader"; "<5" for small
numbers) and the riket file's cache fields (PERIOD, KOEN, ALDGR, FH, FLAND, UTBILDNING, INSAL,
UA06, UA12, UA24) follow public code that reads the real files; no real file is stored here.
"""

import io
from collections.abc import Sequence
from typing import BinaryIO

import openpyxl

from bench.af_workbook import FieldSpec, write_pivot_workbook

DURATION_HEADERS = (
    "Utan arbete mer än 6 månader",
    "Utan arbete mer än 12 månader",
    "Utan arbete mer än 24 månader",
)
TITLE = (
    "Inskrivna arbetslösa efter tid utan arbete, län och kommun",
    "Källa: Arbetsförmedlingen",
    "",
    "",
)
GROUP_COLUMNS = {"Total": None, "Kön": "KOEN", "Födelseland": "FÖDELSELAND"}
RIKET_FIELDS = (
    FieldSpec("PERIOD", shared=True),
    FieldSpec("KOEN", shared=True),
    FieldSpec("ALDGR", shared=True),
    FieldSpec("FH", shared=True),
    FieldSpec("FLAND", shared=True),
    FieldSpec("UTBILDNING", shared=True),
    FieldSpec("INSAL"),
    FieldSpec("UA06"),
    FieldSpec("UA12"),
    FieldSpec("UA24"),
)

# A row: (PERIOD, LÄN, KOMMUN, group label or None, ARBETSLÖSA, >6, >12, >24)
KommunRow = tuple[str, str, str, str | None, object, object, object, object]


def write_kommun_workbook(rows_by_sheet: dict[str, Sequence[KommunRow]]) -> bytes:
    """Sheets Info + the given ones, each with AF's title rows and header on row 5."""
    workbook = openpyxl.Workbook()
    info = workbook.active
    info.title = "Info"
    info.append(["Inskrivna arbetslösa efter tid utan arbete. Små tal visas som <5."])
    for sheet_name, rows in rows_by_sheet.items():
        sheet = workbook.create_sheet(sheet_name)
        for line in TITLE:
            sheet.append([line])
        group = GROUP_COLUMNS[sheet_name]
        header = ["PERIOD", "LÄN", "KOMMUN", *([group] if group else []), "ARBETSLÖSA"]
        sheet.append([*header, *DURATION_HEADERS])
        for period, county, kommun, label, *counts in rows:
            sheet.append([period, county, kommun, *([label] if group else []), *counts])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_riket_workbook(target: BinaryIO, records: Sequence[Sequence[object]]) -> int:
    """The riket file: sheet Tabell with a pivot over the cache's records."""
    return write_pivot_workbook(target, RIKET_FIELDS, records, sheet_name="Tabell")
