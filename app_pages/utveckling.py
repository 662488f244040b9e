"""Utveckling: one measure and group over time for chosen regions, with references and targets."""

import streamlit as st

from labourmarket import ui
from labourmarket.output.formatting import BREAKDOWN_LABELS
from labourmarket.views import utveckling

WHY_ONE_MEASURE = (
    "Måtten har olika definitioner: Arbetsförmedlingens inskrivna arbetslösa som andel av den "
    "registerbaserade arbetskraften, SCB:s BAS-arbetslöshet och SCB:s integrationsstatistik "
    "räknar på olika befolkningar och nämnare. Därför ritas de aldrig som en serie och dras "
    "aldrig från varandra. Jämför i stället varje mått för sig; definitionerna står på sidan "
    "Källor och data."
)

st.title("Utveckling")
st.caption("Ett mått och en grupp över tid, med länet och riket som referens och strategins mål.")
data = ui.require_data()
targets = ui.load_targets_or_explain(data.catalog)

left, middle, right = st.columns([3, 1, 1])
with left:
    measure_id = ui.choose_measure(data, longest_series=True)
series = ui.select_measure(data, measure_id)
with right:
    sex = ui.choose_sex(series)
offer = ui.build_view_once(utveckling.offer, data, series, measure_id, sex)
with middle:
    groups = list(offer.groups)
    group_key = ui.choose_one("Grupp", "group", groups, groups[0], offer.groups.__getitem__)
chosen = ui.choose_regions("regions", offer.regions, offer.default_regions, data.catalog)
periods = list(offer.periods)
left, middle, right = st.columns([2, 2, 1])
with left:
    first = ui.choose_one("Från", "from", periods, periods[0], offer.periods.__getitem__)
with middle:
    last = ui.choose_one("Till", "to", periods, periods[-1], offer.periods.__getitem__)
with right:
    view = ui.choose_one(
        "Visa", "view", list(utveckling.VIEWS), "chart", utveckling.VIEWS.get, horizontal=True
    )
transform = ui.choose_one(
    "Värden",
    "transform",
    list(offer.transforms),
    "value",
    offer.transforms.get,
    horizontal=True,
)
if not chosen:
    st.info(offer.no_region_notice)
    st.stop()
benchmark = breakdown = ""
if view == "why":
    why_offer = ui.build_view_once(
        utveckling.offer_why, data, series, chosen[0], sex, key=measure_id
    )
    left, right = st.columns([1, 1])
    if why_offer.benchmarks:
        with left:
            benchmark = ui.choose_one(
                "Jämför med",
                "benchmark",
                why_offer.benchmarks,
                why_offer.benchmarks[0],
                data.catalog.region_name,
                horizontal=True,
            )
    if why_offer.breakdowns:
        with right:
            breakdown = ui.choose_one(
                "Uppdelning",
                "breakdown",
                why_offer.breakdowns,
                why_offer.breakdowns[0],
                BREAKDOWN_LABELS.get,
                horizontal=True,
            )

content = ui.build_view_once(
    utveckling.build,
    data,
    utveckling.UtvecklingChoices(
        measure_id,
        series,
        sex,
        group_key,
        chosen,
        first,
        last,
        view,
        transform,
        targets,
        benchmark,
        breakdown,
    ),
)
if content.newer_notice is not None:
    st.info(content.newer_notice)
why = content.why
if why is not None:
    st.markdown("#### Varför skiljer sig arbetslösheten?")
    if why.notice is not None:
        st.warning(why.notice)
    else:
        st.plotly_chart(why.figure, theme=None, config={"displaylogo": False})
        ui.offer_downloads(
            why.file_name, data, why.rows, why.table, why.title, why.source_line, why.figure
        )
        st.caption(utveckling.WHY_CAPTION)
        if why.gaps_note:
            st.caption(why.gaps_note)
        st.caption(why.source_line)
    st.stop()
if content.single_period_notice is not None:
    st.info(content.single_period_notice)
if content.figure is not None:
    st.plotly_chart(content.figure, theme=None, config={"displaylogo": False})
else:
    st.table(content.table.style())
ui.offer_downloads(
    content.file_name,
    data,
    content.rows,
    content.table,
    content.title,
    content.source_line,
    content.figure,
)
st.markdown(content.sentence)
if content.missing_note:
    st.caption(content.missing_note)
st.caption(content.source_line)
with st.expander("Varför kan jag inte visa två mått i samma diagram?"):
    st.markdown(WHY_ONE_MEASURE)
