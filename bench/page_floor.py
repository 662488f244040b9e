"""The second floor for page benchmarks: the bare page plus a page's content, already built.

Reads the same Parquet the same way as bench/bare_page.py, and goes through the same
navigation as app.py (page config, every page in the menu), then draws what the page drew
(bench/floor_recorder.py, recorded in this process) without building any of it.
"""

from collections.abc import Callable

import streamlit as st

from bench import floor_recorder
from labourmarket import ui
from labourmarket.core import paths, store
from labourmarket.pages import PAGES

observations = ui.load_observations_cached(str(paths.clean_dir()), store.read_data_version() or "")
st.set_page_config(page_title="Arbetsmarknadsläget", page_icon=ui.FAVICON, layout="wide")
shown = st.query_params["floor_page"]


def replay_page(name: str) -> Callable[[], None]:
    def replay() -> None:
        floor_recorder.replay(name)

    replay.__name__ = f"replay_{name}"
    return replay


navigation = st.navigation(
    [
        st.Page(replay_page(p.name), title=p.title, icon=p.icon, default=p.name == shown)
        for p in PAGES
    ]
)
navigation.run()
