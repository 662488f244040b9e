"""Översikt: per kommun the latest figure, the gaps to county and country, trend and targets."""

import streamlit as st

from labourmarket import ui
from labourmarket.views import oversikt
from labourmarket.views.oversikt import OversiktChoices

st.title("Översikt")
st.caption(
    "Senaste värdet för varje vald kommun, skillnaden mot länet och riket, utvecklingen "
    "och hur det går med strategiernas mål."
)
data = ui.require_data()
targets = ui.load_targets_or_explain(data.catalog)

left, right = st.columns([4, 1])
with left:
    measure_id = ui.choose_measure(data)
series = ui.select_measure(data, measure_id)
with right:
    sex = ui.choose_sex(series)
offer = ui.build_view_once(oversikt.offer, data, series, key=measure_id)
chosen = ui.choose_regions("regions", offer.regions, offer.default_regions, data.catalog)
results = ui.evaluate_targets(data, targets)
if not chosen:
    # A measure of another level (BAS has län, not kommuner) empties the kommun choice.
    st.info(offer.no_region_notice)

choices = OversiktChoices(measure_id, series, sex, tuple(chosen), tuple(targets), results)
content = ui.build_view_once(oversikt.build, data, choices)
if content.newer_notice is not None:
    st.info(content.newer_notice)
for start in range(0, len(content.cards), 2):
    for column, card in zip(st.columns(2), content.cards[start : start + 2], strict=False):
        with column, st.container(border=True):
            st.subheader(card.region_name)
            if card.notice is not None:
                st.info(card.notice)
                continue
            # Three columns even when a county card has two metrics: the cards line up.
            for metric_column, (label, figure) in zip(st.columns(3), card.metrics, strict=False):
                metric_column.metric(label, figure)
            if card.gap_note is not None:
                st.caption(card.gap_note)
            st.caption(card.caption)
            if card.targets is not None:
                st.markdown("**Mål i strategin**")
                st.markdown(card.targets)
st.caption(content.source_line)
st.caption(content.measure_note)
