"""AF sheet region columns read at their own level (Län, Kommun); title lines that bound months."""

import pytest

from etl.errors import SourceError
from etl.sources import af_sheet
from tests.unit.test_arbetsformedlingen import REGIONS

TITLE = "Inskrivna arbetslösa som andel av registerbaserad arbetskraft"


def sheet_csv(header: str, *rows: str, title: tuple[str, ...] = (TITLE,)) -> bytes:
    return "\n".join([*title, header, *rows, ""]).encode("utf-8")


def read_regions(raw: bytes) -> list[str]:
    return af_sheet.parse(raw, "lan.csv", REGIONS)["region_code"].tolist()


@pytest.mark.parametrize(
    ("county", "code", "kommun"),
    [
        ("Stockholm", "0181", "Södertälje"),
        ("Uppsala", "0381", "Enköping"),
        ("Jönköping", "0682", "Nässjö"),
        ("Kalmar", "0883", "Västervik"),
        ("Örebro", "1881", "Kumla"),
        ("Stockholms län", "0181", "Södertälje"),
    ],
)
def test_a_county_name_beside_a_kommun_of_that_county_is_read(county, code, kommun):
    """A Län column's "Stockholm" is the county, not kommun 0180 clashing with the code."""
    raw = sheet_csv("Period;Län;Kommunkod;Kommun;Totalt", f"202410;{county};{code};{kommun};5,1")
    assert read_regions(raw) == [code]


@pytest.mark.parametrize(
    ("header", "rows", "codes"),
    [
        # A Län column names counties, even where a kommun has the same name.
        ("Period;Län;Totalt", ["202410;Stockholm;4,9", "202410;Uppsala;4,0"], ["01", "03"]),
        (
            "Period;Län;Totalt",
            ["202410;Jönköping;4,1", "202410;Kalmar;4,2", "202410;Örebro;4,3", "202410;Riket;4,4"],
            ["06", "08", "18", "00"],
        ),
        ("Period;Länsnamn;Totalt", ["202410;Stockholms;4,9"], ["01"]),
        # A Kommun column names kommuner; AF's wide download adds its county and Riket rows.
        (
            "Period;Kommun;Totalt",
            ["202410;Stockholm;4,9", "202410;Stockholms län;5,0", "202410;Riket;5,1"],
            ["0180", "01", "00"],
        ),
        # A kommun name beats a county code beside it: the row is the kommun's.
        ("Period;Länskod;Kommun;Totalt", ["202410;01;Södertälje;5,1"], ["0181"]),
        ("Period;Länskod;Kommun;Totalt", ["202410;01;;5,1"], ["01"]),
        ("Period;Regionkod;Kommun;Totalt", ["202410;01;Södertälje;5,1"], ["0181"]),
        # "Region Gotland" is how the one-kommun county signs; in a Kommun column, the kommun.
        ("Period;Kommun;Totalt", ["202410;Region Gotland;5,1"], ["0980"]),
        ("Period;Län;Totalt", ["202410;Region Gotland;5,1"], ["09"]),
        ("Period;Län;Totalt", ["202410;Region Uppsala;4,0"], ["03"]),
        ("Period;Kommun;Totalt", ["202410;Region Stockholm;6,6"], ["01"]),
    ],
)
def test_a_name_column_is_read_at_its_own_level(header, rows, codes):
    assert read_regions(sheet_csv(header, *rows)) == codes


# name -> (header, row, the error after "arbetsformedlingen: lan.csv, sheet lan, ")
LEVEL_REFUSALS = {
    "kommun-outside-the-county-code": (
        "Period;Länskod;Kommun;Totalt",
        "202410;03;Södertälje;5,1",
        "row 3, column B: the name 'Södertälje' in column C is 0181 in Stockholms län but the"
        " code 03 is Uppsala län: refused rather than filed under either",
    ),
    "county-name-of-another-county": (
        "Period;Län;Kommunkod;Totalt",
        "202410;Uppsala;0181;5,1",
        "row 3, column B: the code 0181 in column C is Södertälje in Stockholms län but the name"
        " 'Uppsala' is 03: refused rather than filed under either",
    ),
    "unknown-kommun-beside-a-county-code": (
        "Period;Länskod;Kommun;Totalt",
        "202410;01;Nykommun;5,1",
        "row 3, column C: unknown region name 'Nykommun' (not in the regions table)",
    ),
    "county-name-in-a-kommun-code-cell-level": (
        "Period;Kommunkod;Kommun;Totalt",
        "202410;0181;Botkyrka;5,1",
        "row 3, column C: the code 0181 in column B is Södertälje but the name 'Botkyrka' is"
        " 0127: refused rather than filed under either",
    ),
}


@pytest.mark.parametrize("name", LEVEL_REFUSALS)
def test_region_cells_that_disagree_across_levels_are_refused(name):
    header, row, message = LEVEL_REFUSALS[name]
    with pytest.raises(SourceError) as caught:
        af_sheet.parse(sheet_csv(header, row), "lan.csv", REGIONS)
    assert str(caught.value) == f"arbetsformedlingen: lan.csv, sheet lan, {message}"


NOTE = "Ny definition av arbetskraften från januari 2023"


@pytest.mark.parametrize(
    "title",
    [
        (TITLE, NOTE),
        (TITLE, NOTE, "Kommuner och län, 16-64 år"),
        (NOTE, TITLE),
        (TITLE, NOTE, "Oktober 2024"),
        (TITLE, "Uppgifter sedan maj 2023", ""),
    ],
)
def test_a_dated_note_in_the_title_does_not_bound_the_file(title):
    """Only a line stating the file's period bounds its months; a note's month does not."""
    raw = sheet_csv("Period;Kommunkod;Totalt", "202410;0181;5,1", title=title)
    assert af_sheet.parse(raw, "p.csv", REGIONS)["period"].tolist() == ["2024M10"]


@pytest.mark.parametrize(
    ("title", "bound"),
    [
        ((TITLE, "Oktober 2024"), "2024-10 (from title row 2: 'Oktober 2024')"),
        (
            (TITLE, "Månad: oktober 2024", "Källa: Arbetsförmedlingen"),
            "2024-10 (from title row 2: 'Månad: oktober 2024')",
        ),
        (
            (TITLE, "januari 2008 – oktober 2024", "Källa: Arbetsförmedlingen"),
            "2024-10 (from title row 2: 'januari 2008 – oktober 2024')",
        ),
    ],
)
def test_a_title_line_stating_the_period_bounds_the_file_and_is_named(title, bound):
    raw = sheet_csv("Period;Kommunkod;Totalt", "202411;0181;5,1", title=title)
    with pytest.raises(SourceError) as caught:
        af_sheet.parse(raw, "p.csv", REGIONS)
    row = len(title) + 2
    assert str(caught.value) == (
        f"arbetsformedlingen: p.csv, sheet p, row {row}, column A: 2024M11 is after the file's"
        f" own month {bound}"
    )
