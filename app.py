"""Arbetsmarknadsläget: page config, navigation and the sidebar every page shares."""

import streamlit as st

st.set_page_config(
    page_title="Arbetsmarknadsläget",
    page_icon=":material/query_stats:",
    layout="wide",
)

navigation = st.navigation(
    [
        st.Page(
            "app_pages/oversikt.py", title="Översikt", icon=":material/dashboard:", default=True
        ),
        st.Page("app_pages/gapanalys.py", title="Gapanalys", icon=":material/compare_arrows:"),
        st.Page("app_pages/utveckling.py", title="Utveckling", icon=":material/show_chart:"),
        st.Page("app_pages/jamfor.py", title="Jämför", icon=":material/leaderboard:"),
        st.Page("app_pages/mal.py", title="Mål", icon=":material/flag:"),
        st.Page("app_pages/namndvy.py", title="Nämndvy", icon=":material/co_present:"),
        st.Page("app_pages/export.py", title="Export", icon=":material/download:"),
        st.Page("app_pages/kallor.py", title="Källor och data", icon=":material/menu_book:"),
    ]
)
st.sidebar.markdown("**Arbetsmarknadsläget**  \nArbetslöshet i kommunerna, grupp för grupp")
navigation.run()
