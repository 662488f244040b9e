"""Nämndvy: a meeting's indicators one slide at a time, in large type, live as new data lands."""

import streamlit as st

from labourmarket import ui
from labourmarket.core import paths, store
from labourmarket.core.agenda import DEFAULT_AGENDA, Agenda
from labourmarket.core.catalog import CatalogError
from labourmarket.core.changelog import read_changes_since
from labourmarket.core.store import LoadedData
from labourmarket.views import namndvy
from labourmarket.views.namndvy import (
    EMBED_CSS,
    NEWS_CHOICES,
    SLIDE_CSS,
    VIEWS,
    NamndvyChoices,
    NamndvyContent,
    NewsContent,
    SlideContent,
    read_live_seconds,
)

LAST_GOOD = "namndvy_last_good"  # the LoadedData of the last build that read cleanly
SHOWN_AGENDA = "namndvy_agenda"
# A keyboard steps with the arrows, a presenter's clicker with PageDown/PageUp. A Streamlit button
# takes one shortcut, so each step has two buttons; the page's CSS hides the PageDown/PageUp one.
STEP_KEYS = {"next": ("Right", "PageDown"), "previous": ("Left", "PageUp")}
STEP_ICONS = {"next": ":material/arrow_forward:", "previous": ":material/arrow_back:"}
CHART_CONFIG = {"displayModeBar": False}

st.html(SLIDE_CSS)
if st.context.is_embedded:
    st.html(EMBED_CSS)
try:
    catalog = ui.load_catalog_cached(str(paths.reference_dir()), ui.read_reference_version())
except CatalogError as error:
    st.error(f"Referensdatan kunde inte läsas: {error}")
    st.stop()
targets = ui.load_targets_or_explain(catalog)
wanted = st.query_params.get("agenda")
offer = namndvy.offer(catalog, targets, wanted)

if offer.link_problem:
    # In the main area: with ?embed=true the sidebar is hidden.
    st.error(offer.link_problem)
if not offer.options:
    st.info(namndvy.NOTHING_TO_SHOW)
    st.stop()
with st.sidebar:
    st.markdown("**Nämndvy**")
    view = ui.choose_one("Visning", "view", list(VIEWS), "slides", VIEWS.__getitem__)
    chosen = ui.choose_one(
        "Dagordning", "agenda", offer.options, offer.options[0], offer.names.__getitem__
    )
    region, news = None, "off"
    if chosen == DEFAULT_AGENDA:
        region = ui.choose_one(
            "Kommun", "region", offer.regions, offer.regions[0], catalog.region_name
        )
        news = ui.choose_one(
            "Börja med", "news", list(NEWS_CHOICES), "off", NEWS_CHOICES.__getitem__, True
        )
    agenda = namndvy.pick_agenda(offer, chosen, region, with_news=news == "on")
    for problem in offer.other_problems:
        st.error(problem)
    st.caption(
        "För projektorn: **Öppna för projektor** ovanför bilden öppnar den i en ny flik, utan meny "
        "och i ljust tema. Piltangenterna och presentatörens PageDown/PageUp byter bild. "
        "Bildnumret står i adressen, så en länk öppnar rätt bild."
    )

# A new agenda starts at its first slide; a link's own slide number is kept. Opening with news
# or not renumbers the slides: that starts at the first too.
shown_agenda = f"{agenda.key}:{agenda.region}:{agenda.opens_with_news}"
if st.session_state.get(SHOWN_AGENDA, shown_agenda) != shown_agenda:
    st.query_params["slide"] = "1"
st.session_state[SHOWN_AGENDA] = shown_agenda


def read_live_data() -> tuple[LoadedData, bool] | None:
    """The current build, or while it cannot be read the last one that could (and True)."""
    problem = None
    try:
        data = ui.read_data()
        if data is not None:
            st.session_state[LAST_GOOD] = data
            return data, False
    # CatalogError: a reference file edited while the page is open.
    except (CatalogError, store.StoreError, OSError, ValueError) as error:
        problem = error
    last_good = st.session_state.get(LAST_GOOD)
    if last_good is not None:
        return last_good, True
    if problem is None:
        st.info(ui.BUILD_HELP)
    else:
        ui.explain_data_problem(problem)
    return None


def go_to(number: int) -> None:
    st.query_params["slide"] = str(number)


def show_figures(content: SlideContent, prefix: str) -> None:
    """Headline figure, gaps and status: the same blocks on a slide and in the handout.

    Container keys become CSS classes: the slide's ("nv_…") are the large ones.
    """
    with st.container(key=f"{prefix}_headline"):
        st.metric(content.headline_label, content.headline)
        if content.missing:
            with st.container(key=f"{prefix}_missing"):
                st.markdown(content.missing)
    with st.container(key=f"{prefix}_subject"):
        st.markdown(content.measure_name)
    if content.comparisons:
        with st.container(key=f"{prefix}_gaps"):
            for column, comparison in zip(
                st.columns(len(content.comparisons)), content.comparisons, strict=True
            ):
                column.metric(comparison.label, comparison.gap)
    with st.container(key=f"{prefix}_notes"):
        for note in content.notes:
            st.markdown(note)
    if content.status is None:
        return
    with st.container(key=f"{prefix}_status"):
        st.markdown(content.status_line)
    with st.container(key=f"{prefix}_notes_status"):
        st.markdown(content.status_note)


def show_chart(content: SlideContent, prefix: str) -> None:
    """The chart; a slide without one (nothing to judge yet) shows the document's words instead.

    No download button: here the source line is the slide's footer, not part of the image. On a
    slide the chart stretches to the height the page's CSS leaves it.
    """
    # theme=None keeps the house style's font sizes (Streamlit's theme shrinks them).
    if content.figure is not None and prefix == "nv":
        # nv_chart is the space the slide leaves, nv_plot the box plotly is sized from (SLIDE_CSS).
        with st.container(key="nv_chart"), st.container(key="nv_plot"):
            st.plotly_chart(content.figure, theme=None, config=CHART_CONFIG, height="stretch")
    elif content.figure is not None:
        st.plotly_chart(content.figure, theme=None, config=CHART_CONFIG)
    elif content.quote:
        with st.container(key=f"{prefix}_quote"):
            st.markdown(content.quote_line)


def show_news(news: NewsContent) -> None:
    """New periods and revised figures for the kommun: lines, then the revisions' table."""
    if news.lead:
        st.markdown(news.lead)
    if news.empty:
        st.info(news.empty, icon=":material/info:")
    if news.lines:
        st.markdown("\n".join(f"- {line}" for line in news.lines))
    if news.revisions is not None:
        st.table(news.revisions.style())
    if news.more:
        st.markdown(news.more)
    for note in news.notes:
        st.caption(note)


def show_slide(content: NamndvyContent) -> None:
    if content.slide_notice:
        st.warning(content.slide_notice, icon=":material/link_off:")
    st.query_params["slide"] = str(content.number)
    with st.container(key="nv_slide"):
        with st.container(key="nv_top", horizontal=True):
            with st.container(key="nv_kicker"):
                st.markdown(content.kicker)
            if not st.context.is_embedded:
                st.link_button(
                    "Öppna för projektor",
                    namndvy.compose_projector_link(st.query_params.to_dict(), content.number),
                    icon=":material/open_in_new:",
                    key="nv_projector",
                )
        st.title(content.title, anchor=False)
        if content.news is not None:
            with st.container(key="nv_news"):
                show_news(content.news)
        else:
            left, right = st.columns([5, 7], gap="large")
            with left:
                show_figures(content.slides[0], "nv")
            with right:
                show_chart(content.slides[0], "nv")
        if content.slides and content.slides[0].newer_notice:
            # Above the footer in large type: the room should know the figure is not the newest.
            with st.container(key="nv_newer"):
                st.markdown(f":material/update: {content.slides[0].newer_notice}")
        with st.container(key="nv_footer"):
            st.markdown(content.footer)
    with st.container(key="nv_nav"):
        back, middle, forward = st.columns([2, 1, 2])
        with back:
            show_step("Föregående", "previous", content.number - 1, content.number == 1)
        with middle, st.container(key="nv_count"):
            st.markdown(content.position)
        with forward:
            show_step("Nästa", "next", content.number + 1, content.number == content.count)


def show_step(label: str, direction: str, number: int, disabled: bool) -> None:
    """The button to the next or previous slide, and its twin for the other key (hidden)."""
    arrow, page_key = STEP_KEYS[direction]
    for key, shortcut in ((f"nv_{direction}", arrow), (f"nv_{direction}_page", page_key)):
        st.button(
            label,
            icon=STEP_ICONS[direction],
            key=key,
            on_click=go_to,
            args=(number,),
            disabled=disabled,
            width="stretch",
            shortcut=shortcut,
        )


def show_handout(content: NamndvyContent) -> None:
    """Every slide in order on one page, for printing with the minutes."""
    st.title(content.title, anchor=False)
    st.caption(content.kicker)
    if content.news is not None:
        with st.container(key="nv_page_news", border=True):
            st.subheader(f"1. {content.news.title}", anchor=False)
            show_news(content.news)
    for number, (heading, slide) in enumerate(
        zip(content.headings, content.slides, strict=True), start=1
    ):
        prefix = f"nv_handout_{number}"
        # One printed page per slide: the page's print CSS finds them by the "nv_page_" key.
        with st.container(key=f"nv_page_{number}", border=True):
            st.subheader(heading, anchor=False)
            left, right = st.columns([2, 3])
            with left:
                show_figures(slide, prefix)
            with right:
                show_chart(slide, prefix)
            if slide.newer_notice:
                st.info(slide.newer_notice, icon=":material/update:")
            st.caption(slide.source_line)


@st.fragment(run_every=read_live_seconds())
def show_live(agenda: Agenda, view: str) -> None:
    """Rerun on its own every few seconds: a new build shows without a reload or a lost slide."""
    live = read_live_data()
    if live is None:
        return
    data, is_last_good = live
    news, news_problem = None, None
    if agenda.opens_with_news:
        try:
            news = read_changes_since(agenda.since, data.manifest)
        except store.StoreError as error:
            news_problem = str(error)
    choices = NamndvyChoices(
        agenda, view, st.query_params.get("slide"), is_last_good, news, news_problem
    )
    content = ui.build_view_once(namndvy.build, data, choices)
    if content.data_notice:
        st.caption(content.data_notice)
    if view == "handout":
        show_handout(content)
    else:
        show_slide(content)


show_live(agenda, view)
