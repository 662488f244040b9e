"""Two browser sessions side by side walk every page and change its widget, without errors.

Untimed: every wait is a hang guard, never a pass criterion. The load run in small with its time
limits is a benchmark: `python -m bench.load --smoke`.
"""

import pytest

from bench.load import PAGE_CHECKS, list_page_specs, run_load, walk_pages
from labourmarket.pages import PAGES
from tests.chromium import require_chromium

pytestmark = pytest.mark.e2e


def test_two_sessions_walk_every_page_and_change_its_widget_without_errors(app_url):
    require_chromium()
    result = walk_pages(app_url, sessions=2)
    assert result.errors == []
    # Each session rendered every page once (by its URL first, then from the sidebar) ...
    assert result.pages == 2 * len(PAGES)
    assert {path: len(renders) for path, renders in result.render_ms.items()} == {
        f"/{page.url_path}": 2 for page in PAGES
    }
    # ... and changed the widget on every page that has one, the rerun showing the page again.
    with_widget = [spec.path for spec in list_page_specs() if spec.widget]
    assert result.widget_changes == 2 * len(with_widget)
    assert {path: len(reruns) for path, reruns in result.rerun_ms.items()} == dict.fromkeys(
        with_widget, 2
    )


def test_the_load_run_checks_every_page_of_the_app():
    assert set(PAGE_CHECKS) == {page.name for page in PAGES}
    assert [spec.page for spec in list_page_specs()] == list(PAGES)
    assert list_page_specs()[0].path == "/"


@pytest.mark.parametrize(
    ("url", "sessions", "seconds"),
    [
        ("http://example.org:8501", 1, 1),
        ("http://0.0.0.0:8501", 1, 1),
        ("http://127.0.0.1:8501", 51, 1),
        ("http://127.0.0.1:8501", 1, 601),
        ("http://127.0.0.1:8501", 0, 1),
    ],
)
def test_the_load_run_is_bounded_and_loopback_only(url, sessions, seconds):
    with pytest.raises(ValueError, match=r"127\.0\.0\.1|sessions"):
        run_load(url, sessions, seconds)


@pytest.mark.parametrize(
    ("url", "sessions"),
    [("http://example.org:8501", 2), ("http://localhost:8501", 2), ("http://127.0.0.1:8501", 0)],
)
def test_the_walk_is_bounded_and_loopback_only(url, sessions):
    with pytest.raises(ValueError, match=r"127\.0\.0\.1|sessions"):
        walk_pages(url, sessions)
