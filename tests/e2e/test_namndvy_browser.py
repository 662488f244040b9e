"""The Nämndvy on a projector-sized screen: a rebuild shows up live, on the same slide."""

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
    expect(page.locator(".st-key-nv_status")).to_have_text("Mål: ✓ Uppfyllt")
    expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()
    page.evaluate("window.notReloaded = true")

    edit_seed(root, "Haninge\t7,7\t", "Haninge\t8,9\t", "2027-01-15T00:00:00Z")
    started = time.monotonic()
    run_build(root)
    built = time.monotonic()
    expect(headline).to_have_text(f"8,9{NBSP}%")
    shown = time.monotonic()
    footer = page.locator(".st-key-nv_footer")
    expect(footer).to_contain_text("hämtad 2027-01-15")
    expect(page.locator(".st-key-nv_gaps")).to_contain_text(f"+0,4{NBSP}p.e.")
    expect(page.locator(".st-key-nv_status")).to_have_text("Mål: ≈ Nära")
    expect(page.locator(".st-key-nv_kicker")).to_contain_text("bild 2 av 6")
    assert page.evaluate("window.notReloaded") is True
    assert "slide=2" in page.url
    expect(page.locator("[data-testid='stPlotlyChart'] .main-svg").first).to_be_visible()
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
