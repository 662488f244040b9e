"""`make bench`: the app at national scale, measured side by side with its floors, as one table.

Generates the synthetic full-Sweden tree (bench/generate_national.py) in a temporary directory,
then measures, each REPEATS times with the median reported (the machine is noisy; the ratios
are what counts):
- the ETL build vs DuckDB converting the same raw answers (time and peak memory, own process);
- each page's server render in AppTest, cold (empty caches) and warm, vs the page's own floor:
  bench/page_floor.py drawing the same page's figures and tables already built (recorded from
  the page by bench/floor_recorder.py), which is itself reported against bench/bare_page.py;
- each page in Chromium (navigation to a rendered page) vs the bare page;
- a widget change's rerun on each page (AppTest);
- the Mål och budget pack's build;
- the server's resident memory with SESSIONS browser sessions open;
- `python -m etl import` of a full-size synthetic AF andel workbook (bench/generate_af_workbook.py)
  into a fresh copy of the bundled data tree, and reading its pivot-cache records alone, vs
  pyarrow reading the same records as CSV (time and peak memory, own process).
Only 127.0.0.1 is used. Run: `python -m bench.run [--repeats 3] [--sessions 20] [--keep DIR]
[--only national|pages|af]`; `pages` measures the national tree's pages alone.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import floor_recorder, generate_af_workbook
from bench.generate_national import MEASURE_ID, generate_national
from bench.server import CHROMIUM, CHROMIUM_ARGS, read_rss_mb, serve_app
from labourmarket.core import paths
from labourmarket.pages import PAGES, Page

# The analysis pages (by name) open on the national measure, so they work on the full table.
NATIONAL_QUERY = {"gapanalys", "utveckling", "jamfor"}
BARE_PAGE = "bench/bare_page.py"
PAGE_FLOOR = "bench/page_floor.py"
TARGETS = {
    "etl_ratio": 2.0,
    "etl_peak_mb": 1024,
    "page_ratio": 1.5,  # cold and warm render against the page's own floor
    "page_seconds": 1.0,
    "warm_seconds": 0.25,
    "rerun_seconds": 0.15,
    "pack_seconds": 5.0,
    "sessions_mb": 1536,
    "af_ratio": 3.0,
    "af_peak_mb": 1024,
}
AF_MONTHS = "2008-01:2026-08"  # the span of AF's real andel files
BUNDLED_DATA = ("reference", "raw")  # what `python -m etl import` starts from in a fresh tree


@dataclass
class Row:
    what: str
    value: float
    unit: str
    floor: float | None = None
    target: str = ""
    met: bool | None = None

    def render(self, width: int = 44) -> str:
        ratio = f"{self.value / self.floor:6.2f}x" if self.floor else " " * 7
        floor = f"{self.floor:9.3f}" if self.floor is not None else " " * 9
        verdict = {True: "met", False: "NOT met", None: ""}[self.met]
        return (
            f"{self.what:<{width}} {self.value:9.3f} {self.unit:<3} {floor} {ratio}  "
            f"{self.target:<18} {verdict}"
        )


def median_of(
    repeats: int, measure: Callable[..., float], *args: object, **kwargs: object
) -> float:
    return statistics.median(measure(*args, **kwargs) for _ in range(repeats))


def run_child(kind: str, root: Path, *files: Path) -> dict[str, float]:
    """Run one conversion in its own process so its peak memory is its own; wall_seconds is the
    whole process, start-up included."""
    env = {**os.environ, paths.DATA_DIR_ENV: str(root)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--child", kind, str(root), *map(str, files)],
        env=env,
        cwd=paths.REPO_DIR,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "wall_seconds": wall}


def convert_in_child(kind: str, root: Path) -> None:
    """The child side: build with the ETL or convert with DuckDB, print seconds and peak MB."""
    start = time.perf_counter()
    if kind == "etl":
        from etl.pipeline import build

        build()
    else:
        from bench.duckdb_convert import convert

        convert(root / "raw" / "scb", root / "duckdb.parquet")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak}))


def measure_etl(root: Path, repeats: int) -> list[Row]:
    etl = [run_child("etl", root) for _ in range(repeats)]
    duck = [run_child("duckdb", root) for _ in range(repeats)]
    etl_s = statistics.median(r["seconds"] for r in etl)
    duck_s = statistics.median(r["seconds"] for r in duck)
    etl_mb = statistics.median(r["peak_mb"] for r in etl)
    duck_mb = statistics.median(r["peak_mb"] for r in duck)
    return [
        Row(
            "ETL build vs DuckDB conversion (time)",
            etl_s,
            "s",
            duck_s,
            "<= 2x DuckDB",
            etl_s <= TARGETS["etl_ratio"] * duck_s,
        ),
        Row(
            "ETL build peak memory (DuckDB as floor)",
            etl_mb,
            "MB",
            duck_mb,
            "< 1 GB",
            etl_mb < TARGETS["etl_peak_mb"],
        ),
    ]


def measure_af_in_child(kind: str, file: Path) -> None:
    """The child side of the AF section: import + build, read the pivot cache, or read the CSV;
    print seconds, peak MB and the records read."""
    records = 0
    if kind == "af-import":
        from etl.__main__ import main as run_etl

        start = time.perf_counter()
        if run_etl(["import", str(file)]) != 0:
            sys.exit(1)
    elif kind == "af-read":
        import zipfile

        from etl.pivot_cache import list_pivot_caches, read_records

        start = time.perf_counter()
        with zipfile.ZipFile(file) as archive:
            for cache in list_pivot_caches(archive):
                records += len(read_records(archive, cache))
    else:
        import pyarrow.csv

        # Imported before the clock starts, as the pivot reader's modules are.
        start = time.perf_counter()
        records = pyarrow.csv.read_csv(file).num_rows
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "records": records}))


def generate_af(directory: Path) -> tuple[Path, Path]:
    """The full-size BAS andel workbook and its records as CSV, written once per tree."""
    workbook, csv = directory / "af-andel-bas.xlsx", directory / "af-andel-bas.csv"
    if not (workbook.exists() and csv.exists()):
        directory.mkdir(parents=True, exist_ok=True)
        arguments = [str(workbook), "--bas", "--months", AF_MONTHS, "--csv", str(csv)]
        generate_af_workbook.main(arguments)
    return workbook, csv


def import_af_once(directory: Path, workbook: Path) -> tuple[dict[str, float], dict]:
    """`python -m etl import` into a fresh copy of the bundled data tree: its figures, and the
    manifest of the build it ended with."""
    tree = Path(tempfile.mkdtemp(prefix="af-tree-", dir=directory))
    try:
        for name in BUNDLED_DATA:
            shutil.copytree(paths.REPO_DIR / "data" / name, tree / name)
        figures = run_child("af-import", tree, workbook)
        return figures, json.loads((tree / "clean" / "manifest.json").read_text())
    finally:
        shutil.rmtree(tree, ignore_errors=True)


def measure_af(directory: Path, repeats: int) -> tuple[list[Row], str]:
    """The AF rows, and a line saying what was imported."""
    workbook, csv = generate_af(directory)
    imports = [import_af_once(directory, workbook) for _ in range(repeats)]
    reads = [run_child("af-read", directory, workbook) for _ in range(repeats)]
    floors = [run_child("af-csv", directory, csv) for _ in range(repeats)]
    import_s = statistics.median(figures["wall_seconds"] for figures, _ in imports)
    import_mb = statistics.median(figures["peak_mb"] for figures, _ in imports)
    read_s = statistics.median(r["seconds"] for r in reads)
    read_mb = statistics.median(r["peak_mb"] for r in reads)
    csv_s = statistics.median(r["seconds"] for r in floors)
    csv_mb = statistics.median(r["peak_mb"] for r in floors)
    manifest = imports[-1][1]
    af_rows = sum(s["rows"] for s in manifest["sources"] if s["source"] == "arbetsformedlingen")
    in_process = statistics.median(figures["seconds"] for figures, _ in imports)
    about = (
        f"AF andel workbook (synthetic, BAS, {AF_MONTHS}): {workbook.stat().st_size / 1e6:.1f} MB"
        f" xlsx / {csv.stat().st_size / 1e6:.1f} MB CSV, {reads[0]['records']:,} records"
        f" -> {af_rows:,} AF observation rows ({manifest['observations']['rows']:,} in the"
        f" build); import + build {in_process:.3f} s of it after start-up."
    )
    rows = [
        Row(
            "AF import + build (full-size workbook) vs pyarrow CSV read",
            import_s,
            "s",
            csv_s,
            "<= 3x floor",
            import_s <= TARGETS["af_ratio"] * csv_s,
        ),
        Row(
            "AF import + build peak memory",
            import_mb,
            "MB",
            csv_mb,
            "< 1 GB",
            import_mb < TARGETS["af_peak_mb"],
        ),
        Row("AF pivot-cache read vs pyarrow CSV read", read_s, "s", csv_s, "(reported)", None),
        Row("AF pivot-cache read peak memory", read_mb, "MB", csv_mb, "(reported)", None),
    ]
    return rows, about


def open_app_test(script: str, page: str | None, query: dict[str, str]):  # noqa: ANN201
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(paths.REPO_DIR / script), default_timeout=300)
    for key, value in query.items():
        at.query_params[key] = value
    if page is not None:
        at.switch_page(page)
    return at


def time_app_test(script: str, page: str | None, query: dict[str, str], cold: bool) -> float:
    import streamlit as st

    if cold:
        st.cache_data.clear()
        st.cache_resource.clear()
    return time_run(open_app_test(script, page, query), page or script)


def time_run(at, what: str) -> float:  # noqa: ANN001
    """Seconds for one script run of `at`; an exception on the page fails the benchmark."""
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{what}: {at.exception[0].message}")
    return elapsed


def change_a_widget(at) -> bool:  # noqa: ANN001
    """Pick another option in the page's first selectbox, radio or multiselect; True if done."""
    for kind in ("selectbox", "radio"):
        for widget in at.get(kind):
            options = list(widget.options)
            others = [o for o in options if o != widget.value and o != str(widget.value)]
            if others and not widget.disabled:
                widget.set_value(others[0])
                return True
    for widget in at.get("multiselect"):
        others = [o for o in widget.options if o not in widget.value]
        if others:
            widget.select(others[0])
            return True
    return False


def time_rerun(page: str, query: dict[str, str]) -> float | None:
    at = open_app_test("app.py", page, query)
    at.run()
    if not change_a_widget(at):
        return None
    return time_run(at, f"{page} after a widget change")


def national_query(page: Page) -> dict[str, str]:
    return {"measure": MEASURE_ID} if page.name in NATIONAL_QUERY else {}


def record_page(name: str, page: str, query: dict[str, str]) -> None:
    """Keep what the page draws (its built figures and tables) for its floor to draw again."""

    def run() -> None:
        at = open_app_test("app.py", page, query)
        at.run()
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].message}")

    floor_recorder.record(name, run)


def measure_pages(repeats: int) -> list[Row]:
    bare_cold = median_of(repeats, time_app_test, BARE_PAGE, None, {}, cold=True)
    bare_warm = median_of(repeats, time_app_test, BARE_PAGE, None, {}, cold=False)
    rows = []
    for app_page in PAGES:
        name, page, query = app_page.title, app_page.file, national_query(app_page)
        cold = median_of(repeats, time_app_test, "app.py", page, query, cold=True)
        warm = median_of(repeats, time_app_test, "app.py", page, query, cold=False)
        record_page(app_page.name, page, query)
        floor_query = {"floor_page": app_page.name}
        floor_cold = median_of(repeats, time_app_test, PAGE_FLOOR, None, floor_query, cold=True)
        floor_warm = median_of(repeats, time_app_test, PAGE_FLOOR, None, floor_query, cold=False)
        ratio = TARGETS["page_ratio"]
        rows += [
            Row(f"{name}: page floor, cold", floor_cold, "s", bare_cold, "(bare page floor)"),
            Row(f"{name}: page floor, warm", floor_warm, "s", bare_warm, "(bare page floor)"),
            Row(
                f"{name}: server render, cold (AppTest)",
                cold,
                "s",
                floor_cold,
                "<= 1.5x and < 1 s",
                cold <= ratio * floor_cold and cold < TARGETS["page_seconds"],
            ),
            Row(
                f"{name}: server render, warm (AppTest)",
                warm,
                "s",
                floor_warm,
                "<= 1.5x, < 250 ms",
                warm <= ratio * floor_warm and warm < TARGETS["warm_seconds"],
            ),
        ]
        reruns = [time_rerun(page, query) for _ in range(repeats)]
        if None not in reruns:
            rerun = statistics.median(reruns)
            rows.append(
                Row(
                    f"{name}: widget rerun (AppTest)",
                    rerun,
                    "s",
                    None,
                    "< 150 ms",
                    rerun < TARGETS["rerun_seconds"],
                )
            )
    return rows


def wait_for_app(page) -> None:  # noqa: ANN001
    app = page.locator("[data-testid='stApp']")
    app.wait_for(state="attached", timeout=120_000)
    page.wait_for_function(
        "() => { const a = document.querySelector(\"[data-testid='stApp']\");"
        " return a && a.dataset.testConnectionState === 'CONNECTED'"
        " && a.dataset.testScriptState === 'notRunning'; }",
        timeout=120_000,
    )


def time_browser_page(browser, url: str) -> float:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE")
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    wait_for_app(page)
    elapsed = time.perf_counter() - start
    errors = page.locator("[data-testid='stException']").count()
    context.close()
    if errors:
        raise RuntimeError(f"{url}: the page shows an exception")
    return elapsed


def launch_browser(playwright):  # noqa: ANN001, ANN201
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def measure_browser(root: Path, repeats: int, sessions: int) -> list[Row]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        with serve_app(root, script=BARE_PAGE) as (bare_url, _):
            time_browser_page(browser, bare_url)  # the first visit fills the server's cache
            bare = median_of(repeats, time_browser_page, browser, bare_url)
        with serve_app(root) as (url, server):
            time_browser_page(browser, url)
            for app_page in PAGES:
                query = urllib.parse.urlencode(national_query(app_page))
                address = f"{url}/{app_page.url_path}" + (f"?{query}" if query else "")
                seconds = median_of(repeats, time_browser_page, browser, address)
                rows.append(
                    Row(
                        f"{app_page.title}: browser, to rendered page",
                        seconds,
                        "s",
                        bare,
                        "(reported)",
                        None,
                    )
                )
            rows.append(measure_sessions(browser, url, server.pid, sessions))
        browser.close()
    return rows


def measure_sessions(browser, url: str, pid: int, sessions: int) -> Row:  # noqa: ANN001
    """Open `sessions` browser sessions, each on a page, all at once; then read the server RSS."""
    contexts = []
    idle = read_rss_mb(pid)
    for number in range(sessions):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{url}/{PAGES[number % len(PAGES)].url_path}")
        contexts.append((context, page))
    for _, page in contexts:
        wait_for_app(page)
    rss = read_rss_mb(pid)
    for context, _ in contexts:
        context.close()
    return Row(
        f"server RSS with {sessions} sessions open (idle floor)",
        rss,
        "MB",
        idle,
        "< 1.5 GB",
        rss < TARGETS["sessions_mb"],
    )


def measure_pack(repeats: int) -> Row:
    from labourmarket.core import store
    from labourmarket.core.catalog import load_catalog
    from labourmarket.core.targets import load_targets
    from labourmarket.views.export import assemble_pack, build_pack, list_pack_periods

    catalog = load_catalog()
    observations = store.read_observations()
    targets = load_targets(catalog)
    manifest = store.read_manifest() or {}
    period = list_pack_periods(observations, "0181")[0]

    def build() -> float:
        start = time.perf_counter()
        pack = assemble_pack(observations, catalog, targets, manifest, "0181", period)
        build_pack(pack)
        return time.perf_counter() - start

    seconds = median_of(repeats, build)
    return Row(
        f"export pack 0181 {period} (assemble + build zip)",
        seconds,
        "s",
        None,
        "< 5 s",
        seconds < TARGETS["pack_seconds"],
    )


def print_table(rows: list[Row], about: list[str], repeats: int) -> None:
    width = max(44, *(len(row.what) for row in rows))
    print()
    for line in about:
        print(line)
    print(
        f"median of {repeats} runs each;"
        " floor = DuckDB / page floor (bare page) / idle server / pyarrow CSV read."
    )
    print(
        f"{'measure':<{width}} {'value':>9} {'':<3} {'floor':>9} {'ratio':>7}  {'target':<18} met"
    )
    for row in rows:
        print(row.render(width))
    missed = [row.what for row in rows if row.met is False]
    print(f"\n{len(missed)} target(s) not met" + (": " + "; ".join(missed) if missed else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="use (or create) this tree instead of a temp one")
    parser.add_argument(
        "--only",
        choices=["national", "pages", "af"],
        help="measure one part alone: the national tree (or only its pages), or the AF import",
    )
    # KIND ROOT [FILE]: the AF kinds read FILE.
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        kind, root, *files = arguments.child
        if kind.startswith("af-"):
            measure_af_in_child(kind, Path(files[0]))
        else:
            convert_in_child(kind, Path(root))
        return
    temp = None
    root = arguments.keep
    if root is None:
        temp = tempfile.mkdtemp(prefix="national-")
        root = Path(temp)
    rows: list[Row] = []
    about: list[str] = []
    try:
        if arguments.only != "af":
            cells = (
                generate_national(root)
                if not (root / "raw" / "scb").exists()
                else sum(1 for _ in (root / "raw" / "scb").glob("*.json"))
            )
            os.environ[paths.DATA_DIR_ENV] = str(root)
            if arguments.only != "pages" or not (root / "clean" / "manifest.json").exists():
                rows += measure_etl(root, arguments.repeats)
            manifest = json.loads((root / "clean" / "manifest.json").read_text())
            rows += measure_pages(arguments.repeats)
            if arguments.only != "pages":
                rows.append(measure_pack(arguments.repeats))
                rows += measure_browser(root, arguments.repeats, arguments.sessions)
            observations = manifest["observations"]["rows"]
            about.append(
                f"National synthetic tree: {cells:,} raw cells -> {observations:,} observations."
            )
        if arguments.only not in ("national", "pages"):
            # Beside the national tree, not in its raw/: that tree's build must not read it.
            af_rows, af_about = measure_af(root / "af", arguments.repeats)
            rows += af_rows
            about.append(af_about)
        print_table(rows, about, arguments.repeats)
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
