"""The Export view: which kommuner and periods it offers, and what the page shows of a pack."""

import dataclasses
import io
import zipfile

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from docx import Document
from PIL import Image

from labourmarket.core import store
from labourmarket.core.catalog import load_catalog
from labourmarket.core.defaults import summarise_coverage
from labourmarket.core.store import LoadedData
from labourmarket.core.targets import load_targets
from labourmarket.output import formats
from labourmarket.views import export
from tests.changed_build import build_changed

STEM = "mal_och_budget_0181_2013K3"
TABELL_1 = "tabell01_inskrivna_arbetslosa_kv3_2013"  # Tabell 1, named after its quarter


@pytest.mark.parametrize(
    ("focus", "default"),
    [
        ("0127", "0127"),  # the kommun chosen on another page
        ("0181", "0181"),
        ("0380", "0181"),  # no figures for Uppsala: Tabell 1's first with figures
    ],
)
def test_offer_starts_on_the_focus_kommun_if_it_has_figures(bundled_data, focus, default):
    offer = export.offer(bundled_data, focus)
    assert offer.default_region == default and offer.notice == ""
    assert {"0181", "0127", "0136", "0126"} <= set(offer.regions)
    assert "01" not in offer.regions and "00" not in offer.regions  # kommuner only


def test_offer_without_figures_says_so(bundled_data):
    empty = dataclasses.replace(bundled_data, observations=bundled_data.observations.iloc[:0])
    assert export.offer(empty, "0181") == export.ExportOffer([], "", export.NO_REGIONS)


def test_periods_are_latest_first_and_start_on_the_default_measures_newest(bundled_data):
    coverage = summarise_coverage(bundled_data.observations)
    offer = export.offer_periods(bundled_data, "0181", coverage)
    assert offer.periods[:2] == ["2023", "2022"] and offer.periods[-1] == "2013K3"
    assert offer.default == "2023"


@pytest.fixture(scope="module")
def pack(bundled_data: LoadedData) -> export.Pack:
    catalog = bundled_data.catalog
    return export.assemble_pack(
        bundled_data.observations,
        catalog,
        load_targets(catalog),
        bundled_data.manifest,
        "0181",
        "2013K3",
    )


@pytest.fixture
def no_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    """Charts 'drawn' as tiny images, so the pack is built without a browser."""
    png = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(png, "PNG")

    def render(figure: go.Figure, image_format: str) -> bytes:
        return png.getvalue() if image_format == "png" else b"<svg/>"

    monkeypatch.setattr(formats, "render_image", render)


def test_build_summarises_the_pack(bundled_data, pack, monkeypatch):
    monkeypatch.setattr(formats, "find_browser", lambda: "/usr/bin/chromium")
    content = export.build(bundled_data, export.ExportChoices(pack))
    assert content.summary.splitlines() == [
        "**Södertälje, kv 3 2013**",
        "- Tabell: Södertälje: Inskrivna arbetslösa, andel av registerbaserad arbetskraft (%), "
        "kv 3 2013",
        "- Mål: 11 ur strategin, med status och dokumenthänvisning (med värden från kv 3 2013)",
        "- Diagram: 1 st, som PNG och SVG",  # Tabell 1; no target is judged on kv 3 2013
        "- Källor: definitioner, licens, hämtnings- och byggdatum",
        "- Word-utkast med text, tabeller och diagram (med alternativtext)",
    ]
    assert content.notice == ""
    download = content.download
    assert (download.label, download.file_name, download.mime, download.key) == (
        "Skapa och ladda ner paketet",
        f"{STEM}.zip",
        "application/zip",
        "download_pack",
    )
    assert not download.disabled
    assert '`make export ARGS="--regions 0181 --period 2013K3 --out MAPP"`.' in content.footnote


def test_without_a_browser_the_pack_button_is_disabled_with_the_reason(
    bundled_data, pack, monkeypatch
):
    monkeypatch.setattr(formats, "find_browser", lambda: None)
    content = export.build(bundled_data, export.ExportChoices(pack))
    assert content.download.disabled and content.notice == formats.IMAGES_NEED_BROWSER


@pytest.mark.parametrize(
    ("group", "figures"),
    [
        ("Totalt 16-64 år", "14,5;7,1;7,4;8,5;6,0"),
        ("Utrikes födda", "27,0;15,7;11,3;20,7;6,3"),  # Tabell 1: +11,3 p.e. against the län
        ("Eftergymnasial utbildning", "11,6;5,2;6,4;5,5;6,1"),
    ],
)
def test_the_download_holds_tabell_1(bundled_data, pack, no_chromium, group, figures):
    """The button's zip, written on click: Södertälje, Stockholms län and Riket, kv 3 2013."""
    content = export.build(bundled_data, export.ExportChoices(pack))
    archive = zipfile.ZipFile(io.BytesIO(content.download.write()))
    csv = archive.read(f"{STEM}/csv_svensk_excel/{TABELL_1}.csv").decode("utf-8-sig")
    assert f"{group};{figures}" in csv.splitlines()
    frame = pd.read_csv(io.BytesIO(archive.read(f"{STEM}/csv/{TABELL_1}.csv")), index_col="Grupp")
    assert frame.loc[group, "Södertälje (%)"] == float(figures.split(";")[0].replace(",", "."))


@pytest.fixture
def changed_data(built_tree) -> LoadedData:
    """The bundled build, then one with Haninge 2023 revised 12,1 -> 12,4 (TEST DATA)."""
    build_changed(built_tree)
    return LoadedData(
        store.read_observations(), load_catalog(), store.read_manifest(), store.read_data_version()
    )


def assemble_haninge(data: LoadedData, period: str) -> export.Pack:
    catalog = data.catalog
    return export.assemble_pack(
        data.observations, catalog, load_targets(catalog), data.manifest, "0136", period
    )


def test_the_pack_lists_the_revised_figures_it_uses(changed_data, no_chromium, monkeypatch):
    pack = assemble_haninge(changed_data, "2023")
    # Vallentuna's revision and Upplands Väsby's withdrawal are not in Haninge's pack.
    frame = pack.revised.table.frame
    assert frame.drop(columns="Bygge").values.tolist() == [
        [
            "Arbetslöshet 20-64 år, SCB:s integrationsstatistik (%)",
            "Haninge",
            "2023",
            "Totalt 20-64 år",
            12.1,
            12.4,
            "",
            "",
            "2026-11-24",
            "2026-11-30",
        ]
    ]
    monkeypatch.setattr(formats, "find_browser", lambda: "/usr/bin/chromium")
    content = export.build(changed_data, export.ExportChoices(pack))
    assert "- Reviderade värden: 1 st, tidigare och nytt värde" in content.summary.splitlines()
    archive = zipfile.ZipFile(io.BytesIO(content.download.write()))
    stem = "mal_och_budget_0136_2023"
    workbook = openpyxl.load_workbook(io.BytesIO(archive.read(f"{stem}/{stem}.xlsx")))
    assert workbook.sheetnames[:4] == [
        "Tabell 1 2023",
        "Tabell 2 2016–2023",
        "Varför",
        "Mål kv3 2013",
    ]
    assert workbook.sheetnames[-2:] == ["Reviderat", "Källor"]
    sheet = workbook["Reviderat"]
    assert [c.value for c in sheet[3]][4:6] == [12.1, 12.4]
    assert f"{stem}/csv/reviderade_varden.csv" in archive.namelist()
    draft = Document(io.BytesIO(archive.read(f"{stem}/{stem}.docx")))
    assert "Reviderade värden" in [p.text for p in draft.paragraphs]
    readme = archive.read(f"{stem}/LASMIG.txt").decode("utf-8")
    assert "    Reviderat\n    Källor\n" in readme


@pytest.mark.parametrize(("period", "has_revisions"), [("2023", True), ("2022", False)])
def test_a_pack_lists_revisions_only_of_figures_it_draws_on(changed_data, period, has_revisions):
    pack = assemble_haninge(changed_data, period)
    assert (pack.revised is not None) == has_revisions
    assert (pack.revised in pack.tables) == has_revisions


def test_the_bundled_pack_has_no_revisions_sheet(pack):
    assert pack.revised is None and pack.revision_note == ""
    sheets = [t.sheet for t in pack.tables]
    assert "Reviderat" not in sheets and sheets[-1] == "Källor"
