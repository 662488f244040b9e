"""Every page on a missing, damaged or mismatched build: a Swedish explanation, never a crash."""

import json
import random
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from playwright.sync_api import Page
from streamlit.testing.v1 import AppTest

from bench.server import serve_app
from labourmarket.core import store
from labourmarket.core.catalog import load_catalog
from labourmarket.pages import PAGES as APP_PAGES
from tests.app.conftest import PAGE_FILES, open_page

PAGES = [page.file for page in APP_PAGES]
LANDING_PAGE = next(page.file for page in APP_PAGES if page.default)
LIVE_PAGE = PAGE_FILES["namndvy"]
SOURCES_PAGE = PAGE_FILES["kallor"]
GAP_PAGE = next(page for page in APP_PAGES if page.name == "gapanalys")
DAMAGED = "en fil i data/clean är skadad eller ofullständig"
INCOMPLETE = "bygget är ofullständigt"
MISMATCH = "datafilen stämmer inte med sitt manifest"


@pytest.fixture(autouse=True)
def clear_streamlit_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def remove_parquet() -> None:
    store.observations_path().unlink()


def empty_parquet() -> None:
    store.observations_path().write_bytes(b"")


def randomise_parquet() -> None:
    size = store.observations_path().stat().st_size
    store.observations_path().write_bytes(random.Random(9).randbytes(size))


def truncate_parquet() -> None:
    path = store.observations_path()
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])


def remove_manifest() -> None:
    store.manifest_path().unlink()


def corrupt_manifest() -> None:
    store.manifest_path().write_text('{"built_at": "2026-', encoding="utf-8")


def edit_manifest(**observations: object) -> Callable[[], None]:
    def edit() -> None:
        manifest = json.loads(store.manifest_path().read_text(encoding="utf-8"))
        manifest["observations"].update(observations)
        store.manifest_path().write_text(json.dumps(manifest), encoding="utf-8")

    return edit


FAULTS = {
    "parquet missing": (remove_parquet, INCOMPLETE),
    "parquet empty": (empty_parquet, DAMAGED),
    "parquet random bytes": (randomise_parquet, DAMAGED),
    "parquet truncated": (truncate_parquet, DAMAGED),
    "manifest missing": (remove_manifest, INCOMPLETE),
    "manifest corrupt": (corrupt_manifest, DAMAGED),
    "manifest sha256 differs": (edit_manifest(sha256="0" * 64), MISMATCH),
    "manifest rows differ": (edit_manifest(rows=611), MISMATCH),
    "manifest not a build": (lambda: store.manifest_path().write_text("[]"), DAMAGED),
}
# Every fault on the landing page, the live Nämndvy and Källor (which must still define);
# every page on the two faults most likely in practice: a half-copied file and a swapped one.
CASES = sorted(
    {(page, fault) for page in (LANDING_PAGE, LIVE_PAGE, SOURCES_PAGE) for fault in FAULTS}
    | {(page, fault) for page in PAGES for fault in ("parquet truncated", "manifest rows differ")}
)


def assert_explained(at: AppTest, headline: str) -> None:
    """A Swedish headline naming the fault, then what to run; no exception element."""
    assert not at.exception
    errors = [error.value for error in at.error]
    assert errors, "no error message on the page"
    assert errors[0].startswith("Datan kunde inte läsas"), errors[0]
    assert headline in errors[0]
    assert any("make data" in i.value and "python -m etl build" in i.value for i in at.info)
    assert not at.get("plotly_chart")


# (pytest-playwright's browser fixture is named "page": a page script is a page_file here)
@pytest.mark.parametrize(("page_file", "fault"), CASES, ids=[f"{p[10:-3]}-{f}" for p, f in CASES])
def test_a_broken_build_is_explained_on_every_page(built_tree, page_file, fault):
    break_build, headline = FAULTS[fault]
    break_build()
    at = open_page(page_file)
    assert_explained(at, headline)
    if page_file == SOURCES_PAGE:
        assert_definitions_shown(at, built_tree)


def assert_definitions_shown(at: AppTest, root: Path) -> None:
    """Källor still defines every measure of the reference data, with a notice why counts lack."""
    names = [str(name) for name in load_catalog(root / "reference").measures["name_sv"]]
    assert sorted(s.value for s in at.subheader) == sorted(names)
    assert "Arbetslöshet enligt BAS, 20-64 år (%)" in names
    assert any("Definitionerna nedan" in i.value for i in at.info)
    assert any("jämförs aldrig i samma serie" in w.value for w in at.warning)


def test_kallor_without_any_build_still_defines_the_measures(data_tree):
    at = open_page(SOURCES_PAGE)
    assert not at.exception
    assert "Det finns ingen byggd data ännu" in at.info[0].value
    assert_definitions_shown(at, data_tree)


def test_the_manifest_is_hashed_once_per_data_version(built_tree, monkeypatch):
    """Reruns reuse the check; a new Parquet file (new version) is checked again."""
    calls = []
    check = store.check_manifest_matches
    monkeypatch.setattr(store, "check_manifest_matches", lambda m: calls.append(1) or check(m))
    at = open_page(GAP_PAGE.file)
    at.run()
    at.run()
    assert not at.exception
    assert len(calls) == 1
    truncate_parquet()
    at.run()
    assert len(calls) == 2
    assert_explained(at, DAMAGED)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (remove_parquet, "does not exist"),
        (truncate_parquet, "unreadable"),
        (edit_manifest(rows=1), "has 610 rows, manifest.json says 1"),
        (edit_manifest(sha256="ab" * 32), "manifest.json says abababababab"),
        (lambda: store.manifest_path().write_text('{"built_at": 1}'), "not a build manifest"),
    ],
)
def test_check_manifest_matches_names_the_fault(built_tree, fault, message):
    fault()
    manifest = json.loads(store.manifest_path().read_text(encoding="utf-8"))
    with pytest.raises(store.StoreError, match=message):
        store.check_manifest_matches(manifest)


def test_check_manifest_matches_accepts_a_fresh_build(built_tree):
    manifest = json.loads(store.manifest_path().read_text(encoding="utf-8"))
    store.check_manifest_matches(manifest)
    assert manifest["observations"]["rows"] == 610


def list_tree(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*")
    }


def make_read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def make_writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


@pytest.mark.parametrize("page_file", PAGES, ids=[p[10:-3] for p in PAGES])
def test_every_page_runs_on_a_read_only_data_tree(built_tree, page_file):
    """The app only reads data/: it runs with the tree read-only and changes nothing in it.

    Root ignores file modes, so the unchanged listing is what proves it there.
    """
    before = list_tree(built_tree)
    make_read_only(built_tree)
    try:
        at = open_page(page_file)
        assert not at.exception
        assert not at.error
        assert at.title
    finally:
        make_writable(built_tree)
    assert list_tree(built_tree) == before


def read_page_in_chromium(page: Page, url: str, texts: list[str]) -> dict[str, object]:
    """Open `url` in the session's chromium, wait for `texts`, and read what shows."""
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.goto(url)
    for text in texts:
        page.get_by_text(text).first.wait_for()
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    return {
        "alerts": page.locator("[data-testid='stAlert']").all_inner_texts(),
        "body": page.locator("body").inner_text(),
        "exceptions": page.locator("[data-testid='stException']").count(),
    }


@pytest.mark.e2e
def test_a_corrupt_parquet_is_explained_in_a_real_browser(built_tree, tmp_path, page: Page):
    randomise_parquet()
    with (tmp_path / "streamlit.log").open("w") as log, serve_app(built_tree, log) as (url, _):
        # "make data" is a code block, drawn by a lazily loaded component: wait for it too.
        shown = read_page_in_chromium(
            page, f"{url}/{GAP_PAGE.url_path}", [DAMAGED, "make data", "etl build"]
        )
    alerts = " ".join(shown["alerts"])
    assert DAMAGED in alerts and "make data" in alerts and "python -m etl build" in alerts
    assert shown["exceptions"] == 0
    assert "Traceback" not in shown["body"]
    assert "Traceback" not in (tmp_path / "streamlit.log").read_text()
