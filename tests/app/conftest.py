"""AppTest helpers: a fresh cache per test, the app's entry point, and on-screen table text."""

import json

import pandas as pd
import pyarrow as pa
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from labourmarket.core import paths
from labourmarket.pages import PAGES
from tests.af_observations import append_to_build

APP = str(paths.REPO_DIR / "app.py")
# A script run that takes longer has hung: a hang guard, far above a run on a busy machine.
HANG_GUARD_SECONDS = 300


@pytest.fixture(autouse=True)
def clear_streamlit_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def af_tree(built_tree):
    """The bundled build plus made-up monthly AF shares: TEST DATA (tests/af_observations.py)."""
    append_to_build()
    return built_tree


PAGE_FILES = {page.name: page.file for page in PAGES}  # "gapanalys": "app_pages/gapanalys.py"
GAP = PAGE_FILES["gapanalys"]
OVERVIEW = PAGE_FILES["oversikt"]
TARGETS = PAGE_FILES["mal"]
SOURCES = PAGE_FILES["kallor"]


def open_page(page: str | None, **query: str) -> AppTest:
    """Run the app once on `page` (None: the landing page), as a visitor with `query` in the URL."""
    at = AppTest.from_file(APP, default_timeout=HANG_GUARD_SECONDS)
    for key, value in query.items():
        at.query_params[key] = value
    if page is not None:
        at.switch_page(page)
    return at.run()


def read_shown_table(at: AppTest, index: int = 0) -> pd.DataFrame:
    """Return a st.table's cells as the viewer sees them (the Styler's formatted strings)."""
    styler = at.table[index].proto.arrow_data.styler
    return pa.ipc.open_stream(styler.display_values).read_all().to_pandas()


def read_charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def decode_array(value: object) -> list:
    """Plotly 7 sends numeric arrays as {"dtype", "bdata"} (base64); turn them into a list."""
    if isinstance(value, dict) and "bdata" in value:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)
