"""The Nämndvy on a projector-sized screen: live rebuilds, a slide that fits the screen at every
projector size, presenter keys, the status box, the printed handout and the projector link."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bench.server import serve_app
from labourmarket.core import paths
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_gap_browser import wait_for_app

pytestmark = pytest.mark.e2e
NBSP = "\u00a0"
LIVE_SECONDS = "1"  # the app's default is 30 s; a test cannot wait that long
SEED = Path("raw") / "seed" / "sodertalje_2014_tabell1.txt"
AGENDA = "haninge_ks_2026-12"
# An agenda whose first slide holds a chart (the bundled agenda's first slides may not), and a
# slide without a figure.
CHART_FIRST = "diagram_forst"
CHART_FIRST_TOML = """title = "Diagram först"
date = 2026-12-08
region = "0136"

[[slides]]
measure = "scb_integration_arbetsloshet_20_64"
title = "Arbetslösheten 20-64 år sedan 2016"

[[slides]]
measures = ["af_inskrivna_andel_bas", "af_inskrivna_andel_reg", "af_inskrivna_andel_rams"]
group = "birth_region:foreign_born"
title = "Arbetslösheten bland utrikes födda"

[[slides]]
measure = "kolada_arbetslosa_befolkning"
title = "Arbetslösheten enligt Kolada"
"""
SIZES = [(1024, 768), (1280, 720), (1920, 1080), (3840, 2160)]
SHOTS = ARTIFACTS / "namndvy"


def run_build(root: Path) -> None:
    env = {**os.environ, paths.DATA_DIR_ENV: str(root)}
    subprocess.run([sys.executable, "-m", "etl", "build"], env=env, check=True, cwd=paths.REPO_DIR)


def edit_seed(root: Path, old: str, new: str, retrieved_at: str) -> None:
    """Change a figure in the raw file as a new delivery would, with a matching sidecar."""
    raw = root / SEED
    raw.write_bytes(raw.read_bytes().replace(old.encode(), new.encode(), 1))
    sidecar = raw.with_suffix(".provenance.json")
    provenance = json.loads(sidecar.read_text(encoding="utf-8"))
    provenance["sha256"] = hashlib.sha256(raw.read_bytes()).hexdigest()
    provenance["retrieved_at"] = retrieved_at
    sidecar.write_text(json.dumps(provenance, ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A server of its own on a private data tree (the test rebuilds it) with a short interval."""
    root = tmp_path_factory.mktemp("namndvy") / "data"
    for part in ("raw", "reference"):
        shutil.copytree(paths.REPO_DIR / "data" / part, root / part)
    run_build(root)
    with (
        (root.parent / "streamlit.log").open("w") as log,
        serve_app(root, log, ARBETSMARKNAD_LIVE_SECONDS=LIVE_SECONDS) as (url, _),
    ):
        yield url, root


def test_a_rebuild_shows_live_on_the_same_slide(page: Page, live_app: tuple[str, Path]):
    url, root = live_app
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{url}/namndvy?agenda=haninge_ks_2026-12&slide=2&embed=true")
    wait_for_app(page)
    headline = page.locator(".st-key-nv_headline [data-testid='stMetricValue']")
    expect(headline).to_have_text(f"7,7{NBSP}%")
    expect(page.locator(".st-key-nv_kicker")).to_contain_text("bild 2 av 6")
    # kv 3 2013 is before Haninge's 2020 strategy: shown, not judged.
    expect(page.locator(".st-key-nv_status")).to_have_text("Mål: ? Kan inte bedömas")
    expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()
    page.evaluate("window.notReloaded = true")

    edit_seed(root, "Haninge\t7,7\t", "Haninge\t8,9\t", "2027-01-15T00:00:00Z")
    started = time.monotonic()
    run_build(root)
    built = time.monotonic()
    expect(headline).to_have_text(f"8,9{NBSP}%")
    shown = time.monotonic()
    footer = page.locator(".st-key-nv_footer")
    # The date's hyphens may be non-breaking (U+2011): a slide never breaks a date.
    expect(footer).to_contain_text(re.compile("hämtad 2027.01.15"))
    expect(page.locator(".st-key-nv_gaps")).to_contain_text(f"+0,4{NBSP}p.e.")
    expect(page.locator(".st-key-nv_status")).to_have_text("Mål: ? Kan inte bedömas")
    expect(page.locator(".st-key-nv_kicker")).to_contain_text("bild 2 av 6")
    assert page.evaluate("window.notReloaded") is True
    assert "slide=2" in page.url
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "namndvy.png")
    print(
        f"build took {built - started:.1f} s; new figure on screen {shown - started:.1f} s after "
        f"it started, {shown - built:.1f} s after it finished"
    )

    page.locator(".st-key-nv_next button").click()
    expect(page.locator(".st-key-nv_kicker")).to_contain_text("bild 3 av 6")
    expect(page).to_have_url(re.compile(r"slide=3"))
    assert "embed=true" in page.url


@pytest.fixture(scope="module")
def slides_url(tmp_path_factory: pytest.TempPathFactory, pristine_build: Path) -> Iterator[str]:
    """A server of its own on a copy of the bundled build, with the chart-first agenda added."""
    root = tmp_path_factory.mktemp("slides") / "data"
    shutil.copytree(pristine_build, root, symlinks=True)
    agenda = root / "reference" / "agendas" / f"{CHART_FIRST}.toml"
    agenda.write_text(CHART_FIRST_TOML, encoding="utf-8")
    with (
        (root.parent / "streamlit.log").open("w") as log,
        serve_app(root, log) as (url, _),
    ):
        yield url


def open_slide(page: Page, url: str, query: str) -> None:
    """Open a slide and wait for the page's CSS: Streamlit shows the slide a moment before the
    st.html that styles it (and, with ?embed=true, hides the sidebar)."""
    page.goto(f"{url}/namndvy?{query}")
    wait_for_app(page)
    expect(page.locator(".st-key-nv_footer")).to_be_visible()
    main = page.locator("[data-testid='stMainBlockContainer']")
    expect(main).to_have_css("container-type", "inline-size")
    if "embed=true" in query:
        expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()


STATUS_HOLDS_TEXT = """() => {
  const box = document.querySelector(".st-key-nv_status");
  const text = box && box.querySelector("p");
  if (!text) return false;
  const outer = box.getBoundingClientRect(), inner = text.getBoundingClientRect();
  return inner.bottom < outer.bottom - 4 && inner.top > outer.top + 4;
}"""


def read_box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not on screen"
    return {**box, "bottom": box["y"] + box["height"]}


# Everything a slide shows: its text blocks, the chart's space and drawing, the footer and the
# buttons (not the box plotly is sized from: the chart's space clips it, see SLIDE_CSS).
SLIDE_PARTS = (
    ".st-key-nv_slide [data-testid='stElementContainer']:not(.st-key-nv_plot *), "
    ".st-key-nv_chart, .st-key-nv_chart .main-svg, .st-key-nv_previous button, "
    ".st-key-nv_next button"
)
READ_BOTTOMS = """(selector) => [...document.querySelectorAll(selector)]
  .map((e) => e.getBoundingClientRect()).filter((r) => r.height > 0).map((r) => r.bottom)"""
READ_SCROLL = """() => {
  const main = document.querySelector("[data-testid='stMain']");
  return [document.scrollingElement.scrollHeight, main.scrollHeight, main.clientHeight];
}"""


@pytest.mark.parametrize("embed", [False, True], ids=["normal", "embed"])
@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_a_slide_fits_the_projector_at_every_size(
    page: Page, slides_url: str, width: int, height: int, embed: bool
):
    """A target slide (status box) and a chart slide: nothing below the fold, nothing scrolls,
    the kicker clear of Streamlit's header, and type that grows with the screen."""
    page.set_viewport_size({"width": width, "height": height})
    embedded = "&embed=true" if embed else ""
    for slide in ("1", "6"):
        open_slide(page, slides_url, f"agenda={AGENDA}&slide={slide}{embedded}")
        expect(page.locator(".st-key-nv_kicker")).to_contain_text(f"bild {slide} av 6")
        if slide == "6":
            chart = page.locator(".st-key-nv_slide [data-testid='stPlotlyChart'] .main-svg")
            expect(chart.first).to_be_visible()
            # Taller than a third of the screen: the fit is not bought by a tiny chart.
            assert read_box(page, ".st-key-nv_chart")["height"] >= height / 3
            tick = read_box(page, ".st-key-nv_chart .xtick text")
            assert tick["height"] >= height * 0.015
        bottoms = page.evaluate(READ_BOTTOMS, SLIDE_PARTS)
        assert len(bottoms) >= 8
        assert max(bottoms) <= height, (slide, max(bottoms))
        document, main, main_height = page.evaluate(READ_SCROLL)
        assert document <= height + 1
        assert main <= main_height + 1, (slide, main, main_height)
        title = page.locator(".st-key-nv_slide h1")
        size = float(title.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
        assert size >= height * 0.035
        if not embed:
            kicker = read_box(page, ".st-key-nv_kicker p")
            assert kicker["y"] >= read_box(page, "[data-testid='stHeader']")["bottom"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        view = "embed" if embed else "normal"
        page.screenshot(path=SHOTS / f"namndvy_{width}x{height}_{view}_bild{slide}.png")


def test_presenter_keys_step_through_the_slides(page: Page, slides_url: str):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_slide(page, slides_url, f"agenda={AGENDA}&slide=2&embed=true")
    kicker = page.locator(".st-key-nv_kicker")
    for key, slide in [("ArrowRight", 3), ("PageDown", 4), ("ArrowLeft", 3), ("PageUp", 2)]:
        # The keys are the buttons' shortcuts: bound once the buttons are enabled.
        expect(page.locator(".st-key-nv_next button")).to_be_enabled()
        page.keyboard.press(key)
        expect(kicker).to_contain_text(f"bild {slide} av 6")
        expect(page).to_have_url(re.compile(rf"[?&]slide={slide}(&|$)"))
        wait_for_app(page)
    assert "embed=true" in page.url


def test_the_status_box_holds_its_text_and_a_missing_figure_is_words(page: Page, slides_url: str):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_slide(page, slides_url, f"agenda={AGENDA}&slide=1")
    # On a busy machine the box can be measured before its text is laid out in the slide's
    # font: wait (a hang guard, not a time limit) until it holds the text, as a viewer sees it.
    page.wait_for_function(STATUS_HOLDS_TEXT, timeout=30_000)
    status = read_box(page, ".st-key-nv_status")
    text = read_box(page, ".st-key-nv_status p")
    assert text["bottom"] < status["bottom"] - 4
    assert text["y"] > status["y"] + 4

    open_slide(page, slides_url, f"agenda={CHART_FIRST}&slide=3")
    value = page.locator(".st-key-nv_headline [data-testid='stMetricValue']")
    expect(value).to_have_text("Uppgift saknas")
    expect(page.locator(".st-key-nv_missing")).to_have_text("Måttet har inga värden i datan.")
    # Words at the size of a heading, not a 144 px figure cut off at the column's edge.
    column = read_box(page, ".st-key-nv_headline")
    assert (
        read_box(page, ".st-key-nv_headline [data-testid='stMetricValue'] div")["width"]
        <= (column["width"])
    )
    size = float(value.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
    assert size <= 1080 * 0.07


# An A4 page inside the handout's 12 mm margins, in CSS pixels (96 to the inch).
A4_PRINTED = {"width": round(186 / 25.4 * 96), "height": round(273 / 25.4 * 96)}


def count_pdf_pages(pdf: bytes) -> int:
    """Chromium writes each page object uncompressed: /Type /Page (the tree's are /Pages)."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def test_the_printed_handout_opens_with_the_title_and_slide_1(page: Page, slides_url: str):
    """Printed to A4, page 1 holds the title and slide 1 (a chart slide), and each slide after it
    starts a page of its own: three slides, three pages, none with the title alone."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{slides_url}/namndvy?agenda={CHART_FIRST}&view=handout")
    wait_for_app(page)
    charts = page.locator("[class*='st-key-nv_page_'] [data-testid='stPlotlyChart'] .main-svg")
    expect(charts.first).to_be_visible()
    assert count_pdf_pages(page.pdf(format="A4")) == 3
    page.emulate_media(media="print")
    page.set_viewport_size(A4_PRINTED)
    title = read_box(page, "h1")
    assert read_box(page, ".st-key-nv_page_1")["bottom"] - title["y"] <= A4_PRINTED["height"]


def test_the_projector_link_opens_the_same_slide_in_a_new_tab(page: Page, slides_url: str):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_slide(page, slides_url, f"agenda={AGENDA}&slide=2")
    page.locator(".st-key-nv_next button").click()
    expect(page.locator(".st-key-nv_kicker")).to_contain_text("bild 3 av 6")
    link = page.get_by_role("link", name=re.compile("Öppna för projektor"))
    expect(link).to_have_attribute(
        "href", f"?agenda={AGENDA}&slide=3&embed=true&embed_options=light_theme"
    )
    expect(link).to_have_attribute("target", "_blank")
    with page.context.expect_page() as opened:
        link.click()
    projector = opened.value
    wait_for_app(projector)
    expect(projector.locator(".st-key-nv_kicker")).to_contain_text("bild 3 av 6")
    expect(projector.locator("[data-testid='stSidebar']")).to_be_hidden()
    expect(projector.locator(".st-key-nv_projector")).to_have_count(0)
