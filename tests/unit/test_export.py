"""Exports: Excel and CSV hold the screen's figures, Word and images open, formulas are defused."""

import dataclasses
import io
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

from etl.pipeline import build
from labourmarket.__main__ import main
from labourmarket.core import paths, store
from labourmarket.core.catalog import Catalog, load_catalog
from labourmarket.core.gaps import compute_gaps, label_gaps
from labourmarket.core.periods import find_period_end
from labourmarket.core.selection import select_rows
from labourmarket.core.targets import load_targets
from labourmarket.output import formats
from labourmarket.output.shown_table import NumberFormat, ShownTable, make_shown_table
from labourmarket.views.export import (
    Pack,
    PackError,
    assemble_pack,
    build_pack,
    list_pack_periods,
    number_sheets,
)
from labourmarket.views.gapanalys import shape_gap_table
from tests.chromium import require_chromium
from tests.tabell1 import ROWS

STEM = "mal_och_budget_0181_2013K3"
TABELL_1_SHEET, MAL_SHEET = "Tabell 1 kv3 2013", "Mål kv3 2013"
GROUP_LABELS = [
    "Totalt 16-64 år",
    "18-24 år",
    "Inrikes födda",
    "Utrikes födda",
    "Förgymnasial utbildning",
    "Gymnasial utbildning",
    "Eftergymnasial utbildning",
]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclasses.dataclass(frozen=True)
class Loaded:
    root: Path
    observations: pd.DataFrame
    catalog: Catalog
    manifest: dict


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """The bundled data built once for this module, in a temp tree."""
    root = tmp_path_factory.mktemp("export") / "data"
    for part in ("raw", "reference"):
        shutil.copytree(paths.REPO_DIR / "data" / part, root / part)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.DATA_DIR_ENV, str(root))
        build()
        yield Loaded(root, store.read_observations(), load_catalog(), store.read_manifest())


def assemble(loaded: Loaded, region: str = "0181", period: str = "2013K3") -> Pack:
    targets = load_targets(loaded.catalog, paths.REPO_DIR / "data" / "reference" / "targets.toml")
    return assemble_pack(
        loaded.observations, loaded.catalog, targets, loaded.manifest, region, period
    )


@pytest.fixture(scope="module")
def pack(loaded: Loaded) -> Pack:
    return assemble(loaded)


@pytest.fixture(scope="module")
def workbook(pack: Pack) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(formats.write_xlsx(number_sheets(pack))))


@pytest.fixture(scope="module")
def pack_files(pack: Pack) -> dict[str, bytes]:
    """The whole zip, images drawn in chromium (the module's one browser start)."""
    require_chromium()
    archive = zipfile.ZipFile(io.BytesIO(build_pack(pack)))
    return {name.removeprefix(f"{STEM}/"): archive.read(name) for name in archive.namelist()}


def find_row(sheet, label: str, header_row: int = 2) -> dict:
    headers = [cell.value for cell in sheet[header_row]]
    for row in sheet.iter_rows(min_row=header_row + 1):
        if row[0].value == label:
            return dict(zip(headers, row, strict=False))
    raise AssertionError(f"{label!r} not in sheet {sheet.title}")


@pytest.mark.parametrize(("index", "label"), list(enumerate(GROUP_LABELS)))
def test_tabell_1_sheet_holds_the_published_figures_as_numbers(workbook, index, label):
    """Södertälje foreign-born 27.0 and +11.3 to Länet, and every other group, as real numbers."""
    row = find_row(workbook[TABELL_1_SHEET], label)
    own, county, country = ROWS["0181"][index], ROWS["01"][index], ROWS["00"][index]
    expected = {
        "Södertälje (%)": (own, "0.0"),
        "Stockholms län (%)": (county, "0.0"),
        "Skillnad mot Stockholms län (p.e.)": (round(own - county, 1), "+0.0;-0.0;0.0"),
        "Riket (%)": (country, "0.0"),
        "Skillnad mot Riket (p.e.)": (round(own - country, 1), "+0.0;-0.0;0.0"),
    }
    for column, (value, number_format) in expected.items():
        cell = row[column]
        assert cell.data_type == "n" and cell.value == pytest.approx(value, abs=1e-9), column
        assert cell.number_format == number_format


def test_foreign_born_gap_is_eleven_point_three(workbook):
    row = find_row(workbook[TABELL_1_SHEET], "Utrikes födda")
    assert (row["Södertälje (%)"].value, row["Skillnad mot Stockholms län (p.e.)"].value) == (
        27.0,
        11.3,
    )


def test_workbook_has_titles_frozen_headers_widths_and_notes(workbook):
    # Each sheet named after its period: every figure here is from kv 3 2013.
    names = workbook.sheetnames
    assert names[:3] == [TABELL_1_SHEET, "Varför", MAL_SHEET] and names[-1] == "Källor"
    assert names[3:-1] and all(re.fullmatch(r"Mål \d+ kv3 2013", n) for n in names[3:-1])
    for sheet in workbook:
        assert sheet.freeze_panes == "A3", sheet.title
        assert sheet["A1"].font.bold and sheet["A2"].font.bold
        assert sheet.column_dimensions["A"].width > 10
    notes = [c.value for c in workbook[TABELL_1_SHEET]["A"] if c.value]
    assert any(str(n).startswith("Källa: Arbetsförmedlingen") and "kv 3 2013" in n for n in notes)
    assert any(str(n).startswith("Data byggd") for n in notes)


def test_mal_sheet_has_status_words_symbols_and_documents(workbook):
    row = find_row(workbook[MAL_SHEET], "sodertalje_utrikes_fodda_vs_lan")
    # kv 3 2013 is before the 2014-2018 strategy: shown, not judged.
    assert row["Status"].value == (
        "? Kan inte bedömas: kv 3 2013 ligger före strategiperioden, som börjar 2014"
    )
    assert row["Dokument"].value.startswith("Södertälje kommun, Inriktning")
    assert row["Avsnitt"].value == "3.3 Det lokala perspektivet (Tabell 1)"
    assert (row["Utfall (%)"].value, row["Målnivå (%)"].value) == (27.0, 15.7)
    assert row["Skillnad mot målnivå (p.e.)"].value == 11.3
    waiting = find_row(workbook[MAL_SHEET], "sodertalje_unga_minska")
    assert waiting["Status"].value.startswith("? Kan inte bedömas: inga värden efter basperioden")
    assert waiting["Utfall (%)"].value is None  # blank, never 0


def test_kallor_sheet_names_definition_licence_and_dates(workbook):
    row = find_row(workbook["Källor"], "af_inskrivna_andel_rams")
    assert row["Definition"].value.startswith("Inskrivna arbetslösa vid Arbetsförmedlingen")
    assert "ange källa" in row["Licens"].value
    assert row["Hämtad"].value and row["Data byggd"].value
    assert row["Perioder"].value == "kv 3 2013 – kv 3 2013"


@pytest.fixture(scope="module")
def gap_table(loaded: Loaded) -> ShownTable:
    """The Gapanalys table for Tabell 1's kommuner by birth region, as the page builds it."""
    selection = select_rows(loaded.observations, "af_inskrivna_andel_rams", period="2013K3")
    gaps = compute_gaps(selection, ["0181", "0127", "0136", "0126"], "01", "birth_region")
    labelled = label_gaps(gaps, loaded.catalog.region_names, "birth_region", "16-64 år")
    return shape_gap_table(labelled, "Stockholms län")


@pytest.mark.parametrize("dialect", ["sv", "plain"])
def test_both_csv_dialects_read_back_to_the_frame(gap_table, dialect):
    content = formats.write_csv(gap_table, dialect)
    read = pd.read_csv(io.BytesIO(content), **formats.CSV_DIALECTS[dialect])
    pd.testing.assert_frame_equal(read, formats.shape_export_frame(gap_table), check_dtype=False)
    head = content.split(b"\n", 1)[0]
    if dialect == "sv":
        assert content.startswith(b"\xef\xbb\xbf") and head.count(b";") == 5
        assert b"Utrikes f\xc3\xb6dda;S\xc3\xb6dert\xc3\xa4lje;27,0;15,7;11,3;1,72" in content
    else:
        assert not content.startswith(b"\xef\xbb\xbf") and head.count(b",") == 5
        assert "Utrikes födda,Södertälje,27.0,15.7,11.3,1.72".encode() in content


CRAFTED = 'HYPERLINK("http://example.invalid","klicka")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_formula_text_is_neutralised_in_xlsx_and_both_csvs(start):
    label = f"{start}{CRAFTED}"
    table = make_shown_table(
        pd.DataFrame({"Kommun": [label, "Södertälje"], label: [-2.5, 27.0], "Antal": [-3, 4]}),
        {label: NumberFormat(1, signed=True, unit="p.e.")},
    )
    sheet = openpyxl.load_workbook(
        io.BytesIO(formats.write_xlsx([formats.Sheet("Data", table, label)]))
    )["Data"]
    assert sheet["A1"].value == f"'{label}" and sheet["A1"].data_type == "s"  # the title
    assert sheet["B2"].value == f"'{label} (p.e.)"  # a header
    assert sheet["A3"].value == f"'{label}" and sheet["A3"].data_type == "s"
    assert sheet["B3"].value == -2.5 and sheet["B3"].data_type == "n"  # a number stays one
    assert sheet["C3"].value == -3 and sheet["C3"].data_type == "n"  # also without a format
    for dialect in ("sv", "plain"):
        read = pd.read_csv(
            io.BytesIO(formats.write_csv(table, dialect)), **formats.CSV_DIALECTS[dialect]
        )
        assert read.columns[1] == f"'{label} (p.e.)"
        assert read.iloc[0, 0] == f"'{label}" and read.iloc[0, 1] == -2.5


def test_a_crafted_region_name_is_neutralised_on_its_way_through_the_pack(loaded):
    regions = loaded.catalog.regions.copy()
    regions.loc[regions["region_code"] == "0181", "region_name"] = "=1+1"
    crafted = dataclasses.replace(loaded.catalog, regions=regions)
    pack = assemble(dataclasses.replace(loaded, catalog=crafted))
    workbook = openpyxl.load_workbook(io.BytesIO(formats.write_xlsx(number_sheets(pack))))
    sheet = workbook[TABELL_1_SHEET]
    assert sheet["A1"].value.startswith("'=1+1: ") and sheet["B2"].value == "'=1+1 (%)"
    csv = formats.write_csv(pack.measures[0].table.table, "sv").decode("utf-8-sig")
    assert csv.startswith("Grupp;'=1+1 (%);")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+46 8 123", "'+46 8 123"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("Södertälje", "Södertälje"),
        ("18-24 år", "18-24 år"),
        ("", ""),
    ],
)
def test_neutralise(text, expected):
    assert formats.neutralise(text) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "shown", "kept"),
    [
        (2.25, 1, "2,3", 2.3),  # half up, as statistical tables round
        (0.125, 2, "0,13", 0.13),
        (-0.05, 1, "\u22120,1", -0.1),  # a true minus on screen, a number in the file
        (float("nan"), 1, "..", None),  # missing stays missing, never 0
    ],
)
def test_exported_numbers_are_rounded_as_shown(value, decimals, shown, kept):
    table = make_shown_table(pd.DataFrame({"v": [value]}), {"v": NumberFormat(decimals)})
    assert table.format_cells()["v"].iloc[0] == shown
    read = pd.read_csv(io.BytesIO(formats.write_csv(table, "plain")))["v"].iloc[0]
    assert (pd.isna(read) and kept is None) or read == kept


@pytest.mark.parametrize(
    ("parts", "name"),
    [
        (
            ("gapanalys", "af_x", "2013K3", ["0181", "0127"], "01"),
            "gapanalys_af_x_2013K3_0181-0127_01",
        ),
        (
            ("utveckling", "m", "birth_region:foreign_born"),
            "utveckling_m_birth_region-foreign_born",
        ),
        (("jamfor", [str(i) for i in range(26)]), "jamfor_26regioner"),
        (("x", "../etc/passwd Ö"), "x_---etc-passwd--"),
    ],
)
def test_file_names_are_built_from_codes_only(parts, name):
    assert formats.compose_file_name(*parts) == name


@pytest.mark.parametrize(
    ("code", "end"),
    [
        ("2013K3", "2013-10-01"),
        ("2013K4", "2014-01-01"),
        ("2023", "2024-01-01"),
        ("2024M12", "2025-01-01"),
    ],
)
def test_find_period_end(code, end):
    assert find_period_end(code).isoformat() == end


def test_periods_to_export_latest_first(loaded):
    assert list_pack_periods(loaded.observations, "0181")[:2] == ["2023", "2022"]
    assert list_pack_periods(loaded.observations, "0181")[-1] == "2013K3"


@pytest.mark.parametrize(
    ("region", "period", "message"),
    [
        ("9999", "2013K3", "unknown region '9999'"),
        ("01", "2013K3", "01 (Stockholms län) is not a kommun"),
        ("0181", "2013K4", "no figures for 0181 (Södertälje) in 2013K4"),
        ("0181", "2013X", "unknown period code '2013X'"),
    ],
)
def test_pack_refuses_what_it_cannot_make(loaded, region, period, message):
    with pytest.raises(PackError, match=message.replace("(", r"\(").replace(")", r"\)")):
        assemble(loaded, region, period)


def test_pack_sections_read_in_plain_swedish(pack):
    assert [s.heading for s in pack.measures] == [
        "Inskrivna arbetslösa, andel av registerbaserad arbetskraft (%)"
    ]
    by_heading = {s.heading: s for s in pack.targets}
    foreign = by_heading["Utrikes föddas arbetslöshet ska inte vara högre än länets"]
    assert foreign.sentence.startswith(
        "Kv 3 2013 var arbetslösheten bland utrikes födda i Södertälje 27,0\u00a0% och i "
        "Stockholms län 15,7\u00a0%, 11,3 procentenheter högre. Status: ? Kan inte bedömas "
        "(kv 3 2013 ligger före strategiperioden, som börjar 2014)."
    )
    assert foreign.lead.startswith("Målet står i Södertälje kommun")
    assert len(pack.charts) == 1  # Tabell 1's chart; no target has a figure from 2014 on


def test_pack_zip_holds_every_part(pack, pack_files):
    charts = [chart.key for chart in pack.charts]
    expected = {f"{STEM}.xlsx", f"{STEM}.docx", "LASMIG.txt"}
    expected |= {f"diagram/{key}.{ext}" for key in charts for ext in ("png", "svg")}
    expected |= {
        f"{folder}/{t.key}.csv" for folder in ("csv", "csv_svensk_excel") for t in pack.tables
    }
    assert set(pack_files) == expected


def test_images_decode_and_carry_title_and_source_line(pack, pack_files):
    key = pack.charts[0].key
    assert pack_files[f"diagram/{key}.png"].startswith(PNG_MAGIC)
    root = ET.fromstring(pack_files[f"diagram/{key}.svg"])
    text = " ".join("".join(element.itertext()) for element in root.iter())
    assert "Södertälje: Inskrivna arbetslösa" in text
    assert "Källa: Arbetsförmedlingen" in text and "Data avser kv 3 2013; hämtad" in text


def test_word_draft_holds_tables_charts_and_alt_text(pack, pack_files):
    document = Document(io.BytesIO(pack_files[f"{STEM}.docx"]))
    assert document.core_properties.title == "Arbetsmarknaden i Södertälje"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Strategins mål" in headings and "Källor" in headings
    first = document.tables[0]
    assert [c.text for c in first.rows[0].cells][:3] == [
        "Grupp",
        "Södertälje (%)",
        "Stockholms län (%)",
    ]
    foreign = next(r for r in first.rows if r.cells[0].text == "Utrikes födda")
    assert [c.text for c in foreign.cells][1:4] == ["27,0", "15,7", "+11,3\u00a0p.e."]
    assert len(document.tables) == 1 + 6  # Tabell 1 and an outcome table per judged target
    pictures = document.inline_shapes
    assert len(pictures) == len(pack.charts)
    for picture in pictures:
        description = picture._inline.docPr.get("descr")
        assert description and "Södertälje" in description
    sources = [
        p.text for p in document.paragraphs if p.text.startswith("Källa: Arbetsförmedlingen")
    ]
    assert len(sources) >= len(pack.charts)


def test_word_draft_is_a4_swedish_and_anonymous(pack_files):
    """A municipal template's page: A4 with 2,5 cm margins; no "python-docx" as author."""
    document = Document(io.BytesIO(pack_files[f"{STEM}.docx"]))
    (section,) = document.sections
    assert (section.page_width.cm, section.page_height.cm) == pytest.approx((21.0, 29.7), abs=0.01)
    margins = [section.left_margin, section.right_margin, section.top_margin, section.bottom_margin]
    assert [m.cm for m in margins] == pytest.approx([2.5] * 4, abs=0.01)
    assert formats.DOCX_IMAGE_WIDTH.cm == pytest.approx(21.0 - 2 * 2.5)
    properties = document.core_properties
    assert (properties.author, properties.last_modified_by, properties.comments) == ("", "", "")
    assert properties.language == "sv-SE"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    languages = defaults.findall(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert [lang.get(qn("w:val")) for lang in languages] == ["sv-SE"]
    theme = document.settings.element.find(qn("w:themeFontLang"))
    assert theme.get(qn("w:val")) == "sv-SE"


def test_a_single_chart_renders_as_png_and_svg(pack):
    require_chromium()
    figure = pack.measures[0].chart.figure  # Tabell 1's groups
    assert formats.render_image(figure, "png").startswith(PNG_MAGIC)
    svg = formats.render_image(figure, "svg")
    text = "".join(ET.fromstring(svg).itertext())
    assert "Utrikes" in text and "27,0" in text


def test_a_missing_browser_is_an_error_not_a_hang(monkeypatch):
    """kaleido's own sync server would wait forever here; ours names what to install."""
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert formats.find_browser() is None
    with pytest.raises(formats.ImageExportError, match="apt-get install chromium"):
        formats.ChartRenderer().render({"data": [], "layout": {}}, {"format": "png"})


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "labourmarket", *args],
        capture_output=True,
        text=True,
        env={**os.environ, paths.DATA_DIR_ENV: str(data_dir)},
        cwd=paths.REPO_DIR,
        timeout=120,
    )


def test_cli_writes_the_pack(loaded, tmp_path):
    """Botkyrka has no targets: one chart keeps this fresh process (and browser) quick."""
    require_chromium()
    out = tmp_path / "ut"
    result = run_cli(
        loaded.root, "export", "--regions", "0127", "--period", "2013K3", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    stem = "mal_och_budget_0127_2013K3"
    written = out / f"{stem}.zip"
    assert f"wrote {written}" in result.stdout
    names = zipfile.ZipFile(written).namelist()
    assert {f"{stem}/{stem}.xlsx", f"{stem}/{stem}.docx"} <= set(names)
    assert any(name.endswith(".png") for name in names)


def test_cli_refuses_an_unknown_region_without_a_traceback(loaded, tmp_path):
    result = run_cli(loaded.root, "export", "--regions", "9999", "--out", str(tmp_path))
    assert result.returncode == 1
    assert "error: unknown region or group '9999'" in result.stderr
    assert "Traceback" not in result.stderr and not list(tmp_path.iterdir())


SODERTORN_WITH_2013K3 = ["0127", "0136", "0126", "0181"]  # Tabell 1's kommuner
SODERTORN_WITHOUT = {"0140": "Nykvarn", "0192": "Nynäshamn", "0128": "Salem", "0138": "Tyresö"}


def test_cli_exports_the_kommuner_with_figures_and_names_those_skipped(
    loaded, tmp_path, capsys, monkeypatch
):
    """README's example: Södertörn in kv 3 2013, when only Tabell 1's four kommuner have it."""
    require_chromium()
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(loaded.root))
    out = tmp_path / "ut"
    assert main(["export", "--regions", "sodertorn", "--period", "2013K3", "--out", str(out)]) == 0
    written = sorted(path.name for path in out.iterdir())
    assert written == sorted(f"mal_och_budget_{code}_2013K3.zip" for code in SODERTORN_WITH_2013K3)
    captured = capsys.readouterr()
    assert captured.out.count("wrote ") == 4
    skipped = [line for line in captured.err.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == len(SODERTORN_WITHOUT)
    for code, name in SODERTORN_WITHOUT.items():
        (line,) = [s for s in skipped if s.startswith(f"skipped {code} ({name}): ")]
        # Every year of SCB's integration statistics, none left out.
        assert "no figures in 2013K3" in line
        assert ", ".join(str(year) for year in range(2023, 2015, -1)) in line
    assert "4 of 8 kommuner written, 4 skipped" in captured.err


def test_cli_lists_every_period_with_figures(loaded, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(loaded.root))
    assert main(["export", "--regions", "0181", "--period", "2013K4", "--out", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    periods = list_pack_periods(loaded.observations, "0181")
    assert len(periods) == 9 and periods[-1] == "2013K3"
    assert f"periods with figures, latest first: {', '.join(periods)}" in error
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--regions", "0181", "--period", "2013K4"], "error: no figures for 0181 (Södertälje)"),
        (["--regions", "0181", "--period", "kv3"], "error: unknown period code 'kv3'"),
        (["--regions", "01"], "error: 01 (Stockholms län) is not a kommun"),
        (["--regions", ","], "error: --regions names no region"),
    ],
)
def test_cli_names_what_is_wrong(loaded, tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(loaded.root))
    assert main(["export", *args, "--out", str(tmp_path)]) == 1
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_cli_without_built_data_says_what_to_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path))
    assert main(["export", "--regions", "0181", "--out", str(tmp_path / "ut")]) == 1
    assert "python -m etl build" in capsys.readouterr().err


def test_cli_help_teaches_the_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "--regions" in text and "python -m labourmarket export --regions 0181" in text
