"""Load run: N headless Chromium sessions walk every page and change a widget, on a loopback server.

Run: `python -m bench.load --sessions 20 --seconds 120 [--data-dir DIR]`. Without --data-dir it
builds the bundled raw files into a temporary tree. Prints page-render and rerun percentiles, the
server's peak memory and the errors; exits non-zero when any session saw an error.

`python -m bench.load --smoke` is the load run in small, with its time limits: 2 sessions for
8 seconds (0.5 s think time) must render at least 2 pages and change a widget, every render and
rerun within RENDER_TIMEOUT_MS, with no errors. It measures this machine, so it is a benchmark,
not a test; the test suite only checks, untimed, that two sessions walk every page (walk_pages).

`python -m bench.load --proxy --replicas 2 --sessions 60` drives the sessions through
deploy/nginx.conf (TLS, login, sticky cookie) in front of 2 replicas. The sessions are dealt
evenly over the replicas, as nginx's hash spreads many browsers: one browser context per
replica, holding a cookie that nginx sends there (found by asking nginx). Every replica logs
its own time per script run (ARBETSMARKNAD_RENDER_LOG, see app.py): the server render p50/p95
come from there, not from the browser's clock, which shares the CPU with the browsers. Per
replica: script runs, peak RSS, CPU seconds (/proc/<pid>/stat); and CPU seconds per page view.
"""

import argparse
import asyncio
import base64
import concurrent.futures
import contextlib
import dataclasses
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Locator, Page, async_playwright
from playwright.async_api import Error as PlaywrightError

from bench.server import CHROMIUM, CHROMIUM_ARGS, read_rss_mb, serve_app
from deploy.serve_replicas import (
    REPLICA_COOKIE,
    Login,
    find_nginx,
    find_replica_cookies,
    serve_nginx,
)
from labourmarket import pages as app_pages
from labourmarket.core import paths

MAX_SESSIONS = 50
MAX_PROXY_SESSIONS = 100  # through nginx: the sessions spread over the replicas
MAX_REPLICAS = 8
RENDER_LOG_ENV = "ARBETSMARKNAD_RENDER_LOG"  # app.py appends: time, pid, page path, seconds
PROXY_LOGIN = Login("belastning", "prov")  # the load run's own nginx, on loopback only
# Through nginx, sessions per browser context: one context per replica, as on one server. A
# fresh context compiles the app's JavaScript and fetches it again: 60 contexts starved 2
# cores, and 6 of 10 tabs each rendered half the pages that one context per replica did.
TABS_PER_CONTEXT = 100
MAX_SECONDS = 600
RENDER_TIMEOUT_MS = 60_000  # generous for 20 sessions on 2 cores; anything slower is an error
# An untimed walk (walk_pages) waits this long only so that a hung page ends the run.
HANG_GUARD_MS = 120_000
SMOKE = {"sessions": 2, "seconds": 8.0, "think": 0.5}  # --smoke
THINK_SECONDS = 5.0  # a visitor reads before the next click (±50 %); --think 0 is the stress case
RAMP_SECONDS = 3.0  # at most, between session starts: a first load compiles the app (~2 s CPU)
LOOPBACK = re.compile(r"https?://127\.0\.0\.1:\d+")  # https: the load run's own nginx
APP = "[data-testid='stApp']"
CHART = "[data-testid='stPlotlyChart'] .main-svg"
TABLE = "[data-testid='stTable']"
METRIC = "[data-testid='stMetricValue']"
DOWNLOAD = "[data-testid='stDownloadButton']"
# Counts the server's "script finished" messages (ForwardMsg field 6) on the app's WebSocket.
# The DOM's script-state attribute is no signal under load: a busy tab receives "running" and
# "finished" in one batch and React never draws the running state.
COUNT_FINISHED_RUNS = """(() => {
  window.__loadFinishedRuns = 0;
  const readVarint = (bytes, at) => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return [value, at];
  };
  const isScriptFinished = (bytes) => {
    let at = 0;
    while (at < bytes.length) {
      let key, size;
      [key, at] = readVarint(bytes, at);
      if (key >>> 3 === 6) return true;
      const wire = key & 7;
      if (wire === 0) [, at] = readVarint(bytes, at);
      else if (wire === 1) at += 8;
      else if (wire === 5) at += 4;
      else if (wire === 2) { [size, at] = readVarint(bytes, at); at += size; }
      else return false;
    }
    return false;
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (event.data instanceof ArrayBuffer && isScriptFinished(new Uint8Array(event.data))) {
          window.__loadFinishedRuns += 1;
        }
      });
    }
  };
})();"""
READ_FINISHED_RUNS = "() => window.__loadFinishedRuns"
# One check polled on a timer: Playwright's own waits poll every animation frame, and 20 tabs
# doing that for seconds keep 2 cores busy drawing frames instead of rendering the app.
IS_RENDERED = """([ready, runs]) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || window.__loadFinishedRuns < runs) return false;
  const settled = app.getAttribute("data-test-connection-state") === "CONNECTED"
    && app.getAttribute("data-test-script-state") === "notRunning"
    && !document.querySelector("[data-testid='stStatusWidget']");
  // A page that ends in an exception never shows its content: done, check_page reports it.
  if (settled && document.querySelector("[data-testid='stException']")) return true;
  const shown = document.querySelector(ready);
  return settled && shown !== null && shown.getBoundingClientRect().height > 0;
}"""
POLL_MS = 100


@dataclass(frozen=True)
class PageSpec:
    """A page of the app: what shows it is rendered, and the widget to change."""

    page: app_pages.Page
    ready: str
    widget: str | None  # "radio:<label>" or "selectbox:<label>"; None: the page has no widget
    choices: tuple[str, ...] = ()  # the options to alternate between; () for any other one

    @property
    def path(self) -> str:
        """The page's URL path: "/" for the landing page."""
        return f"/{self.page.url_path}"


KOMMUN_MEASURES = (
    "Inskrivna arbetslösa, andel av registerbaserad arbetskraft (%)",
    "Arbetslöshet 20-64 år, SCB:s integrationsstatistik (%)",
)
# What the load run does on each page of labourmarket.pages.PAGES, by page name: what shows the
# page is rendered, the widget to change, and the options to alternate between.
PAGE_CHECKS: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    # Two kommun-level measures: BAS has only Riket and län, which would empty the kommun cards.
    "oversikt": (METRIC, "selectbox:Mått", KOMMUN_MEASURES),
    "gapanalys": (CHART, "radio:Uppdelning", ()),
    "utveckling": (f"{CHART}, {TABLE}", "radio:Visa", ()),
    "jamfor": (f"{CHART}, {TABLE}", "radio:Visa", ()),
    "mal": (TABLE, "selectbox:Kommun", ()),
    "namndvy": (METRIC, "selectbox:Kommun", ()),
    "export": (DOWNLOAD, "selectbox:Kommun", ()),
    "kallor": (TABLE, None, ()),
}


def list_page_specs() -> tuple[PageSpec, ...]:
    """Every page of the app in menu order, with its checks; a page without checks is an error."""
    missing = [page.name for page in app_pages.PAGES if page.name not in PAGE_CHECKS]
    if missing:
        raise LookupError(f"bench/load.py PAGE_CHECKS has no entry for page(s) {missing}")
    return tuple(PageSpec(page, *PAGE_CHECKS[page.name]) for page in app_pages.PAGES)


@dataclass(frozen=True)
class ServerRun:
    """One script run as its replica timed it (a line of ARBETSMARKNAD_RENDER_LOG)."""

    pid: int
    path: str
    seconds: float


@dataclass
class LoadResult:
    sessions: int
    seconds: float
    think: float
    pages: int = 0
    widget_changes: int = 0
    render_ms: dict[str, list[float]] = field(default_factory=dict)  # by page path
    rerun_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rss_mb: dict[int, list[float]] = field(default_factory=dict)  # by server pid, each second
    cpu_seconds: dict[int, float] = field(default_factory=dict)  # by server pid, over the run
    sampled_seconds: float = 0.0  # wall time the servers were sampled over
    server_runs: list[ServerRun] = field(default_factory=list)
    proxy: bool = False  # through nginx (deploy/nginx.conf)


class BrokenPageError(Exception):
    """The page rendered, but with an exception, a traceback or a lost connection."""


def read_label(widget: str) -> tuple[str, str]:
    kind, _, label = widget.partition(":")
    return kind, label


def find_widget(page: Page, kind: str, label: str) -> Locator:
    test_id = "stRadio" if kind == "radio" else "stSelectbox"
    name = page.locator("[data-testid='stWidgetLabel']", has_text=re.compile(f"^{label}$"))
    return page.locator(f"[data-testid='{test_id}']", has=name).first


async def check_page(page: Page) -> None:
    """Raise BrokenPageError on what a user would see as broken."""
    if await page.locator("[data-testid='stException']").count():
        raise BrokenPageError("Streamlit exception element")
    if await page.get_by_text("Traceback").count():
        raise BrokenPageError("Traceback text on the page")
    state = await page.locator(APP).get_attribute("data-test-connection-state")
    if state != "CONNECTED":
        raise BrokenPageError(f"connection state {state}")
    if await page.get_by_text("Connection error").count():
        raise BrokenPageError("connection error banner")


async def wait_rendered(page: Page, ready: str, runs: int, timeout_ms: int) -> None:
    """`runs` script runs finished, none running, connected, and the page's content shown."""
    await page.wait_for_function(
        IS_RENDERED, arg=[ready, runs], timeout=timeout_ms, polling=POLL_MS
    )
    await check_page(page)


async def open_page(page: Page, url: str, spec: PageSpec, timeout_ms: int) -> float:
    """Load the page by its URL (a fresh tab); return the milliseconds until it is rendered."""
    start = time.perf_counter()
    await page.goto(f"{url}{spec.path}", timeout=timeout_ms)
    await wait_rendered(page, spec.ready, 1, timeout_ms)
    return (time.perf_counter() - start) * 1000


async def rerun_after(
    page: Page, spec: PageSpec, action: Awaitable[None], timeout_ms: int
) -> float:
    """Milliseconds from `action` until the rerun it caused has finished and shows the page."""
    finished = await page.evaluate(READ_FINISHED_RUNS)
    start = time.perf_counter()
    await action
    await wait_rendered(page, spec.ready, finished + 1, timeout_ms)
    return (time.perf_counter() - start) * 1000


async def click_nav_link(page: Page, url: str, spec: PageSpec) -> None:
    await page.locator(f"[data-testid='stSidebarNav'] a[href='{url}{spec.path}']").click()


async def pick_other_option(page: Page, spec: PageSpec) -> None:
    kind, label = read_label(spec.widget or "")
    widget = find_widget(page, kind, label)
    if kind == "radio":
        await widget.locator("label:has(input:not(:checked))").first.click()
        return
    await widget.click()
    options = page.locator("[role='option'][aria-selected='false']")
    if spec.choices:
        options = options.filter(has_text=re.compile("|".join(map(re.escape, spec.choices))))
    await options.first.click()


DESCRIBE_STATE = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return [
    location.pathname,
    app && app.getAttribute("data-test-connection-state"),
    app && app.getAttribute("data-test-script-state"),
    "finished runs " + window.__loadFinishedRuns,
    "status widget " + !!document.querySelector("[data-testid='stStatusWidget']"),
    "alerts " + [...document.querySelectorAll("[data-testid='stAlert']")].map((a) => a.innerText),
  ].join(", ");
}"""


async def describe_state(page: Page) -> str:
    """Where a failed step left the page, for the error line."""
    try:
        return await page.evaluate(DESCRIBE_STATE)
    except PlaywrightError as error:
        return f"state unreadable: {str(error).splitlines()[0]}"


async def record(
    result: LoadResult,
    where: str,
    page: Page,
    step: Awaitable[float],
    into: list[float],
    limit_ms: int | None,
) -> bool:
    """Await one timed step; a timeout, a Playwright error or a broken page counts as an error,
    and so does a step slower than limit_ms (None: no limit)."""
    try:
        elapsed = await step
    except (PlaywrightError, BrokenPageError) as error:
        lines = str(error).strip().splitlines() or [type(error).__name__]
        result.errors.append(f"{where}: {lines[0]} [{await describe_state(page)}]")
        return False
    into.append(elapsed)
    if limit_ms is not None and elapsed > limit_ms:
        result.errors.append(
            f"{where}: {elapsed / 1000:.0f} s, over the {limit_ms // 1000} s limit"
        )
    return True


@dataclass(frozen=True)
class Visit:
    """What every session shares: the app, the pages, when to stop, the pauses and the waits."""

    url: str
    specs: tuple[PageSpec, ...]
    think: float
    ramp: float  # seconds between one session's start and the next's
    seconds: float | None = None  # a timed run: how long (its clock starts in drive)
    deadline: float | None = None  # time.monotonic() to stop at, set from seconds
    steps: int | None = None  # or: the pages each session visits, untimed (a walk)
    timeout_ms: int = RENDER_TIMEOUT_MS  # the longest wait for one render or rerun
    limit_ms: int | None = RENDER_TIMEOUT_MS  # a slower render is an error; None: untimed
    stop_on_error: bool = False  # a session ends at its first error (else it reloads, goes on)
    login: Login | None = None  # through nginx (the load run's own, or a test's)
    # Through nginx: a browser context per replica cookie, the sessions dealt out in turn;
    # none: a context per session, each given its cookie by nginx.
    cookies: tuple[str, ...] = ()

    def goes_on(self, visited: int) -> bool:
        """Whether a session that has visited `visited` pages visits another."""
        if self.steps is not None:
            return visited < self.steps
        return not self.is_over()

    def is_over(self) -> bool:
        """A timed run past its deadline (a walk is never over by time)."""
        return self.deadline is not None and time.monotonic() >= self.deadline


async def run_session(
    context: BrowserContext, visit: Visit, index: int, result: LoadResult
) -> None:
    """One visitor: every page in turn (each session starts elsewhere), a widget change on each.

    Pages change by the sidebar; the first, and the next after an error, loads by its URL.
    Each tab is a Streamlit session of its own (its own WebSocket); tabs share a browser
    context only so that the app's JavaScript is compiled once, not once per visitor. Through
    nginx a context is one replica cookie: its tabs' sessions all live on one replica.
    """
    await asyncio.sleep(index * visit.ramp)
    page = await context.new_page()
    pause = random.Random(index)
    step, is_loaded = index, False
    specs = visit.specs
    try:
        while visit.goes_on(step - index):
            spec = specs[step % len(specs)]
            step += 1
            where = f"session {index} {spec.path}"
            render = (
                rerun_after(page, spec, click_nav_link(page, visit.url, spec), visit.timeout_ms)
                if is_loaded
                else open_page(page, visit.url, spec, visit.timeout_ms)
            )
            times = result.render_ms.setdefault(spec.path, [])
            is_loaded = await record(result, where, page, render, times, visit.limit_ms)
            if not is_loaded and visit.stop_on_error:
                break
            if not is_loaded:
                continue
            result.pages += 1
            await asyncio.sleep(visit.think * pause.uniform(0.5, 1.5))
            if spec.widget is None or visit.is_over():
                continue
            change = rerun_after(page, spec, pick_other_option(page, spec), visit.timeout_ms)
            times = result.rerun_ms.setdefault(spec.path, [])
            is_loaded = await record(
                result, f"{where} {spec.widget}", page, change, times, visit.limit_ms
            )
            result.widget_changes += is_loaded
            if not is_loaded and visit.stop_on_error:
                break
            await asyncio.sleep(visit.think * pause.uniform(0.5, 1.5))
    finally:
        await page.close()


def read_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def sample_servers(
    servers: Sequence[subprocess.Popen], result: LoadResult, stop: asyncio.Event
) -> None:
    """Every second: each server's resident memory; an exit is an error. Then their CPU time."""
    cpu_start = {server.pid: read_cpu_seconds(server.pid) for server in servers}
    wall_start = time.monotonic()
    while not stop.is_set():
        for server in servers:
            if server.poll() is not None:
                result.errors.append(f"server {server.pid} exited with {server.returncode}")
                return
            result.rss_mb.setdefault(server.pid, []).append(read_rss_mb(server.pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1)
    result.cpu_seconds = {pid: read_cpu_seconds(pid) - cpu for pid, cpu in cpu_start.items()}
    result.sampled_seconds = time.monotonic() - wall_start


async def open_context(browser: Browser, visit: Visit, cookie: str | None) -> BrowserContext:
    """A browser context, through nginx with the login and this replica cookie (if any)."""
    options = {}
    if visit.login is not None:
        # The login as a header on every request, WebSocket handshakes too. Not Playwright's
        # http_credentials: it pauses every request of the context to answer a challenge
        # (CDP Fetch), and under load that held new tabs' health checks and WebSocket
        # handshakes for over 60 s while the replica idled at 10 % of a core.
        token = base64.b64encode(f"{visit.login.username}:{visit.login.password}".encode())
        headers = {"Authorization": f"Basic {token.decode()}"}
        options = {"ignore_https_errors": True, "extra_http_headers": headers}
    context = await browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="sv-SE", **options
    )
    context.set_default_timeout(visit.timeout_ms)
    await context.add_init_script(COUNT_FINISHED_RUNS)
    if cookie is not None:
        await context.add_cookies([{"name": REPLICA_COOKIE, "value": cookie, "url": visit.url}])
    return context


async def open_contexts(browser: Browser, visit: Visit, sessions: int) -> list[BrowserContext]:
    """One shared context; through nginx one per replica cookie, or else one per session.

    Fresh contexts are dear: each compiles the app's JavaScript. 60 of them on 2 cores starved
    the browser (page loads over 60 s while the one replica idled at 5 % of a core).
    The sessions are dealt over the contexts in turn.
    """
    if visit.login is None:
        return [await open_context(browser, visit, None)]
    if visit.cookies:
        return [await open_context(browser, visit, cookie) for cookie in visit.cookies]
    return [await open_context(browser, visit, None) for _ in range(sessions)]


async def drive(visit: Visit, sessions: int, servers: Sequence[subprocess.Popen]) -> LoadResult:
    """Run `sessions` visitors in one browser; a timed visit's clock starts once it is up."""
    result = LoadResult(sessions, visit.seconds or 0.0, visit.think, proxy=visit.login is not None)
    stop = asyncio.Event()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = await open_contexts(browser, visit, sessions)
        sampler = asyncio.create_task(sample_servers(servers, result, stop)) if servers else None
        if visit.seconds is not None:
            visit = dataclasses.replace(visit, deadline=time.monotonic() + visit.seconds)
        try:
            await asyncio.gather(
                *(
                    run_session(contexts[index % len(contexts)], visit, index, result)
                    for index in range(sessions)
                )
            )
        finally:
            stop.set()
            if sampler:
                await sampler
            await browser.close()
    return result


def check_url(url: str) -> None:
    if not LOOPBACK.fullmatch(url):
        raise ValueError(f"{url}: load runs only against http://127.0.0.1:<port>")


def run_in_thread(visit: Visit, sessions: int, servers: Sequence[subprocess.Popen]) -> LoadResult:
    """asyncio.run in a thread of its own: a caller's Playwright sync API (pytest-playwright)
    keeps an event loop in the calling thread, and asyncio.run refuses to start inside it."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, drive(visit, sessions, servers)).result()


def find_max_sessions(login: Login | None) -> int:
    return MAX_SESSIONS if login is None else MAX_PROXY_SESSIONS


def run_load(
    url: str,
    sessions: int,
    seconds: float,
    servers: Sequence[subprocess.Popen] = (),
    think: float = THINK_SECONDS,
    login: Login | None = None,
    cookies: Sequence[str] = (),
    ramp: float | None = None,
) -> LoadResult:
    """Drive `sessions` visitors for `seconds` against a loopback URL (with `login`: the load
    run's nginx, the sessions dealt over `cookies`), one arriving every `ramp` seconds; a render
    or rerun slower than RENDER_TIMEOUT_MS is an error."""
    check_url(url)
    most = find_max_sessions(login)
    if not (1 <= sessions <= most and 0 < seconds <= MAX_SECONDS and think >= 0):
        raise ValueError(f"sessions 1-{most}, seconds up to {MAX_SECONDS}, think >= 0")
    if ramp is None:  # arrivals spread over at most the first quarter of the run
        ramp = min(RAMP_SECONDS, seconds / 4 / sessions)
    visit = Visit(
        url, list_page_specs(), think, ramp, seconds=seconds, login=login, cookies=tuple(cookies)
    )
    return run_in_thread(visit, sessions, servers)


def walk_pages(
    url: str,
    sessions: int = 2,
    servers: Sequence[subprocess.Popen] = (),
    login: Login | None = None,
    cookies: Sequence[str] = (),
) -> LoadResult:
    """Untimed: each of `sessions` visitors (side by side) visits every page once, from a page
    of its own, and changes the widget on each; a session stops at its first error. No time
    limit: a wait ends only after HANG_GUARD_MS, so that a hung page cannot hang the caller.
    Through nginx (`login`), the sessions are dealt over the replica `cookies`, one browser
    context each."""
    check_url(url)
    most = find_max_sessions(login)
    if not 1 <= sessions <= most:
        raise ValueError(f"sessions 1-{most}")
    specs = list_page_specs()
    visit = Visit(
        url,
        specs,
        think=0.0,
        ramp=0.0,
        steps=len(specs),
        timeout_ms=HANG_GUARD_MS,
        limit_ms=None,
        stop_on_error=True,
        login=login,
        cookies=tuple(cookies),
    )
    return run_in_thread(visit, sessions, servers)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def format_result(result: LoadResult) -> str:
    cpu = sum(result.cpu_seconds.values())
    server_times = [run.seconds * 1000 for run in result.server_runs]
    rows = [
        ("sessions", f"{result.sessions}"),
        ("replicas", f"{len(result.rss_mb)}" + (" behind nginx" if result.proxy else "")),
        ("duration", f"{result.seconds:.0f} s"),
        ("think time", f"{result.think:.1f} s after each page and widget change"),
        ("pages visited", f"{result.pages}"),
        ("widget changes", f"{result.widget_changes}"),
        ("errors", f"{len(result.errors)}"),
        ("page render p50 / p95", format_pair(join_times(result.render_ms))),
        ("rerun p50 / p95", format_pair(join_times(result.rerun_ms))),
        ("server script runs", f"{len(result.server_runs)}"),
        ("server run p50 / p95", format_pair(server_times)),
        ("server CPU", format_cpu(cpu, result.sampled_seconds)),
        ("CPU s per page view", format_share(cpu, result.pages)),
        ("CPU s per script run", format_share(cpu, len(result.server_runs))),
    ]
    rows += [(f"  replica {pid}", format_replica(result, pid)) for pid in result.rss_mb]
    rows += [
        (
            f"  {spec.path}",
            f"render {format_pair(result.render_ms.get(spec.path, []))}"
            f" · rerun {format_pair(result.rerun_ms.get(spec.path, []))}"
            f" · server {format_pair(list_server_ms(result, spec.path))}",
        )
        for spec in list_page_specs()
    ]
    table = "\n".join(f"{name:<24} {value}" for name, value in rows)
    shown = result.errors[:20]
    more = [f"... and {len(result.errors) - len(shown)} more"] if len(result.errors) > 20 else []
    return "\n".join([table, *(f"error: {e}" for e in shown), *more])


def format_replica(result: LoadResult, pid: int) -> str:
    """One replica's share: its script runs, its peak memory, its CPU over the run."""
    runs = sum(run.pid == pid for run in result.server_runs)
    cpu = format_cpu(result.cpu_seconds.get(pid, 0.0), result.sampled_seconds)
    return f"{runs} runs · RSS max {max(result.rss_mb[pid]):.0f} MB · CPU {cpu}"


def list_server_ms(result: LoadResult, path: str) -> list[float]:
    return [run.seconds * 1000 for run in result.server_runs if run.path == path]


def format_cpu(cpu: float, wall: float) -> str:
    """A server's CPU over the run: the rest of the machine went to the browsers."""
    if not wall:
        return "n/a"
    return f"{cpu:.0f} s in {wall:.0f} s ({cpu / wall:.0%} of one core)"


def format_share(cpu: float, count: int) -> str:
    return f"{cpu / count:.2f} s" if count else "n/a"


def join_times(by_page: dict[str, list[float]]) -> list[float]:
    return [ms for times in by_page.values() for ms in times]


def format_pair(values: Sequence[float]) -> str:
    if not values:
        return "n/a"
    return f"{percentile(values, 0.5):.0f} ms / {percentile(values, 0.95):.0f} ms"


def read_render_log(path: Path) -> list[ServerRun]:
    """The replicas' own timings: app.py appends "time pid path seconds" per script run."""
    if not path.exists():
        return []
    runs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        _, pid, page, seconds = line.split("\t")
        runs.append(ServerRun(int(pid), page, float(seconds)))
    return runs


def build_data_tree(root: Path) -> Path:
    """Copy the bundled raw and reference files into root/data and build data/clean there."""
    data = root / "data"
    for part in ("raw", "reference"):
        shutil.copytree(paths.REPO_DIR / "data" / part, data / part)
    env = {**os.environ, paths.DATA_DIR_ENV: str(data)}
    subprocess.run([sys.executable, "-m", "etl", "build"], env=env, check=True, cwd=paths.REPO_DIR)
    return data


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sessions",
        type=int,
        default=20,
        help=f"1-{MAX_SESSIONS}, with --proxy 1-{MAX_PROXY_SESSIONS}",
    )
    parser.add_argument("--seconds", type=float, default=120, help=f"up to {MAX_SECONDS}")
    parser.add_argument("--data-dir", type=Path, help="a built data tree (default: build one)")
    parser.add_argument(
        "--think", type=float, default=THINK_SECONDS, help="seconds between a visitor's actions"
    )
    parser.add_argument(
        "--ramp",
        type=float,
        help="seconds between session starts (default: over the run's first quarter, at most "
        f"{RAMP_SECONDS:g}); 500 staff arriving within 10 minutes is 1.2",
    )
    parser.add_argument(
        "--proxy", action="store_true", help="through deploy/nginx.conf (needs nginx, openssl)"
    )
    parser.add_argument(
        "--replicas", type=int, default=1, help=f"behind the proxy, 1-{MAX_REPLICAS}"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="the load run in small, with its time limits: "
        + ", ".join(f"{name} {value:g}" for name, value in SMOKE.items())
        + " (instead of --sessions, --seconds and --think)",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.sessions, args.seconds, args.think = (
            int(SMOKE["sessions"]),
            SMOKE["seconds"],
            SMOKE["think"],
        )
    most = MAX_PROXY_SESSIONS if args.proxy else MAX_SESSIONS
    if not 1 <= args.sessions <= most:
        parser.error(f"--sessions must be 1-{most}")
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be above 0 and at most {MAX_SECONDS}")
    if args.think < 0:
        parser.error("--think must not be negative")
    if args.ramp is not None and not 0 <= args.ramp * args.sessions <= args.seconds:
        parser.error("--ramp must not be negative, and every session must start within --seconds")
    if not 1 <= args.replicas <= MAX_REPLICAS or (args.replicas > 1 and not args.proxy):
        parser.error(f"--replicas must be 1-{MAX_REPLICAS}, and more than 1 needs --proxy")
    return args


def run_against(data_dir: Path, args: argparse.Namespace, temp: Path) -> LoadResult:
    """Serve the app on loopback (replicas behind nginx with --proxy), drive it, read the
    replicas' own timings, and count a traceback in a server log as an error."""
    render_log = temp / "render.log"
    logs = [temp / f"streamlit-{index}.log" for index in range(args.replicas)]
    with ExitStack() as stack:
        replicas = [
            stack.enter_context(
                serve_app(
                    data_dir,
                    stack.enter_context(log.open("w")),
                    **{RENDER_LOG_ENV: str(render_log)},
                )
            )
            for log in logs
        ]
        servers = [server for _, server in replicas]
        url, login, cookies = replicas[0][0], None, []
        if args.proxy:
            nginx = find_nginx()
            if nginx is None:
                raise RuntimeError("--proxy needs nginx (apt-get install nginx)")
            root = temp / "nginx"
            root.mkdir()
            addresses = [address.removeprefix("http://") for address, _ in replicas]
            prefix = stack.enter_context(serve_nginx(nginx, root, addresses, PROXY_LOGIN))
            url, login = prefix.url, PROXY_LOGIN
            # An even share per replica, as nginx's hash gives many browsers: a cookie for
            # each, held by as many contexts as keep TABS_PER_CONTEXT sessions in each.
            pinned = find_replica_cookies(prefix, PROXY_LOGIN, len(addresses))
            per_replica = math.ceil(args.sessions / TABS_PER_CONTEXT / len(addresses))
            cookies = [pinned[address] for _ in range(per_replica) for address in addresses]
        result = run_load(
            url, args.sessions, args.seconds, servers, args.think, login, cookies, args.ramp
        )
    result.server_runs = read_render_log(render_log)
    tracebacks = sum(log.read_text().count("Traceback") for log in logs)
    if tracebacks:
        result.errors.append(f"{tracebacks} traceback(s) in the server logs")
    return result


def check_smoke(result: LoadResult) -> list[str]:
    """What the smoke run missed: within its seconds, at least 2 pages and a widget change, and
    every render within RENDER_TIMEOUT_MS (slower ones are already in result.errors)."""
    missed = []
    if result.pages < 2:
        missed.append(f"{result.pages} page(s) rendered in {result.seconds:g} s, want at least 2")
    if result.widget_changes < 1:
        missed.append("no widget change")
    renders = join_times(result.render_ms)
    if not renders:
        missed.append("no render measured")
    elif max(renders) >= RENDER_TIMEOUT_MS:
        missed.append(f"a render took {max(renders) / 1000:.0f} s, over {RENDER_TIMEOUT_MS} ms")
    return missed


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="load-") as temp:
        data_dir = args.data_dir or build_data_tree(Path(temp))
        result = run_against(data_dir, args, Path(temp))
        print(format_result(result))
        missed = check_smoke(result) if args.smoke else []
        for line in missed:
            print(f"smoke: {line}")
        if result.errors:
            for log in sorted(Path(temp).glob("streamlit-*.log")):
                print(f"end of {log.name}:\n{log.read_text()[-4000:]}", file=sys.stderr)
    return 1 if result.errors or missed else 0


if __name__ == "__main__":
    sys.exit(main())
