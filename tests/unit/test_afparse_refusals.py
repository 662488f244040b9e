"""AF sheet files that would store wrong figures without a word: each refused, naming the cell."""

import codecs
import io
import unicodedata
import zipfile
from datetime import date

import openpyxl
import pytest

from etl.errors import SourceError
from etl.sources import af_sheet
from tests.unit.test_arbetsformedlingen import (
    REGIONS,
    build_xlsx,
    select,
    wide,
)

TITLE = "Inskrivna arbetslösa som andel av registerbaserad arbetskraft"


def long_csv(*lines: str, header: str = "PERIOD,Kommunkod,Grupp,Andel") -> bytes:
    return "\n".join([TITLE, header, *lines, ""]).encode("utf-8")


def next_month(today: date) -> str:
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{year}-{month:02d}"


def rewrite_sheet(raw: bytes, change) -> bytes:
    """The same workbook with the first sheet's XML changed."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(info.filename, data)
    return buffer.getvalue()


# name -> (file bytes, file name, the whole error after "arbetsformedlingen: ")
REFUSALS = {
    "fractions-under-a-percent-header": (
        long_csv(
            "2024-10,181,Totalt,0.081",
            "2024-10,181,Utrikes födda,0.162",
            header="PERIOD,Kommunkod,Grupp,Andel (%)",
        ),
        "procent.csv",
        "procent.csv, sheet procent, row 3, column D: the header 'Andel (%)' says per cent but"
        " every value under it is between 0 and 1, as fractions are: 0.081 reads as 0,081 % or"
        " as 8,1 %; refused rather than guessed (head the column 'Andel' if they are fractions)",
    ),
    "code-and-name-disagree": (
        build_xlsx(wide((1, 1, 181), (1, 2, "Botkyrka"))),
        "kod.xlsx",
        "kod.xlsx, sheet Andel, row 6, column C: the code 0181 in column B is Södertälje but the"
        " name 'Botkyrka' is 0127: refused rather than filed under either",
    ),
    "code-and-name-in-one-cell": (
        build_xlsx(wide((1, 1, "0181 Botkyrka"), (1, 2, None))),
        "kod.xlsx",
        "kod.xlsx, sheet Andel, row 6, column B: the code 0181 in column B is Södertälje but the"
        " name 'Botkyrka' is 0127: refused rather than filed under either",
    ),
    "code-beside-a-coded-name": (
        build_xlsx(wide((1, 1, 181), (1, 2, "0127 Botkyrka"))),
        "kod.xlsx",
        "kod.xlsx, sheet Andel, row 6, column C: the code 0181 in column B is Södertälje but the"
        " name '0127 Botkyrka' is 0127: refused rather than filed under either",
    ),
    "title-names-both-definitions": (
        build_xlsx(
            wide(),
            title=[
                ["Inskrivna arbetslösa som andel av registerbaserade arbetskraften (jämför BAS)"]
            ],
        ),
        "bada.xlsx",
        "bada.xlsx, sheet Andel, row 1: the title (rows 1-2) names both the registerbaserad"
        " arbetskraft and BAS: cannot tell which labour-force definition the shares use",
    ),
    "formula-without-a-saved-value": (
        build_xlsx(wide((2, 3, "=1+1"))),
        "formel.xlsx",
        "formel.xlsx, sheet Andel, row 7, column D: the formula =1+1 has no saved value (as in a"
        " workbook written by a script): open the file in Excel, save it, and import it again",
    ),
    "number-cell-without-a-number": (
        build_xlsx(wide((2, 4, float("nan")))),
        "nan.xlsx",
        "nan.xlsx, sheet Andel, row 7, column E: a number cell without a number (how a script"
        " writes NaN or infinity): fill in the figure, '..' or leave the cell empty",
    ),
    "infinite-number": (
        rewrite_sheet(build_xlsx(wide((2, 4, 0.5))), lambda xml: xml.replace(b">0.5<", b">1e999<")),
        "inf.xlsx",
        "inf.xlsx, sheet Andel, row 7, column E: inf is not a number",
    ),
    "period-9999": (
        long_csv("999912,181,Totalt,0.145"),
        "p.csv",
        "p.csv, sheet p, row 3, column A: 9999M12 is after this month"
        f" ({date.today():%Y-%m}): not a published month",
    ),
    "period-2030": (
        long_csv("203012,181,Totalt,0.145"),
        "p.csv",
        "p.csv, sheet p, row 3, column A: 2030M12 is after this month"
        f" ({date.today():%Y-%m}): not a published month",
    ),
    "period-year-0": (
        long_csv("000001,181,Totalt,0.145"),
        "p.csv",
        "p.csv, sheet p, row 3, column A: 0000M01 is before 1990, the earliest year"
        " Arbetsförmedlingen's files cover",
    ),
    "period-next-month": (
        long_csv(f"{next_month(date.today())},181,Totalt,0.145"),
        "p.csv",
        f"p.csv, sheet p, row 3, column A: {next_month(date.today()).replace('-', 'M')} is after"
        f" this month ({date.today():%Y-%m}): not a published month",
    ),
    "period-after-the-files-month": (
        long_csv("2024-09,181,Totalt,0.145", "2024-10,181,Totalt,0.145"),
        "web-inskrivna-arbetslosa-andel-av-reg-2024-09-0123456789ab.csv",
        "web-inskrivna-arbetslosa-andel-av-reg-2024-09-0123456789ab.csv, sheet"
        " web-inskrivna-arbetslosa-andel-av-reg-2024-09-0123456789ab, row 4, column A: 2024M10"
        " is after the file's own month 2024-09 (from its name)",
    ),
    "period-after-the-titles-month": (
        "\n".join(
            [
                TITLE,
                "Kommuner, januari 2008 - maj 2023",
                "PERIOD;Kommunkod;Andel",
                "202306;0181;0,145",
            ]
        ).encode(),
        "p.csv",
        "p.csv, sheet p, row 4, column A: 2023M06 is after the file's own month 2023-05 (from title"
        " row 2: 'Kommuner, januari 2008 - maj 2023')",
    ),
    "value-beside-a-semicolon-line": (
        "\n".join([TITLE, "PERIOD;Kommunkod;Andel", "202305;0181;0,145;7"]).encode(),
        "p.csv",
        "p.csv, sheet p, row 3, column D: '7' stands in a column without a header (a separator"
        " too many in this line?)",
    ),
    "a-cell-far-to-the-right": (
        rewrite_sheet(
            build_xlsx(wide()),
            lambda xml: xml.replace(b'<c r="A6"', b'<c r="ALN6" t="n"><v>1</v></c><c r="A6"'),
        ),
        "bred.xlsx",
        "bred.xlsx, sheet Andel, row 6, column ALN: a filled cell beyond column ALL: AF's tables"
        " are a few dozen columns wide; delete what stands this far right",
    ),
    "damaged-sheet-xml": (
        rewrite_sheet(build_xlsx(wide()), lambda xml: xml.replace(b"</sheetData>", b"</row>")),
        "trasig.xlsx",
        "trasig.xlsx, sheet Andel: the sheet's XML cannot be read (ParseError: mismatched tag:"
        " line 1, column 2679)",
    ),
    "shared-string-out-of-range": (
        rewrite_sheet(
            build_xlsx(wide()),
            lambda xml: xml.replace(
                b'<c r="A5" t="inlineStr"><is><t>PERIOD</t></is></c>',
                b'<c r="A5" t="s"><v>99</v></c>',
            ),
        ),
        "index.xlsx",
        "index.xlsx, sheet Andel: the sheet's XML cannot be read (IndexError: list index out of"
        " range)",
    ),
    "just-above-100": (
        long_csv("2024-10,181,Totalt,100.0001", header="PERIOD,Kommunkod,Grupp,Andel (%)"),
        "hundra.csv",
        "hundra.csv, sheet hundra, row 3, column D: 100.0001 is above 100 %: not a share",
    ),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_a_file_that_would_store_wrong_figures_is_refused_naming_the_cell(name):
    raw, file_name, message = REFUSALS[name]
    with pytest.raises(SourceError) as caught:
        af_sheet.parse(raw, file_name, REGIONS)
    assert str(caught.value) == f"arbetsformedlingen: {message}"


def test_a_saved_formula_reads_as_its_value():
    """Excel saves a formula's value beside it: that value is the figure."""
    raw = rewrite_sheet(
        build_xlsx(wide((2, 3, 0.25))),
        lambda xml: xml.replace(b"<v>0.25</v>", b"<f>1/4</f><v>0.25</v>"),
    )
    frame = af_sheet.parse(raw, "sparad.xlsx", REGIONS)
    assert select(frame, "0136", {})["value"].tolist() == [25.0]


def test_a_month_up_to_the_files_own_is_read():
    raw = long_csv("2024-09,181,Totalt,0.145", "2024-08,181,Totalt,0.140")
    frame = af_sheet.parse(raw, "web-inskrivna-arbetslosa-andel-av-reg-2024-09.csv", REGIONS)
    assert sorted(frame["period"]) == ["2024M08", "2024M09"]


@pytest.mark.parametrize("symbol", ["..", "<5"])
def test_af_dots_and_hidden_counts_are_stored_as_suppressed(symbol):
    """`..` means AF does not publish the figure, as in the seed and at SCB: suppressed."""
    frame = af_sheet.parse(long_csv(f"2024-10,181,Totalt,{symbol}"), "p.csv", REGIONS)
    assert frame["value"].isna().all()
    assert frame["status"].tolist() == ["suppressed"]


@pytest.mark.parametrize("symbol", ["-", ""])
def test_a_dash_or_blank_stays_missing(symbol):
    frame = af_sheet.parse(long_csv(f"2024-10,181,Totalt,{symbol}"), "p.csv", REGIONS)
    assert frame["value"].isna().all()
    assert frame["status"].isna().all()


@pytest.mark.parametrize(
    ("row", "name", "code"),
    [
        (1, unicodedata.normalize("NFD", "Södertälje"), "0181"),
        (1, "  SÖDERTÄLJE  ", "0181"),
        (1, "Södertälje kommun", "0181"),
        (1, "Stockholm", "0180"),
        (3, unicodedata.normalize("NFD", "Stockholms län"), "01"),
        (3, "Stockholms\u00a0län", "01"),
        (4, "Hela riket", "00"),
    ],
)
def test_region_names_are_normalised_before_matching(row, name, code):
    """NFD (as macOS writes names), case, spacing, a trailing " kommun": the same region."""
    frame = af_sheet.parse(build_xlsx(wide((row, 1, None), (row, 2, name))), "n.xlsx", REGIONS)
    assert len(select(frame, code, {})) == 1


def test_nfd_headers_and_group_labels_are_read():
    nfd = unicodedata.normalize(
        "NFD", "PERIOD,Kommunkod,Grupp,Andel\n2024-10,181,Utrikes födda,0.2"
    )
    frame = af_sheet.parse(f"{TITLE}\n{nfd}\n".encode(), "nfd.csv", REGIONS)
    assert select(frame, "0181", {"birth_region": "foreign_born"})["value"].tolist() == [20.0]


def test_a_value_beside_a_merged_header_is_not_called_a_decimal_comma():
    """In a workbook a headerless value column is no split number: say what it likely is."""
    workbook = openpyxl.load_workbook(io.BytesIO(build_xlsx(wide())))
    sheet = workbook["Andel"]
    sheet.cell(row=5, column=10, value="Andel (%)")
    sheet.cell(row=6, column=11, value=0.5)
    sheet.merge_cells(start_row=5, start_column=10, end_row=5, end_column=11)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(SourceError) as caught:
        af_sheet.parse(buffer.getvalue(), "sammanfogad.xlsx", REGIONS)
    assert str(caught.value) == (
        "arbetsformedlingen: sammanfogad.xlsx, sheet Andel, row 6, column K: 0.5 stands in a"
        " column without a header (a merged header cell? give each column its own header)"
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_text_with_a_byte_order_mark_is_read(encoding):
    """Excel's "Unicode text" is UTF-16 with a byte-order mark, tab-separated."""
    text = f"{TITLE}\nPERIOD\tKommun\tAndel\n2024-10\tSödertälje\t0,145\n"
    raw = (
        text.encode(encoding)
        if encoding == "utf-16"
        else codecs.BOM_UTF16_BE + text.encode(encoding)
    )
    frame = af_sheet.parse(raw, "unicode.txt", REGIONS)
    assert select(frame, "0181", {})["value"].tolist() == [14.5]


def test_utf16_text_without_a_byte_order_mark_is_named():
    raw = f"{TITLE}\nPERIOD\tKommun\tTotalt\n".encode("utf-16-le")
    with pytest.raises(SourceError) as caught:
        af_sheet.parse(raw, "unicode.txt", REGIONS)
    assert str(caught.value) == (
        "arbetsformedlingen: unicode.txt: UTF-16 text without a byte-order mark: save it as"
        " UTF-8 CSV or as an Excel workbook (.xlsx)"
    )


def test_a_month_inside_a_title_note_does_not_bound_the_file():
    """Only a title line ending in a month dates the file; a note's month is no bound."""
    note = "Uppgifterna från januari 2020 är reviderade"
    raw = "\n".join([TITLE, note, "PERIOD;Kommunkod;Andel", "202410;0181;0,145", ""]).encode()
    frame = af_sheet.parse(raw, "p.csv", REGIONS)
    assert frame["period"].tolist() == ["2024M10"]


@pytest.mark.parametrize(
    ("code", "name"), [("0181 Södertälje", "Södertälje"), (181, "Södertälje kommun")]
)
def test_a_code_and_a_name_that_agree_are_read(code, name):
    frame = af_sheet.parse(build_xlsx(wide((1, 1, code), (1, 2, name))), "ok.xlsx", REGIONS)
    assert select(frame, "0181", {})["value"].tolist() == [14.5]


def test_zeros_under_a_percent_header_are_read():
    """0 is 0 % whether the column holds fractions or per cent: nothing to ask."""
    raw = long_csv("2024-10,181,Totalt,0", header="PERIOD,Kommunkod,Grupp,Andel (%)")
    assert af_sheet.parse(raw, "noll.csv", REGIONS)["value"].tolist() == [0.0]
