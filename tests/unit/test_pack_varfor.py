"""The pack's Varför sheet and Word heading: the kommun's gap to its county split by group."""

import io
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest

from bench.af_workbook import generate_af_andel_records, write_af_andel_workbook
from etl.pipeline import build
from etl.sources import arbetsformedlingen
from labourmarket.core import paths, store
from labourmarket.core.catalog import load_catalog
from labourmarket.core.decomposition import decompose_all
from labourmarket.core.selection import select_rows
from labourmarket.output import formats
from labourmarket.output.decomposition_text import describe_decomposition
from labourmarket.views.export import (
    NO_WHY,
    WHY_COLUMNS,
    WHY_HEADING,
    WHY_SHEET,
    Pack,
    assemble_pack,
    compose_blocks,
    number_sheets,
)
from tests.conftest import copy_bundled

KOMMUNER = (("Uppsala län", "Heby"), ("Uppsala län", "Uppsala"))
KOMMUNER += (("Stockholms län", "Södertälje"), ("Stockholms län", "Haninge"))
MEASURE = "af_inskrivna_andel_bas"
BREAKDOWN_NAMES = {"age": "Ålder", "birth_region": "Födelseland", "education": "Utbildning"}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The bundled data plus a generated AF BAS workbook (TEST DATA), imported and built."""
    base = tmp_path_factory.mktemp("pack-varfor")
    root = copy_bundled(base / "data")
    download = base / "web-inskrivna-arbetslosa-andel-av-bas-2024-02.xlsx"
    buffer = io.BytesIO()
    records = generate_af_andel_records(KOMMUNER, ("2024-01", "2024-02"), bas=True, seed=5)
    write_af_andel_workbook(buffer, list(records))
    download.write_bytes(buffer.getvalue())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.DATA_DIR_ENV, str(root))
        arbetsformedlingen.import_file(Path(download), load_catalog())
        build()
        return {
            "observations": store.read_observations(),
            "catalog": load_catalog(),
            "manifest": store.read_manifest(),
        }


def assemble(data: dict, region: str, period: str) -> Pack:
    return assemble_pack(
        data["observations"], data["catalog"], [], data["manifest"], region, period
    )


def read_sheet(pack: Pack) -> tuple[list[str], list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(formats.write_xlsx(number_sheets(pack))))
    sheet = book[WHY_SHEET]
    header = [cell.value for cell in sheet[2]]
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows(min_row=3)]
    return header, [row for row in rows if any(value is not None for value in row)]


@pytest.mark.parametrize(("region", "county"), [("0331", "03"), ("0181", "01")])
def test_varfor_sheet_splits_every_breakdown_and_totals_equal_the_gap(data, region, county):
    pack = assemble(data, region, "2024M02")
    header, rows = read_sheet(pack)
    assert header == WHY_COLUMNS
    rows_ = select_rows(data["observations"], MEASURE, period="2024M02")
    expected = decompose_all(rows_, region, county)
    assert all(d.problem is None for d in expected)
    totals = [row for row in rows if row[2] == "Totalt"]
    assert [row[1] for row in totals] == [BREAKDOWN_NAMES[d.breakdown] for d in expected]
    for row, d in zip(totals, expected, strict=True):
        measure, _, _, composition, within = row
        assert measure == data["catalog"].measure(MEASURE)["name_sv"]
        assert isinstance(composition, float) and isinstance(within, float)
        assert composition + within == pytest.approx(d.gap, abs=1e-9)
        assert (composition, within) == pytest.approx((d.composition, d.within), abs=1e-12)
    # The groups of a breakdown add up to its total row.
    groups = [row for row in rows if row[1] == "Födelseland" and row[2] != "Totalt"]
    birth = next(d for d in expected if d.breakdown == "birth_region")
    assert sum(row[3] for row in groups) == pytest.approx(birth.composition, abs=1e-12)


def test_word_draft_says_why_under_its_heading(data):
    pack = assemble(data, "0331", "2024M02")
    blocks = compose_blocks(pack, defaultdict(bytes))
    texts = [getattr(block, "text", "") for block in blocks]
    start = texts.index(WHY_HEADING)
    catalog = data["catalog"]
    rows = select_rows(data["observations"], MEASURE, period="2024M02")
    birth = next(d for d in decompose_all(rows, "0331", "03") if d.breakdown == "birth_region")
    sentence = describe_decomposition(birth, "Heby", catalog.region_name("03"))
    assert f"Födelseland: {sentence}" in texts[start + 1 : start + 5]


def test_tabell_1_pack_says_it_cannot_be_split(data):
    pack = assemble(data, "0181", "2013K3")
    header, rows = read_sheet(pack)
    assert header == WHY_COLUMNS
    assert rows[0][:3] == (NO_WHY, None, None) and all(row[1] is None for row in rows)
    texts = [getattr(block, "text", "") for block in compose_blocks(pack, defaultdict(bytes))]
    assert WHY_HEADING not in texts
