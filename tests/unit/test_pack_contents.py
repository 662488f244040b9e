"""The Mål och budget pack says what it holds: every file and sheet is named after the periods
it holds, every chart's data is in the workbook, and file names are Swedish and ASCII."""

import io
import re
import zipfile

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest

from labourmarket.core.defaults import summarise_coverage
from labourmarket.core.schema import COLUMNS
from labourmarket.core.store import LoadedData
from labourmarket.core.targets import load_targets
from labourmarket.output import formats
from labourmarket.output.formatting import format_number
from labourmarket.views import export
from tests.af_observations import build_rows
from tests.chromium import require_chromium

# The codes behind the data, which a file name must not carry (the Källor sheet keeps them).
ENGLISH_CODES = {
    "birth",
    "region",
    "education",
    "age",
    "level",
    "pp",
    "sex",
    "women",
    "men",
    "foreign",
    "born",
    "sweden",
    "upper",
    "secondary",
    "post",
    "unknown",
    "vs",
    "closing",
    "year",
    "value",
    "change",
    "ratio",
}
AF_MONTHS = "af_inskrivna_andel_bas"


@pytest.fixture(scope="module")
def with_months(bundled_data: LoadedData) -> LoadedData:
    """The bundled build plus made-up monthly AF shares (TEST DATA, tests/af_observations.py):
    Haninge's targets are judged month by month, 2023-2024, and drawn as lines."""
    bundled = bundled_data.observations
    text = {c: "string" for c in COLUMNS if bundled[c].dtype == "category"}
    added = build_rows().astype({**text, "retrieved_at": bundled["retrieved_at"].dtype})
    combined = pd.concat([bundled.astype(text), added], ignore_index=True)
    return LoadedData(combined, bundled_data.catalog, bundled_data.manifest, bundled_data.version)


def pick_default_period(data: LoadedData, region: str) -> str:
    """The period the Export page opens on for the kommun."""
    coverage = summarise_coverage(data.observations)
    return export.offer_periods(data, region, coverage).default


def assemble(data: LoadedData, region: str, period: str | None = None) -> export.Pack:
    catalog = data.catalog
    return export.assemble_pack(
        data.observations,
        catalog,
        load_targets(catalog),
        data.manifest,
        region,
        period or pick_default_period(data, region),
    )


@pytest.fixture(scope="module")
def packs(bundled_data: LoadedData, with_months: LoadedData) -> dict[str, export.Pack]:
    return {
        "0136": assemble(bundled_data, "0136"),
        "0181": assemble(bundled_data, "0181"),
        "0181_2013K3": assemble(bundled_data, "0181", "2013K3"),
        "0127_2013K3": assemble(bundled_data, "0127", "2013K3"),
        "0136_2024M06": assemble(with_months, "0136", "2024M06"),
    }


def read_workbook(pack: export.Pack) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(formats.write_xlsx(export.number_sheets(pack))))


def read_sheet(sheet) -> pd.DataFrame:
    """A pack sheet's table: the title in row 1, the header in row 2, notes after a blank row."""
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    end = next((i for i, row in enumerate(rows) if all(v is None for v in row)), len(rows))
    return pd.DataFrame(rows[1:end], columns=rows[0])


def test_the_default_period_is_2023_for_haninge_and_sodertalje(packs):
    assert (packs["0136"].period, packs["0181"].period) == ("2023", "2023")


def test_haninge_2023_sheets_are_named_after_the_periods_they_hold(packs):
    """Haninge's 2023 pack: its targets' figures are from kv 3 2013, the line chart 2016-2023."""
    pack = packs["0136"]
    workbook = read_workbook(pack)
    names = workbook.sheetnames
    assert names[:4] == ["Tabell 1 2023", "Tabell 2 2016–2023", "Varför", "Mål kv3 2013"]
    assert names[-1] == "Källor"
    targets = names[4:-1]
    assert targets and all(re.fullmatch(r"Mål \d+ kv3 2013", name) for name in targets)
    assert workbook["Mål 1 kv3 2013"]["A1"].value == (
        "Haninge: Arbetslösheten ska inte vara högre än länets genomsnitt, kv 3 2013"
    )
    summary = workbook["Mål kv3 2013"]
    assert summary["A1"].value == "Haninge: strategiernas mål, med värden från kv 3 2013"
    periods = [p for p in read_sheet(summary)["Period"] if p != ".."]
    assert periods and all(p.startswith("kv 3 2013") for p in periods)


@pytest.mark.parametrize(
    ("period", "haninge"),
    [("2016", 11.9), ("2020", 14.7), ("2021", 13.9), ("2023", 12.1)],
)
def test_the_line_charts_years_are_a_sheet_of_their_own(packs, period, haninge):
    """SCB's integration statistics for Haninge, 2016-2023, as the pack's line chart draws them."""
    workbook = read_workbook(packs["0136"])
    sheet = workbook["Tabell 2 2016–2023"]
    assert sheet["A1"].value == (
        "Haninge: Arbetslöshet 20-64 år, SCB:s integrationsstatistik (%), 2016–2023"
    )
    table = read_sheet(sheet).set_index("Period")
    assert list(table.index) == [str(year) for year in range(2016, 2024)]
    assert table.at[period, "Haninge (%)"] == haninge


def test_a_target_judged_on_kv_3_2013_has_kv3_2013_in_its_file_names(packs):
    pack = packs["0136"]
    keys = [t.key for t in pack.tables]
    targets = [k for k in keys if k.startswith("mal")]
    assert "mal_kv3_2013" in targets
    assert all(k.endswith("_kv3_2013") for k in targets), targets
    assert not [k for k in keys if k.startswith("mal") and "2023" in k]


def test_monthly_targets_are_named_after_their_months(packs):
    """TEST DATA: Haninge's targets judged on AF's BAS share, January 2023 to June 2024."""
    pack = packs["0136_2024M06"]
    charts = [c.key for c in pack.charts if c.key.startswith("mal")]
    assert charts and all(k.endswith("_2023-01_till_2024-06") for k in charts), charts
    workbook = read_workbook(pack)
    for chart in pack.charts:
        (table,) = [t for t in pack.tables if t.key == chart.key]
        if chart.key.startswith("mal"):
            assert table.sheet.endswith("2023-01–2024-06"), table.sheet
            periods = read_sheet(workbook[table.sheet])["Period"]
            assert (periods.iloc[0], periods.iloc[-1]) == ("januari 2023", "juni 2024")


def list_drawn(figure: go.Figure) -> list[tuple[str, list[str], list[str]]]:
    """Each trace with data: its name, its x labels (a period or a group) and its figures as
    the chart labels them ("27,0"; ".." where a bar stands for a missing figure)."""
    drawn = []
    for trace in figure.data:
        if trace.y is None or all(v is None for v in trace.y):
            continue
        customdata = list(trace.customdata) if trace.customdata is not None else []
        if customdata and isinstance(customdata[0], list | tuple):
            # A time axis: the period as the table writes it is in the hover data.
            labels = [str(item[0]) for item in customdata]
        else:
            labels = [str(x).replace("<br>", " ") for x in trace.x]
        texts = list(trace.text) if isinstance(trace.text, list | tuple) else []
        shown = [
            text if text else format_number(value)
            for text, value in zip(texts or [""] * len(trace.y), trace.y, strict=True)
        ]
        drawn.append((str(trace.name or ""), labels, shown))
    return drawn


@pytest.mark.parametrize("name", ["0136", "0181", "0181_2013K3", "0127_2013K3", "0136_2024M06"])
def test_every_charts_data_is_a_sheet_of_the_workbook(packs, name):
    """Each chart has a table of the same file name, and its sheet holds every drawn figure."""
    pack = packs[name]
    assert pack.charts
    workbook = read_workbook(pack)
    tables = {t.key: t for t in pack.tables}
    for chart in pack.charts:
        assert chart.key in tables, f"{chart.key}: no table of its data"
        frame = read_sheet(workbook[tables[chart.key].sheet])
        label_column = "Period" if "Period" in frame else "Grupp"
        for trace, labels, values in list_drawn(chart.figure):
            if trace.startswith("Nära"):
                continue  # the band's edge: Målnivå plus the tolerance its legend states
            column = "Målnivå (%)" if trace.startswith("Mål") or trace == "" else f"{trace} (%)"
            assert column in frame, f"{chart.key}: {trace!r} not in {list(frame)}"
            rows = frame.assign(label=frame[label_column].str.split(",").str[0])
            shown = dict(zip(rows["label"], rows[column], strict=True))
            for label, value in zip(labels, values, strict=True):
                assert label in shown, f"{chart.key}: {label} not in the sheet"
                assert format_number(shown[label]) == value, (chart.key, trace, label)


@pytest.fixture(scope="module")
def zips(packs) -> dict[str, list[str]]:
    """The names in the zips of Haninge and Södertälje (default period) and Haninge's months."""
    require_chromium()
    return {
        name: zipfile.ZipFile(io.BytesIO(export.build_pack(packs[name]))).namelist()
        for name in ("0136", "0181", "0136_2024M06")
    }


@pytest.mark.parametrize("name", ["0136", "0181", "0136_2024M06"])
def test_pack_file_names_are_swedish_ascii_and_unique(zips, name):
    names = zips[name]
    assert len(names) == len(set(names))
    for path in names:
        assert path.isascii() and " " not in path, path
        words = set(re.split(r"[/_.\-]", path.lower()))
        assert not words & ENGLISH_CODES, f"{path}: {sorted(words & ENGLISH_CODES)}"


def test_haninge_2023_files_say_what_they_hold(zips):
    stem = "mal_och_budget_0136_2023"
    names = {name.removeprefix(f"{stem}/") for name in zips["0136"]}
    assert {
        f"{stem}.xlsx",
        f"{stem}.docx",
        "LASMIG.txt",
        "diagram/tabell02_arbetsloshet_20-64_ar_2016-2023.png",
        "diagram/tabell02_arbetsloshet_20-64_ar_2016-2023.svg",
        "csv/tabell01_arbetsloshet_20-64_ar_2023.csv",
        "csv/tabell02_arbetsloshet_20-64_ar_2016-2023.csv",
        "csv/mal_kv3_2013.csv",
        "csv/mal01_total_mot_lan_kv3_2013.csv",
        "csv_svensk_excel/kallor.csv",
    } <= names


@pytest.mark.parametrize(
    ("name", "code"),
    [("0136", "scb_integration_arbetsloshet_20_64"), ("0136_2024M06", AF_MONTHS)],
)
def test_the_sources_sheet_keeps_the_codes(packs, name, code):
    frame = read_sheet(read_workbook(packs[name])["Källor"])
    assert code in set(frame.iloc[:, 0])
