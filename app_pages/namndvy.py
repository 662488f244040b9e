"""Nämndvy: a meeting's indicators one slide at a time, in large type, live as new data lands."""

from typing import Any

import pandas as pd
import streamlit as st

from labourmarket import ui
from labourmarket.core import paths, store
from labourmarket.core.agenda import DEFAULT_AGENDA, Agenda, build_default_agenda, load_agendas
from labourmarket.core.catalog import Catalog, CatalogError
from labourmarket.views.namndvy import (
    EMBED_CSS,
    SLIDE_CSS,
    SlideContent,
    build_slide,
    describe_agenda,
    describe_build_time,
    detach_source_line,
    fit_for_projector,
    read_live_seconds,
    read_slide_number,
)

LAST_GOOD = "namndvy_last_good"  # (observations, manifest) of the last build that read cleanly
SHOWN_AGENDA = "namndvy_agenda"
VIEWS = {"slides": "Presentation", "handout": "Utskrift (alla bilder)"}
LiveData = tuple[pd.DataFrame, dict[str, Any]]

st.html(SLIDE_CSS)
if st.context.is_embedded:
    st.html(EMBED_CSS)
try:
    catalog = ui.load_catalog_cached(str(paths.reference_dir()), ui.read_reference_version())
except CatalogError as error:
    st.error(f"Referensdatan kunde inte läsas: {error}")
    st.stop()
targets = ui.load_targets_or_explain(catalog)
agendas, problems = load_agendas(catalog, targets)
regions = sorted({t.region for t in targets}, key=catalog.region_name)

wanted = st.query_params.get("agenda")
if wanted in problems:
    # In the main area: with ?embed=true the sidebar is hidden.
    st.error(f"**Dagordningen kunde inte läsas.** Rätta filen.\n\n`{problems[wanted]}`")
by_key = {a.key: a for a in agendas}
options = [DEFAULT_AGENDA, *by_key] if regions else list(by_key)
if not options:
    st.info("Det finns varken mål eller dagordningar att visa.")
    st.stop()
names = {DEFAULT_AGENDA: "Kommunens mål", **{a.key: describe_agenda(a) for a in agendas}}
with st.sidebar:
    st.markdown("**Nämndvy**")
    view = ui.choose_one("Visning", "view", list(VIEWS), "slides", VIEWS.__getitem__)
    chosen = ui.choose_one("Dagordning", "agenda", options, options[0], names.__getitem__)
    if chosen == DEFAULT_AGENDA:
        region = ui.choose_one("Kommun", "region", regions, regions[0], catalog.region_name)
        agenda = build_default_agenda(region, targets, catalog)
    else:
        agenda = by_key[chosen]
    for stem, problem in problems.items():
        if stem != wanted:
            st.error(f"Dagordning som inte kunde läsas:\n\n`{problem}`")
    st.caption(
        "För projektorn: lägg till `&embed=true&embed_options=light_theme` i adressen (utan meny, "
        "ljust tema). Bildnumret står i adressen (`slide=`), så en länk öppnar rätt bild."
    )

# A new agenda starts at its first slide; a link's own slide number is kept.
shown_agenda = f"{agenda.key}:{agenda.region}"
if st.session_state.get(SHOWN_AGENDA, shown_agenda) != shown_agenda:
    st.query_params["slide"] = "1"
st.session_state[SHOWN_AGENDA] = shown_agenda


def read_live_data() -> LiveData | None:
    """The current build, or while it cannot be read the last one that could, with a notice."""
    problem = None
    try:
        version = store.read_data_version()
        manifest = store.read_manifest()
        if version is not None or manifest is not None:
            ui.check_build(manifest, version)
            observations = ui.load_observations_cached(str(paths.clean_dir()), version)
            st.session_state[LAST_GOOD] = (observations, manifest)
            return observations, manifest
    # ValueError: pyarrow's ArrowInvalid, a half-written or damaged Parquet file.
    except (store.StoreError, OSError, ValueError) as error:
        problem = error
    last_good = st.session_state.get(LAST_GOOD)
    if last_good is not None:
        st.caption(
            f":material/sync_problem: Visar senast lästa data från "
            f"{describe_build_time(last_good[1])}; ny data kunde inte läsas just nu."
        )
        return last_good
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
        label = ", ".join(filter(None, [content.region_name, content.group_label.lower()]))
        st.metric(f"{label}, {content.period or 'inget värde'}", content.headline)
    with st.container(key=f"{prefix}_subject"):
        st.markdown(content.measure_name)
    if content.comparisons:
        with st.container(key=f"{prefix}_gaps"):
            for column, comparison in zip(
                st.columns(len(content.comparisons)), content.comparisons, strict=True
            ):
                column.metric(comparison.label, comparison.gap)
    with st.container(key=f"{prefix}_notes"):
        if content.comparison_note:
            st.markdown(content.comparison_note)
        if content.trend:
            st.markdown(f"Utveckling: {content.trend}")
        if content.status is None:
            st.markdown("Bilden visar ett mått utan mål i strategin.")
    if content.status is None:
        return
    with st.container(key=f"{prefix}_status"):
        st.markdown(f"**Mål: {content.status}**")
    with st.container(key=f"{prefix}_notes_status"):
        st.markdown(f"{content.status_detail}  \nMålet står i {content.goal_source}.")


def show_chart(content: SlideContent, prefix: str, figure: Any) -> None:
    """The chart; a slide without one (nothing to judge yet) shows the document's words instead.

    No download button: here the source line is the slide's footer, not part of the image.
    """
    if figure is not None:
        # theme=None keeps the house style's font sizes (Streamlit's theme shrinks them).
        st.plotly_chart(figure, theme=None, config={"displayModeBar": False})
    elif content.quote:
        with st.container(key=f"{prefix}_quote"):
            st.markdown(f"”{content.quote}”")
    else:
        st.info(f"Inga värden för {content.region_name} i måttet och gruppen.")


def show_slide(
    agenda: Agenda, catalog: Catalog, observations: pd.DataFrame, manifest: dict[str, Any]
) -> None:
    count = len(agenda.slides)
    number, notice = read_slide_number(st.query_params.get("slide"), count)
    if notice:
        st.warning(notice, icon=":material/link_off:")
    st.query_params["slide"] = str(number)
    content = build_slide(agenda.slides[number - 1], agenda.region, observations, catalog)
    with st.container(key="nv_slide"):
        with st.container(key="nv_kicker"):
            st.markdown(f"{describe_agenda(agenda)} · bild {number} av {count}")
        st.title(content.title, anchor=False)
        left, right = st.columns([5, 7], gap="large")
        with left:
            show_figures(content, "nv")
        with right:
            figure = content.figure
            if figure is not None:
                figure = fit_for_projector(figure, content.source_line)
            show_chart(content, "nv", figure)
        with st.container(key="nv_footer"):
            st.markdown(f"{content.source_line} Uppdaterad {describe_build_time(manifest)}.")
    with st.container(key="nv_nav"):
        back, middle, forward = st.columns([2, 1, 2])
        back.button(
            "Föregående",
            icon=":material/arrow_back:",
            key="nv_previous",
            on_click=go_to,
            args=(number - 1,),
            disabled=number == 1,
            width="stretch",
        )
        with middle, st.container(key="nv_count"):
            st.markdown(f"{number} / {count}")
        forward.button(
            "Nästa",
            icon=":material/arrow_forward:",
            key="nv_next",
            on_click=go_to,
            args=(number + 1,),
            disabled=number == count,
            width="stretch",
        )


def show_handout(
    agenda: Agenda, catalog: Catalog, observations: pd.DataFrame, manifest: dict[str, Any]
) -> None:
    """Every slide in order on one page, for printing with the minutes."""
    st.title(agenda.title, anchor=False)
    st.caption(f"{describe_agenda(agenda)} · data uppdaterad {describe_build_time(manifest)}")
    for number, slide in enumerate(agenda.slides, start=1):
        content = build_slide(slide, agenda.region, observations, catalog)
        prefix = f"nv_handout_{number}"
        with st.container(key=prefix, border=True):
            st.subheader(f"{number}. {content.title}", anchor=False)
            left, right = st.columns([2, 3])
            with left:
                show_figures(content, prefix)
            with right:
                figure = content.figure
                if figure is not None:
                    figure = detach_source_line(figure, content.source_line)
                show_chart(content, prefix, figure)
            st.caption(content.source_line)


@st.fragment(run_every=read_live_seconds())
def show_live(agenda: Agenda, catalog: Catalog, view: str) -> None:
    """Rerun on its own every few seconds: a new build shows without a reload or a lost slide."""
    live = read_live_data()
    if live is None:
        return
    if view == "handout":
        show_handout(agenda, catalog, *live)
    else:
        show_slide(agenda, catalog, *live)


show_live(agenda, catalog, view)
