"""Mål: a municipality's strategy targets, where each stands, and each drawn against its target."""

import streamlit as st

from labourmarket import ui
from labourmarket.core.store import LoadedData
from labourmarket.views import mal


def offer_download(data: LoadedData, download: mal.Download) -> None:
    ui.offer_downloads(
        download.name,
        data,
        download.rows,
        download.table,
        download.title,
        download.source_line,
        download.figure,
    )


st.title("Mål")
st.caption(
    "Strategiernas mål om arbetslöshet, hämtade ur dokumenten med citat, och var kommunen står. "
    "Status anges med ord och symbol: ✓ uppfyllt, ≈ nära, ✗ ej uppfyllt, ? kan inte bedömas."
)
data = ui.require_data()
targets = ui.load_targets_or_explain(data.catalog)
if not targets:
    st.stop()

regions = mal.offer(data, targets).regions
region = ui.choose_one("Kommun", "region", regions, regions[0], data.catalog.region_name)
content = ui.build_view_once(
    mal.build, data, mal.MalChoices(region, tuple(targets), ui.evaluate_targets(data, targets))
)

st.markdown(content.counts)
for notice in content.newer_notices:
    st.info(notice)
st.table(content.table)
if content.source_line:
    st.caption(content.source_line)
offer_download(data, content.download)
for chart in content.charts:
    if chart.figure is None:
        st.subheader(chart.heading)
        st.info(chart.notice)
    else:
        st.plotly_chart(chart.figure, theme=None, config={"displaylogo": False})
        offer_download(data, chart.download)
    st.caption(chart.caption)
