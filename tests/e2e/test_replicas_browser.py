"""Two replicas behind deploy/nginx.conf in Chromium: every page, each replica, and a rebuild.

Each browser context brings a replica cookie that nginx was seen to send to one replica (found
by asking nginx, not by computing its hash), so the two sessions land on different replicas.
"""

import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bench.load import RENDER_LOG_ENV, ServerRun, read_render_log, walk_pages
from bench.server import serve_app
from labourmarket.core import paths, store
from labourmarket.output.change_tables import format_time
from labourmarket.output.formatting import format_number
from labourmarket.pages import PAGES
from tests.changed_build import build_changed
from tests.chromium import require_chromium
from tests.deploy_nginx import (
    LOGIN,
    REPLICA_COOKIE,
    Prefix,
    fetch_through,
    find_replica_cookies,
    read_access_log,
    require_nginx,
    require_openssl,
    serve_proxy,
)
from tests.e2e.test_gap_browser import wait_for_app

pytestmark = pytest.mark.e2e
REPLICAS = 2
LOG_TIMEOUT = 30  # seconds for nginx to log the closed WebSockets: a hang guard
STATUS = "[data-testid='stSidebar'] [data-testid='stCaptionContainer']"


@dataclass(frozen=True)
class Replicas:
    """The running replicas, the nginx in front of them, and what they all read."""

    prefix: Prefix
    addresses: list[str]  # "127.0.0.1:port", in the order of pids
    pids: list[int]
    data: Path
    render_log: Path
    logs: list[Path]
    cookies: dict[str, str]  # replica address -> a cookie value nginx sends there


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory, pristine_build: Path) -> Iterator[Replicas]:
    """Two `streamlit run app.py` on one copy of the session's build, behind nginx."""
    require_chromium()
    require_nginx()
    require_openssl()
    root = tmp_path_factory.mktemp("replicas")
    data = root / "data"
    shutil.copytree(pristine_build, data, symlinks=True)
    render_log = root / "render.log"
    logs = [root / f"streamlit-{index}.log" for index in range(REPLICAS)]
    (root / "nginx").mkdir()
    with ExitStack() as stack:
        served = [
            stack.enter_context(
                serve_app(
                    data, stack.enter_context(log.open("w")), **{RENDER_LOG_ENV: str(render_log)}
                )
            )
            for log in logs
        ]
        urls = [url for url, _ in served]
        prefix = stack.enter_context(serve_proxy(root / "nginx", urls))
        yield Replicas(
            prefix,
            [url.removeprefix("http://") for url in urls],
            [server.pid for _, server in served],
            data,
            render_log,
            logs,
            find_replica_cookies(prefix, REPLICAS),
        )


def list_paths_by_pid(runs: list[ServerRun]) -> dict[int, set[str]]:
    by_pid: dict[int, set[str]] = {}
    for run in runs:
        by_pid.setdefault(run.pid, set()).add(run.path)
    return by_pid


def wait_for_websockets(prefix: Prefix, addresses: list[str]) -> list[list[str]]:
    """nginx's access lines once each replica's WebSocket has closed (logged at its end)."""
    deadline = time.monotonic() + LOG_TIMEOUT
    while True:
        lines = read_access_log(prefix)
        streams = {line[0] for line in lines if line[3] == "/_stcore/stream"}
        if streams >= set(addresses) or time.monotonic() > deadline:
            return lines
        time.sleep(0.2)


def test_two_replicas_serve_every_page_through_nginx_and_keep_each_browser(replicas: Replicas):
    html = fetch_through(f"{replicas.prefix.url}/").body
    assert '<html lang="sv">' in html and 'lang="en"' not in html
    cookies = [replicas.cookies[address] for address in replicas.addresses]

    result = walk_pages(replicas.prefix.url, sessions=REPLICAS, login=LOGIN, cookies=cookies)

    assert result.errors == []
    assert result.pages == REPLICAS * len(PAGES)
    # Each replica ran every page: one session each, by the cookie it brought.
    every_path = {f"/{page.url_path}" for page in PAGES}
    assert list_paths_by_pid(read_render_log(replicas.render_log)) == dict.fromkeys(
        replicas.pids, every_path
    )
    # Every request of a browser (page, scripts, health, WebSocket) reached its one replica,
    # and each replica had a WebSocket upgraded (101).
    lines = wait_for_websockets(replicas.prefix, replicas.addresses)
    upstreams_by_cookie: dict[str, set[str]] = {}
    for upstream, cookie, status, _ in lines:
        if (upstream, status) == ("-", "401"):
            continue  # nginx's own login challenge, before the browser sends the login
        upstreams_by_cookie.setdefault(cookie, set()).add(upstream)
    for address, cookie in zip(replicas.addresses, cookies, strict=True):
        assert upstreams_by_cookie[cookie] == {address}
    upgraded = {line[0] for line in lines if line[2:] == ["101", "/_stcore/stream"]}
    assert upgraded == set(replicas.addresses)
    assert [log.read_text().count("Traceback") for log in replicas.logs] == [0] * REPLICAS


def open_context(browser: Browser, replicas: Replicas, address: str) -> BrowserContext:
    """A browser pinned to the replica at `address` by its cookie."""
    context = browser.new_context(
        ignore_https_errors=True,
        http_credentials={"username": LOGIN.username, "password": LOGIN.password},
    )
    value = replicas.cookies[address]
    context.add_cookies([{"name": REPLICA_COOKIE, "value": value, "url": replicas.prefix.url}])
    return context


def describe_build(data: Path) -> str:
    """The sidebar's status line for the build in `data`, as the app words it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.DATA_DIR_ENV, str(data))
        manifest = store.read_manifest()
        figures = int(store.read_observations()["value"].notna().sum())
    return (
        f"Data byggd {format_time(manifest['built_at'])} · {format_number(figures, 0)} "
        f"publicerade värden · {len(manifest['sources'])} källfiler"
    )


def show_status(page: Page) -> None:
    wait_for_app(page)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def test_a_rebuild_reaches_both_replicas_without_a_restart(browser: Browser, replicas: Replicas):
    before = describe_build(replicas.data)
    pages = []
    for address in replicas.addresses:
        page = open_context(browser, replicas, address).new_page()
        page.goto(f"{replicas.prefix.url}/kallor")
        show_status(page)
        expect(page.locator(STATUS).filter(has_text="Data byggd")).to_have_text(before)
        pages.append(page)
    seen = len(read_render_log(replicas.render_log))

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.DATA_DIR_ENV, str(replicas.data))
        build_changed(replicas.data)
    after = describe_build(replicas.data)
    assert after != before

    try:
        # The first browser stays in its session (a rerun from the menu), the second reloads.
        pages[0].locator("[data-testid='stSidebarNav'] a").filter(has_text="Gapanalys").click()
        pages[1].reload()
        for page in pages:
            show_status(page)
            expect(page.locator(STATUS).filter(has_text="Data byggd")).to_have_text(after)
    finally:
        for page in pages:
            page.context.close()
    # Both replicas ran those pages, the same processes as before the build.
    assert {run.pid for run in read_render_log(replicas.render_log)[seen:]} == set(replicas.pids)
    for pid in replicas.pids:
        assert Path(f"/proc/{pid}").exists()
