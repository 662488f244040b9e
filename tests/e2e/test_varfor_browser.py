"""Gapanalys → Varför? in Chromium: the sentence and both terms, as in Word and Excel."""

import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import openpyxl
import pytest
from playwright.sync_api import Page, expect

from bench.af_workbook import write_af_andel_workbook
from bench.server import serve_app
from labourmarket.core import paths
from tests.app.test_gapanalys_varfor import RECORDS, split_by_hand
from tests.conftest import copy_bundled
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_gap_browser import wait_for_app

pytestmark = pytest.mark.e2e


def run_cli(module: str, *args: str, root: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        env={**os.environ, paths.DATA_DIR_ENV: str(root)},
        cwd=paths.REPO_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def varfor_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The bundled data plus a generated AF BAS workbook (TEST DATA) imported by the real CLI."""
    base = tmp_path_factory.mktemp("varfor-e2e")
    root = copy_bundled(base / "data")
    download = base / "web-inskrivna-arbetslosa-andel-av-bas-2024-02.xlsx"
    buffer = io.BytesIO()
    write_af_andel_workbook(buffer, RECORDS)
    download.write_bytes(buffer.getvalue())
    run_cli("etl", "import", str(download), root=root)
    run_cli("etl", "build", root=root)
    run_cli("labourmarket", "export", "--regions", "0181", "--period", "2024M02", "--out",
            str(base / "ut"), root=root)  # fmt: skip
    with (base / "streamlit.log").open("w") as log, serve_app(root, log) as (url, _):
        yield url, base / "ut"


def read_pack(folder: Path) -> tuple[list[str], list[tuple]]:
    """The Word draft's paragraphs and the Excel Varför sheet's rows, from the exported zip."""
    (archive_path,) = folder.glob("*.zip")
    archive = zipfile.ZipFile(archive_path)
    word = next(name for name in archive.namelist() if name.endswith(".docx"))
    excel = next(name for name in archive.namelist() if name.endswith(".xlsx"))
    paragraphs = [p.text for p in docx.Document(io.BytesIO(archive.read(word))).paragraphs]
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read(excel)))["Varför"]
    return paragraphs, [tuple(cell.value for cell in row) for row in sheet.iter_rows(min_row=3)]


def test_varfor_reads_the_split_on_screen_and_in_word_and_excel(page: Page, varfor_app):
    url, folder = varfor_app
    page.goto(
        f"{url}/gapanalys?measure=af_inskrivna_andel_bas&period=2024M02&regions=0181"
        "&benchmark=01&breakdown=birth_region&view=why"
    )
    wait_for_app(page)
    gap, composition, within = split_by_hand("Södertälje", "Stockholms län")
    sentence = page.locator("[data-testid='stMarkdown']").filter(has_text="arbetslöshet än").first
    expect(sentence).to_be_visible()
    text = sentence.inner_text().strip()
    page.screenshot(path=str(ARTIFACTS / "varfor_gapanalys.png"), full_page=True)
    assert text.startswith("Av Södertäljes") or text.startswith("Södertälje har"), text
    shown_gap = f"{abs(gap):.1f}".replace(".", ",")
    assert f"{shown_gap} procentenheter" in text, text
    total = page.locator("[data-testid='stTable'] tbody tr").filter(has_text="Totalt").first
    expect(total).to_be_visible()
    cells = [c.strip() for c in total.locator("td, th").all_inner_texts()]
    assert f"{composition:+.2f}".replace(".", ",").replace("-", "−") in cells, cells
    assert f"{within:+.2f}".replace(".", ",").replace("-", "−") in cells, cells

    paragraphs, rows = read_pack(folder)
    assert any(p.endswith(text) for p in paragraphs if p.startswith("Födelseland: ")), paragraphs
    birth = [r for r in rows if r[1] == "Födelseland"]
    totals = [r for r in birth if r[2] == "Totalt"]
    assert len(totals) == 1
    assert totals[0][3] == pytest.approx(composition, abs=1e-9)
    assert totals[0][4] == pytest.approx(within, abs=1e-9)
