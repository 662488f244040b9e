"""A monthly AF file covering juli 2013 beside Tabell 1's kv 3 2013: pages, Export and the pack.

Two trees. `imported`: the bundled data plus a registerbaserad AF sheet (TEST DATA) imported with
`python -m etl import` and built; its months are the monthly measure, Tabell 1 stays quarterly.
`mixed`: Tabell 1's measure holding both kv 3 2013 and months from juli 2013, as a data/clean
built before the build refused a measure with two frequencies (the months were then filed under
Tabell 1's measure); every page must still draw one frequency per series and say so.
"""

import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from labourmarket.core import paths, store
from labourmarket.core.periods import parse_period
from labourmarket.core.schema import COLUMNS
from tests.app.conftest import open_page, read_shown_table
from tests.chromium import require_chromium
from tests.conftest import copy_build, copy_bundled

TREND, EXPORT, OVERVIEW = "app_pages/utveckling.py", "app_pages/export.py", "app_pages/oversikt.py"
RAMS, REG = "af_inskrivna_andel_rams", "af_inskrivna_andel_reg"
NBSP = "\u00a0"
# TEST DATA: AF's registerbaserad share for juli 2013 and juli 2014, cp1252 like AF's downloads.
AF_SHEET = (
    "Inskrivna arbetslösa som andel av den registerbaserade arbetskraften\r\n"
    "Juli 2013 - juli 2014\r\n"
    "\r\n"
    "Period;Kommunkod;Kommun;Totalt;Utrikes födda\r\n"
    "201307;0181;Södertälje;14,9;26,1\r\n"
    "201307;;Stockholms län;7,3;15,9\r\n"
    "201407;0181;Södertälje;13,8;25,0\r\n"
    "201407;;Stockholms län;7,0;15,2\r\n"
).encode("cp1252")
MONTHS = [f"{p.year}M{p.month:02d}" for p in pd.period_range("2013-07", "2014-09", freq="M")]
FREQUENCY_NOTE = (
    "Måttet har både kvartalsvärden och månadsvärden. En serie har en frekvens: här visas "
    "kvartalsvärden; månadsvärden visas inte."
)


def run_module(module: str, *args: str, root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=paths.REPO_DIR,
        env={**os.environ, paths.DATA_DIR_ENV: str(root)},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def imported_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("imported")
    root = copy_bundled(base / "data")
    download = base / "inskrivna-arbetslosa-andel-av-registerbaserad-arbetskraft-2014-07.csv"
    download.write_bytes(AF_SHEET)
    result = run_module("etl", "import", str(download), root=root)
    assert result.returncode == 0, result.stderr
    return root


def make_months(rams: pd.DataFrame) -> pd.DataFrame:
    """Tabell 1's total and foreign-born rows again for every month from juli 2013, 0,1 lower
    each month: the shape an AF import once gave Tabell 1's measure."""
    kv3 = rams[
        (rams["period"] == "2013K3")
        & (rams["sex"] == "total")
        & (rams["age"] == "total")
        & (rams["education"] == "total")
        & rams["birth_region"].isin(["total", "foreign_born"])
    ]
    frames = [
        kv3.assign(
            period=month,
            period_start=pd.Timestamp(parse_period(month).start),
            frequency="M",
            value=(kv3["value"] - 0.1 * (number + 1)).round(1),
        )
        for number, month in enumerate(MONTHS)
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def mixed_root(tmp_path_factory: pytest.TempPathFactory, pristine_build: Path) -> Path:
    root = copy_bundled(tmp_path_factory.mktemp("mixed") / "data")
    copy_build(pristine_build, root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.DATA_DIR_ENV, str(root))
        bundled = store.read_observations()
        text = {c: "string" for c in COLUMNS if bundled[c].dtype == "category"}
        bundled = bundled.astype(text)
        months = make_months(bundled[bundled["measure_id"] == RAMS])
        # Written as an older build wrote it: without the one-frequency check.
        combined = pd.concat([bundled, months], ignore_index=True)
        store.write_clean(combined, (store.read_manifest() or {"sources": []})["sources"])
    return root


@pytest.fixture
def imported(imported_root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(imported_root))
    yield imported_root


@pytest.fixture
def mixed(mixed_root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(mixed_root))
    yield mixed_root


def list_captions(at) -> list[str]:
    return [caption.value for caption in at.caption]


@pytest.mark.parametrize("view", ["chart", "table", "why"])
@pytest.mark.parametrize("measure", [RAMS, REG])
def test_every_trend_view_opens_after_the_import(imported, measure, view):
    at = open_page(TREND, measure=measure, regions="0181", view=view)
    assert not at.exception, at.exception


def test_the_imported_months_are_their_own_series(imported):
    at = open_page(TREND, measure=REG, regions="0181", view="table", **{"from": "2013M07"})
    assert not at.exception
    table = read_shown_table(at)
    assert table["Period"].tolist() == ["juli 2013", "juli 2014"]
    assert table["Södertälje"].tolist() == ["14,9", "13,8"]
    assert at.markdown[0].value.startswith(
        "I juli 2014 var arbetslösheten (16-64 år) i Södertälje 13,8 procent, "
        "6,8 procentenheter högre än i Stockholms län. Det är 1,1 procentenheter lägre än ett år "
        "tidigare."
    )


@pytest.mark.parametrize("view", ["chart", "table", "why"])
def test_every_trend_view_keeps_tabell_1_quarterly(mixed, view):
    """Before: "cannot reindex on an axis with duplicate labels" in add_moving_average."""
    at = open_page(
        TREND, measure=RAMS, regions="0181", group="birth_region:foreign_born", view=view
    )
    assert not at.exception, at.exception
    if view == "why":
        return
    assert at.markdown[0].value.startswith(
        "Kv 3 2013 var arbetslösheten bland utrikes födda i Södertälje 27,0 procent"
    )
    assert any(FREQUENCY_NOTE in caption for caption in list_captions(at))


def test_the_trend_offers_and_shows_no_month(mixed):
    at = open_page(TREND, measure=RAMS, regions="0181", view="table")
    assert not at.exception
    assert at.selectbox(key="from").options == at.selectbox(key="to").options == ["kv 3 2013"]
    assert read_shown_table(at)["Period"].tolist() == ["kv 3 2013"]


def test_the_overview_card_keeps_the_quarter(mixed):
    at = open_page(OVERVIEW, measure=RAMS, regions="0181")
    assert not at.exception
    assert at.metric[0].value == f"14,5{NBSP}%"
    (caption,) = [c for c in list_captions(at) if c.startswith("Period:")]
    assert caption == (
        "Period: kv 3 2013 · Utveckling: bara en period i datan, ingen trend · " + FREQUENCY_NOTE
    )


@pytest.mark.parametrize("tree", ["imported", "mixed"])
def test_the_export_page_opens(tree, request):
    request.getfixturevalue(tree)
    at = open_page(EXPORT, region="0181", period="2013K3")
    assert not at.exception, at.exception
    assert "**Södertälje, kv 3 2013**" in at.markdown[0].value


def read_tabell_1(pack: bytes) -> dict[str, object]:
    """Tabell 1's sheet in the pack's workbook: group -> Södertälje's figure."""
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".xlsx")]
        workbook = openpyxl.load_workbook(io.BytesIO(archive.read(name)))
    rows = list(workbook["Tabell 1 kv3 2013"].iter_rows(values_only=True))
    return {row[0]: row[1] for row in rows[2:] if row[0] and row[1] is not None}


@pytest.mark.parametrize("tree", ["imported_root", "mixed_root"])
def test_the_command_line_pack_keeps_tabell_1(tree, request, tmp_path):
    require_chromium()
    root = request.getfixturevalue(tree)
    out = tmp_path / "ut"
    result = run_module(
        "labourmarket",
        "export",
        "--regions",
        "0181",
        "--period",
        "2013K3",
        "--out",
        str(out),
        root=root,
    )
    assert result.returncode == 0, result.stderr
    pack = (out / "mal_och_budget_0181_2013K3.zip").read_bytes()
    figures = read_tabell_1(pack)
    assert (figures["Totalt 16-64 år"], figures["Utrikes födda"]) == (14.5, 27)
