"""The load run in small: two browser sessions walk the pages for a few seconds without errors."""

import pytest

from bench.load import PAGES, join_times, run_load
from tests.chromium import require_chromium

pytestmark = pytest.mark.e2e


def test_two_sessions_walk_the_pages_and_change_widgets_without_errors(app_url):
    require_chromium()
    result = run_load(app_url, sessions=2, seconds=8, think=0.5)
    assert result.errors == []
    assert result.pages >= 2 and result.widget_changes >= 1
    assert set(result.render_ms) <= {spec.path for spec in PAGES}
    assert 0 < min(join_times(result.render_ms)) <= max(join_times(result.render_ms)) < 60_000


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
