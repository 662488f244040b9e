"""An AF pivot workbook imported through the command line, then read on screen in Chromium."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from bench.server import serve_app
from labourmarket.core import paths
from labourmarket.output.formatting import format_gap, format_number
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_gap_browser import read_table_row, wait_for_app
from tests.unit.test_af_andel import make_records, write_workbook

pytestmark = pytest.mark.e2e
RECORDS = make_records(bas=True)


def share(prefix: str, keep: object) -> float:
    rows = [r for r in RECORDS if r["PERIOD"] == "2024-02" and keep(r)]  # type: ignore[operator]
    return 100 * sum(r[f"{prefix}SOK"] for r in rows) / sum(r[f"{prefix}AK"] for r in rows)


@pytest.fixture(scope="module")
def af_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled data plus an imported AF workbook, built by the real CLI and served."""
    base = tmp_path_factory.mktemp("af-e2e")
    root = base / "data"
    for part in ("raw", "reference"):
        shutil.copytree(paths.REPO_DIR / "data" / part, root / part)
    download = base / "web-inskrivna-arbetslosa-andel-av-bas-2024-02.xlsx"
    download.write_bytes(write_workbook(RECORDS))
    env = {**os.environ, paths.DATA_DIR_ENV: str(root)}
    result = subprocess.run(
        [sys.executable, "-m", "etl", "import", str(download)],
        env=env,
        cwd=paths.REPO_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with (base / "streamlit.log").open("w") as log, serve_app(root, log) as (url, _):
        yield url


def test_heby_outside_stockholm_by_birth_region_from_the_imported_workbook(
    page: Page, af_app_url: str
):
    page.goto(
        f"{af_app_url}/gapanalys?measure=af_inskrivna_andel_bas&period=2024M02&regions=0331"
        "&benchmark=03&breakdown=birth_region&view=table"
    )
    wait_for_app(page)
    expect(page.locator("[data-testid='stTable']")).to_be_visible()
    heby = share("UTR", lambda r: r["KOM"] == "Heby")
    county = share("UTR", lambda r: r["LAN"] == "Uppsala län")
    row = read_table_row(page, "Utrikes födda", "Heby")
    assert row[:5] == [
        "Utrikes födda",
        "Heby",
        format_number(heby, 1),
        format_number(county, 1),
        format_gap(heby - county),
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "gapanalys-heby-fodelseland.png")
