"""Arbetsmarknadsläget: page config, navigation and the sidebar every page shares."""

import streamlit as st

from labourmarket import ui
from labourmarket.pages import PAGES

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
navigation.run()
