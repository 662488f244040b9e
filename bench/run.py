"""`make bench`: the app at national scale, measured side by side with its floors, as one table.

Generates the synthetic full-Sweden tree (bench/generate_national.py) in a temporary directory,
then measures, each REPEATS times with the median reported (the machine is noisy; the ratios
are what counts):
- the ETL build vs DuckDB converting the same raw answers (time and peak memory, own process);
- each page's server render in AppTest, cold (empty caches) and warm, vs bench/bare_page.py;
- each page in Chromium (navigation to a rendered page) vs the bare page;
- a widget change's rerun on each page (AppTest);
- the Mål och budget pack's build;
- the server's resident memory with SESSIONS browser sessions open.
Only 127.0.0.1 is used. Run: `python -m bench.run [--repeats 3] [--sessions 20] [--keep DIR]`.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.generate_national import MEASURE_ID, generate_national
from bench.server import CHROMIUM, CHROMIUM_ARGS, read_rss_mb, serve_app
from labourmarket import paths

PAGES = {
    "Översikt": ("app_pages/oversikt.py", ""),
    "Gapanalys": ("app_pages/gapanalys.py", "gapanalys"),
    "Utveckling": ("app_pages/utveckling.py", "utveckling"),
    "Jämför": ("app_pages/jamfor.py", "jamfor"),
    "Mål": ("app_pages/mal.py", "mal"),
    "Nämndvy": ("app_pages/namndvy.py", "namndvy"),
    "Export": ("app_pages/export.py", "export"),
    "Källor och data": ("app_pages/kallor.py", "kallor"),
}
# The analysis pages open on the national measure, so they work on the full table.
NATIONAL_QUERY = {"Gapanalys", "Utveckling", "Jämför"}
BARE_PAGE = "bench/bare_page.py"
TARGETS = {
    "etl_ratio": 2.0,
    "etl_peak_mb": 1024,
    "page_ratio": 1.5,
    "page_seconds": 1.0,
    "rerun_seconds": 0.3,
    "pack_seconds": 5.0,
    "sessions_mb": 1536,
}


@dataclass
class Row:
    what: str
    value: float
    unit: str
    floor: float | None = None
    target: str = ""
    met: bool | None = None

    def render(self) -> str:
        ratio = f"{self.value / self.floor:6.2f}x" if self.floor else " " * 7
        floor = f"{self.floor:9.3f}" if self.floor is not None else " " * 9
        verdict = {True: "met", False: "NOT met", None: ""}[self.met]
        return (
            f"{self.what:<44} {self.value:9.3f} {self.unit:<3} {floor} {ratio}  "
            f"{self.target:<18} {verdict}"
        )


def median_of(
    repeats: int, measure: Callable[..., float], *args: object, **kwargs: object
) -> float:
    return statistics.median(measure(*args, **kwargs) for _ in range(repeats))


def run_child(kind: str, root: Path) -> dict[str, float]:
    """Run one conversion in its own process so its peak memory is its own."""
    env = {**os.environ, paths.DATA_DIR_ENV: str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--child", kind, str(root)],
        env=env,
        cwd=paths.REPO_DIR,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


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


def measure_pages(repeats: int) -> list[Row]:
    bare_cold = median_of(repeats, time_app_test, BARE_PAGE, None, {}, cold=True)
    bare_warm = median_of(repeats, time_app_test, BARE_PAGE, None, {}, cold=False)
    rows = []
    for name, (page, _) in PAGES.items():
        query = {"measure": MEASURE_ID} if name in NATIONAL_QUERY else {}
        cold = median_of(repeats, time_app_test, "app.py", page, query, cold=True)
        warm = median_of(repeats, time_app_test, "app.py", page, query, cold=False)
        rows.append(
            Row(
                f"{name}: server render, cold (AppTest)",
                cold,
                "s",
                bare_cold,
                "<= 1.5x and < 1 s",
                cold <= TARGETS["page_ratio"] * bare_cold and cold < TARGETS["page_seconds"],
            )
        )
        rows.append(
            Row(
                f"{name}: server render, warm (AppTest)",
                warm,
                "s",
                bare_warm,
                "< 1 s",
                warm < TARGETS["page_seconds"],
            )
        )
        reruns = [time_rerun(page, query) for _ in range(repeats)]
        if None not in reruns:
            rerun = statistics.median(reruns)
            rows.append(
                Row(
                    f"{name}: widget rerun (AppTest)",
                    rerun,
                    "s",
                    None,
                    "< 300 ms",
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
            for name, (_, path) in PAGES.items():
                query = f"?measure={MEASURE_ID}" if name in NATIONAL_QUERY else ""
                address = f"{url}/{path}{query}"
                seconds = median_of(repeats, time_browser_page, browser, address)
                rows.append(
                    Row(
                        f"{name}: browser, to rendered page",
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
        path = list(PAGES.values())[number % len(PAGES)][1]
        page.goto(f"{url}/{path}")
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
    from labourmarket import store
    from labourmarket.catalog import load_catalog
    from labourmarket.pack import assemble_pack, build_pack, list_pack_periods
    from labourmarket.targets import load_targets

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


def print_table(rows: list[Row], cells: int, observations: int, repeats: int) -> None:
    print()
    print(f"National synthetic tree: {cells:,} raw cells -> {observations:,} observations;")
    print(f"median of {repeats} runs each; floor = DuckDB / bare page / idle server.")
    print(f"{'measure':<44} {'value':>9} {'':<3} {'floor':>9} {'ratio':>7}  {'target':<18} met")
    for row in rows:
        print(row.render())
    missed = [row.what for row in rows if row.met is False]
    print(f"\n{len(missed)} target(s) not met" + (": " + "; ".join(missed) if missed else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="use (or create) this tree instead of a temp one")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ROOT"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        convert_in_child(arguments.child[0], Path(arguments.child[1]))
        return
    temp = None
    root = arguments.keep
    if root is None:
        temp = tempfile.mkdtemp(prefix="national-")
        root = Path(temp)
    try:
        cells = (
            generate_national(root)
            if not (root / "raw" / "scb").exists()
            else sum(1 for _ in (root / "raw" / "scb").glob("*.json"))
        )
        os.environ[paths.DATA_DIR_ENV] = str(root)
        rows = measure_etl(root, arguments.repeats)
        observations = json.loads((root / "clean" / "manifest.json").read_text())["observations"]
        rows += measure_pages(arguments.repeats)
        rows.append(measure_pack(arguments.repeats))
        rows += measure_browser(root, arguments.repeats, arguments.sessions)
        print_table(rows, cells, observations["rows"], arguments.repeats)
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
