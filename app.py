"""Arbetsmarknadsläget: page config, navigation and the sidebar every page shares."""

import os
import time
from pathlib import Path

import streamlit as st

from labourmarket import ui
from labourmarket.pages import PAGES

started = time.perf_counter()
st.set_page_config(
    page_title="Arbetsmarknadsläget",
    # A file of the repository, sent inline: an emoji or :material: icon makes every browser
    # fetch the favicon from a CDN, which an air-gapped municipal network cannot reach.
    page_icon=ui.FAVICON,
    layout="wide",
)
ui.declare_swedish()

navigation = st.navigation(
    [st.Page(p.file, title=p.title, icon=p.icon, default=p.default) for p in PAGES]
)
st.sidebar.markdown("**Arbetsmarknadsläget**  \nArbetslöshet i kommunerna, grupp för grupp")
try:
    navigation.run()
finally:
    # Opt-in, for `python -m bench.load --proxy`: the server's own time per script run (a
    # browser's clock shares the CPU with the browser). One short line, appended in one write.
    if render_log := os.environ.get("ARBETSMARKNAD_RENDER_LOG"):
        line = f"{time.time():.3f}\t{os.getpid()}\t/{navigation.url_path}"
        with Path(render_log).open("a", encoding="utf-8") as log:
            log.write(f"{line}\t{time.perf_counter() - started:.4f}\n")
