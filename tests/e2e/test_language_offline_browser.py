"""Every page in Chromium: the document says it is Swedish, and nothing leaves the machine.

An air-gapped municipal network reaches no CDN: every request to a host other than the loopback
server is aborted and recorded, and the test fails on any of them and on any failed request.
"""

import base64
import ssl
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from labourmarket.pages import PAGES
from tests.conftest import HANG_GUARD_MS
from tests.deploy_nginx import TEST_PASSWORD, TEST_USER, serve_nginx
from tests.e2e.test_gap_browser import wait_for_app

pytestmark = pytest.mark.e2e
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


@dataclass
class Traffic:
    """What the browser asked for while walking the pages."""

    blocked: list[str] = field(default_factory=list)  # requests to another host, aborted
    # Requests that got no response. An HTTP error is a response: on a deep link Streamlit
    # probes /<page>/_stcore/health (404) before /_stcore/health, on the loopback server.
    failed: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname in LOOPBACK_HOSTS:
            route.continue_()
            return
        self.blocked.append(url)
        route.abort("blockedbyclient")

    def record_failure(self, request: Request) -> None:
        if request.url not in self.blocked:
            self.failed.append(f"{request.url}: {request.failure}")


def open_rendered(page: Page, url: str) -> None:
    """Open a page and wait until its script has run and the browser has nothing left to load.

    The page's own title comes after app.py's script in the same run: once it shows, the script
    has run (before the first run the app's state reads "notRunning" too).
    """
    page.goto(url)
    wait_for_app(page)
    expect(page.locator("h1").first).to_be_visible()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def traffic(page: Page) -> Traffic:
    watched = Traffic()
    page.context.route("**/*", watched.route)
    page.context.on("requestfailed", watched.record_failure)
    return watched


def test_every_page_loads_without_a_third_party_host_or_a_failed_request(
    page: Page, app_url: str, traffic: Traffic
):
    # Each page in a tab of its own, left open: leaving a page would abort what it still loads.
    page.context.set_default_timeout(HANG_GUARD_MS)
    page.context.set_default_navigation_timeout(HANG_GUARD_MS)
    tabs = []
    for app_page in PAGES:
        tab = page.context.new_page()
        open_rendered(tab, f"{app_url}/{app_page.url_path}")
        tabs.append(tab)
    for tab in tabs:
        tab.wait_for_load_state("networkidle")
    assert (traffic.blocked, traffic.failed) == ([], [])
    # The favicon is the repository's own (static/favicon.svg), sent inline with the page.
    icon = tabs[-1].locator("link[rel='shortcut icon']").get_attribute("href") or ""
    assert icon.startswith("data:image/svg+xml"), icon[:80]


@pytest.mark.parametrize("app_page", PAGES, ids=lambda p: p.name)
def test_every_page_declares_swedish(page: Page, app_url: str, app_page):
    """WCAG 3.1.1: the page's language is Swedish once it has rendered, on every page."""
    open_rendered(page, f"{app_url}/{app_page.url_path}")
    assert page.evaluate("document.documentElement.lang") == "sv"
    # The script that sets it leaves no empty gap above the page's title.
    assert page.locator("[data-testid='stElementContainer']:has(#set-language-sv)").is_hidden()


def fetch_through(url: str) -> str:
    """GET through the test nginx: its self-signed certificate, the test login."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    login = base64.b64encode(f"{TEST_USER}:{TEST_PASSWORD}".encode()).decode()
    request = urllib.request.Request(url, headers={"Authorization": f"Basic {login}"})
    with urllib.request.urlopen(request, context=context, timeout=60) as response:
        return response.read().decode("utf-8")


def test_the_nginx_deployment_serves_swedish_html_and_passes_the_websocket(
    browser: Browser, app_url: str, tmp_path: Path
):
    """deploy/nginx.conf in front of the app: lang="sv" before any script, and the app runs."""
    with serve_nginx(tmp_path, app_url) as proxy_url:
        html = fetch_through(f"{proxy_url}/")
        assert '<html lang="sv">' in html and 'lang="en"' not in html
        context = browser.new_context(
            ignore_https_errors=True,
            http_credentials={"username": TEST_USER, "password": TEST_PASSWORD},
        )
        try:
            page = context.new_page()
            page.goto(f"{proxy_url}/gapanalys")
            wait_for_app(page)
            expect(page.locator("h4").filter(has_text="Störst skillnad")).to_be_visible()
            assert page.evaluate("document.documentElement.lang") == "sv"
        finally:
            context.close()
