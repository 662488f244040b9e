"""Server memory over rebuilds: replace the build's Parquet N times while a browser session reloads.

Each "rebuild" swaps in a copy of the same Parquet file (a new file, as `etl build` writes one:
a new data version, the manifest still matching), then reloads the page in Chromium and reads
the server's resident memory. Run: `python -m bench.rss_rebuilds TREE [--rebuilds 24]`.
"""

import argparse
import os
import shutil
from pathlib import Path

from bench.run import launch_browser, wait_for_app
from bench.server import read_rss_mb, serve_app


def swap_in_copy(parquet: Path) -> None:
    """A new file with the same bytes, replacing the old one atomically (a new data version)."""
    fresh = parquet.with_suffix(".parquet.new")
    shutil.copyfile(parquet, fresh)
    os.replace(fresh, parquet)


def measure(tree: Path, rebuilds: int, page: str) -> list[float]:
    from playwright.sync_api import sync_playwright

    parquet = tree / "clean" / "observations.parquet"
    rss = []
    with sync_playwright() as playwright, serve_app(tree) as (url, server):
        browser = launch_browser(playwright)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.goto(f"{url}/{page}")
        wait_for_app(tab)
        rss.append(read_rss_mb(server.pid))
        for _ in range(rebuilds):
            swap_in_copy(parquet)
            tab.reload()
            wait_for_app(tab)
            rss.append(read_rss_mb(server.pid))
        browser.close()
    return rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path, help="a built data tree (its Parquet is replaced)")
    parser.add_argument("--rebuilds", type=int, default=24)
    parser.add_argument("--page", default="", help="the page's path in a link; empty: Översikt")
    arguments = parser.parse_args()
    rss = measure(arguments.tree, arguments.rebuilds, arguments.page)
    steps = " ".join(f"{value:.0f}" for value in rss)
    print(f"RSS MB after each reload (first: before any rebuild): {steps}")
    print(f"start {rss[0]:.0f} MB, max {max(rss):.0f} MB, end {rss[-1]:.0f} MB")


if __name__ == "__main__":
    main()
