"""Jämför: kommunerna rangordnade på ett mått, och en kommuns skillnad mot länet grupp för grupp."""

import pandas as pd
import streamlit as st

from labourmarket import ui
from labourmarket.core import paths, peers
from labourmarket.core.store import LoadedData
from labourmarket.views import jamfor

CHART_CONFIG = {"displaylogo": False}


def show_exhibit(exhibit: jamfor.Exhibit, data: LoadedData, source_line: str) -> None:
    """The chart, or in the table view the heading, table and its note; then the downloads."""
    if exhibit.figure is not None:
        st.plotly_chart(exhibit.figure, theme=None, config=CHART_CONFIG)
    else:
        st.markdown(f"**{exhibit.title}**  \n{exhibit.subtitle}")
        st.table(exhibit.on_screen)
        if exhibit.table_note is not None:
            st.caption(exhibit.table_note)
    ui.offer_downloads(
        exhibit.file_name,
        data,
        exhibit.rows,
        exhibit.table,
        exhibit.download_title,
        source_line,
        exhibit.figure,
    )


@st.cache_data(show_spinner=False)
def load_peer_groups(raw_dir: str, stamp: float) -> pd.DataFrame:
    """The newest Kolada groups fetch; stamp (the folder's mtime) changes when one lands."""
    return peers.read_peer_groups()


def read_groups_stamp() -> tuple[str, float]:
    directory = paths.raw_dir() / peers.SOURCE
    return str(paths.raw_dir()), directory.stat().st_mtime if directory.exists() else 0.0


def show_newer_notice(offer: jamfor.JamforOffer) -> None:
    if offer.newer_notice is not None:
        st.info(offer.newer_notice)


st.title("Jämför")
st.caption(
    "Kommunerna rangordnade på ett mått, högsta värdet först, och för en kommun "
    "skillnaden mot länet eller riket i varje grupp, i procentenheter."
)
data = ui.require_data()

left, middle, right = st.columns([3, 1, 1])
with left:
    measure_id = ui.choose_measure(data)
with middle:
    series = ui.select_measure(data, measure_id)
    period = ui.choose_period(data, measure_id, ui.list_periods_once(data, measure_id))
with right:
    view = ui.choose_one(
        "Visa", "view", list(jamfor.VIEWS), "chart", jamfor.VIEWS.get, horizontal=True
    )
offer = ui.build_view_once(jamfor.offer, data, series, measure_id, period)

with st.expander("Varför kan jag inte jämföra två mått?"):
    st.markdown(offer.comparability)
if offer.notice is not None:
    st.info(offer.notice)
    show_newer_notice(offer)
    st.stop()
left, middle, right = st.columns([2, 2, 1])
with left:
    population = ui.choose_one(
        "Kommuner att rangordna",
        "population",
        list(offer.populations),
        offer.default_population,
        offer.populations.__getitem__,
    )
    st.caption(offer.population_caption)
with right:
    sex = ui.choose_sex(offer.rows)
with middle:
    groups = offer.groups[sex]
    keys = list(groups)
    group_key = ui.choose_one("Grupp", "group", keys, keys[0], groups.__getitem__)
ranking_offer = ui.build_view_once(
    jamfor.offer_ranking, data, offer, population, sex, group_key, key=(measure_id, period)
)
highlighted = ui.choose_regions(
    "regions", ranking_offer.regions, ranking_offer.default_regions, data.catalog
)
if ranking_offer.notice is not None:
    st.info(ranking_offer.notice)
    show_newer_notice(offer)
    st.stop()
choices = jamfor.JamforChoices(
    measure_id, period, offer.rows, view, population, sex, group_key, highlighted
)
content = ui.build_view_once(jamfor.build, data, choices)

st.subheader("Rangordning")
show_exhibit(content.ranking, data, content.source_line)
st.markdown(content.sentences)
if content.ranking_note:
    st.caption(content.ranking_note)

st.subheader("Skillnad mot länet eller riket, grupp för grupp")
if content.profile is None:
    st.info(content.profile_notice)
else:
    left, right = st.columns(2)
    with left:
        region = ui.choose_one(
            "Kommun",
            "profile",
            content.profile.regions,
            content.profile.default_region,
            data.catalog.region_name,
        )
    with right:
        benchmark = ui.choose_one(
            "Jämför med",
            "benchmark",
            content.profile.benchmarks,
            jamfor.pick_benchmark(data, content.profile, region),
            data.catalog.region_name,
            horizontal=True,
        )
    profile_choices = jamfor.ProfileChoices(choices, region, benchmark)
    profile = ui.build_view_once(jamfor.build_profile, data, profile_choices)
    if profile.exhibit is None:
        st.info(profile.notice)
    else:
        show_exhibit(profile.exhibit, data, content.source_line)
        st.markdown(profile.sentence)
        if profile.missing_note:
            st.caption(profile.missing_note)

st.subheader("Rangordna inom länet eller kommungruppen")
# The groups file's stamp keys the cached offers: a new Kolada fetch shows without a restart.
groups_stamp = read_groups_stamp()
peer_groups = load_peer_groups(*groups_stamp)
peer_offer = ui.build_view_once(jamfor.offer_peers, data, choices, peer_groups, key=groups_stamp)
if peer_offer.default_region is not None and peer_offer.scopes:
    left, right = st.columns(2)
    with left:
        peer_region = ui.choose_one(
            "Kommun",
            "peer_region",
            peer_offer.regions,
            peer_offer.default_region,
            data.catalog.region_name,
        )
    if peer_region != peer_offer.default_region:
        peer_offer = ui.build_view_once(
            jamfor.offer_peers, data, choices, peer_groups, peer_region, key=groups_stamp
        )
    with right:
        scope = ui.choose_one(
            "Rangordna inom",
            "peer_scope",
            list(peer_offer.scopes),
            jamfor.PEER_COUNTY,
            peer_offer.scopes.__getitem__,
        )
    if peer_offer.notice is not None:
        st.info(peer_offer.notice)
    peer_ranking = ui.build_view_once(
        jamfor.build_peer_ranking, data, choices, peer_offer, peer_region, scope, key=groups_stamp
    )
    st.markdown(f"**{peer_ranking.title}**")
    st.table(peer_ranking.on_screen)
    st.markdown(peer_ranking.sentence)
elif peer_offer.notice is not None:
    st.info(peer_offer.notice)

# Beside the source line it dates: the ranked period and the publisher's newest read together.
show_newer_notice(offer)
st.caption(content.source_line)
st.caption(content.measure_note)
