"""Gapanalys: each group's unemployment in chosen kommuner beside the county or the country."""

import streamlit as st

from labourmarket import ui
from labourmarket.output.formatting import BREAKDOWN_LABELS
from labourmarket.views import gapanalys
from labourmarket.views.gapanalys import VIEWS, GapanalysChoices

st.title("Gapanalys")
st.caption(
    "Arbetslösheten i varje grupp jämförd med länet eller riket. "
    "Skillnaden anges i procentenheter: kommunens värde minus jämförelsens."
)
data = ui.require_data()
catalog = data.catalog

left, middle, right = st.columns([3, 1, 1])
with left:
    # The page compares with the county or the country: its default measure must have them.
    measure_id = ui.choose_measure(data, needs_benchmark=True)
with middle:
    series = ui.select_measure(data, measure_id)
    period = ui.choose_period(data, measure_id, ui.list_periods_once(data, measure_id))
offer = ui.build_view_once(gapanalys.offer, data, series, measure_id, period)
with right:
    sex = ui.choose_sex(offer.rows)

chosen = ui.choose_regions("regions", offer.regions, offer.default_regions, catalog)
comparisons = ui.build_view_once(
    gapanalys.offer_comparisons, data, offer.rows, chosen, sex, key=(measure_id, period)
)
if offer.newer_notice is not None:
    st.info(offer.newer_notice)
if comparisons.problem is not None:
    st.warning(comparisons.problem)
    st.stop()
left, middle, right = st.columns(3)
with left:
    benchmark = ui.choose_one(
        "Jämför med",
        "benchmark",
        comparisons.benchmarks,
        comparisons.default_benchmark,
        catalog.region_name,
        horizontal=True,
    )
with middle:
    breakdown = ui.choose_one(
        "Uppdelning",
        "breakdown",
        comparisons.breakdowns,
        comparisons.default_breakdown,
        BREAKDOWN_LABELS.get,
        horizontal=True,
    )
with right:
    view = ui.choose_one("Visa", "view", list(VIEWS), "chart", VIEWS.get, horizontal=True)

if not chosen:
    st.info(offer.no_region_notice)
    st.stop()

choices = GapanalysChoices(
    measure_id, period, offer.rows, sex, tuple(chosen), benchmark, breakdown, view
)
content = ui.build_view_once(gapanalys.build, data, choices)
st.markdown(f"#### {content.headline}")
if view == "why":
    st.markdown(f"**{content.heading}**")
    if content.split_notice is not None:
        st.warning(content.split_notice)
    for split in content.splits:
        st.markdown(split.sentence)
        if split.chart is not None:
            st.plotly_chart(split.chart.figure, theme=None, config={"displaylogo": False})
        st.table(split.table.style())
        ui.offer_downloads(
            split.chart.file_name if split.chart else f"{content.file_name}_varfor_{split.region}",
            data,
            content.rows,
            split.table,
            split.chart.title if split.chart else content.heading,
            content.source_line,
            split.chart.figure if split.chart else None,
        )
elif content.charts:
    for chart in content.charts:
        st.plotly_chart(chart.figure, theme=None, config={"displaylogo": False})
        ui.offer_downloads(
            chart.file_name,
            data,
            content.rows,
            content.table,
            chart.title,
            content.source_line,
            chart.figure,
        )
else:
    st.markdown(f"**{content.heading}**")
    st.table(content.table.style())
    ui.offer_downloads(
        content.file_name, data, content.rows, content.table, content.heading, content.source_line
    )
if content.missing_note is not None:
    st.caption(content.missing_note)
st.caption(content.source_line)
st.caption(content.measure_note)
