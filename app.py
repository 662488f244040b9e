"""Arbetsmarknadsläget: page config, navigation and the sidebar every page shares."""

import streamlit as st

from labourmarket.pages import PAGES

st.set_page_config(
    page_title="Arbetsmarknadsläget",
    page_icon=":material/query_stats:",
    layout="wide",
)

navigation = st.navigation(
    [st.Page(p.file, title=p.title, icon=p.icon, default=p.default) for p in PAGES]
)
st.sidebar.markdown("**Arbetsmarknadsläget**  \nArbetslöshet i kommunerna, grupp för grupp")
navigation.run()
