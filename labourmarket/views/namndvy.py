"""The Nämndvy: the agendas to choose from, and per slide its figure, gaps, status and chart."""

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
from babel.dates import format_date

from labourmarket.core.agenda import (
    DEFAULT_AGENDA,
    Agenda,
    Slide,
    build_default_agenda,
    load_agendas,
)
from labourmarket.core.catalog import Catalog
from labourmarket.core.changelog import ChangesSince
from labourmarket.core.periods import find_period_end, parse_period
from labourmarket.core.recency import find_newer_figures
from labourmarket.core.schema import GROUP_DIMENSIONS
from labourmarket.core.selection import COUNTRY_CODE, TOTAL, Group, select_rows
from labourmarket.core.store import LoadedData
from labourmarket.core.targets import Target, evaluate, select_latest, select_target_series
from labourmarket.output.change_tables import (
    count_word,
    format_periods,
    format_time,
    name_measure,
    shape_revisions,
)
from labourmarket.output.charts import plot_levels, plot_trend
from labourmarket.output.formatting import (
    format_gap,
    format_group,
    format_number,
    format_percent,
    format_period,
    keep_dates_whole,
    quote_link_value,
)
from labourmarket.output.sentences import compose_source_line, describe_newer_figures, join_sv
from labourmarket.output.shown_table import ShownTable
from labourmarket.views.mal import (
    describe_period,
    format_status,
    plot_target,
    select_target_rows,
    shorten_target_label,
)
from labourmarket.views.oversikt import Card, build_card, read_value

LIVE_SECONDS_ENV = "ARBETSMARKNAD_LIVE_SECONDS"
DEFAULT_LIVE_SECONDS = 30.0
# The chart's type on a 1080-line screen; the page's CSS scales the chart with the screen and
# gives it the height the text leaves.
PROJECTOR_FONT = 20
HANDOUT_HEIGHT = 380  # a chart under its slide's figures, the two on one A4 page with the title
MISSING_HEADLINE = "Uppgift saknas"
# ?embed=true drops the menu, light_theme the dark theme a browser may ask for.
PROJECTOR_PARAMS = {"embed": "true", "embed_options": "light_theme"}
VIEWS = {"slides": "Presentation", "handout": "Utskrift (alla bilder)"}
NOTHING_TO_SHOW = "Det finns varken mål eller dagordningar att visa."
NEWS_TITLE = "Nytt sedan förra mötet"
NEWS_TITLE_LAST_BUILD = "Nytt sedan förra bygget"
# A kommun's own agenda may open with what the last build brought (the link's ?news=on).
NEWS_CHOICES = {"off": "Första målet", "on": "Nytt sedan förra bygget"}
NEWS_ROWS = 8  # revisions on the projector; the handout lists them all
NEWS_COLUMNS = ["Mått", "Period", "Grupp", "Tidigare värde", "Nytt värde", "Hämtad nu"]


@dataclass(frozen=True)
class Comparison:
    label: str  # "Mot Stockholms län"
    gap: str  # "+0,6 p.e."


@dataclass(frozen=True)
class SlideContent:
    title: str
    region_name: str
    measure_name: str
    group_label: str  # "Totalt 16-64 år", "Utrikes födda"
    headline: str  # "7,7 %", or MISSING_HEADLINE when the region has no figure
    period: str | None  # "kv 3 2013"
    comparisons: tuple[Comparison, ...]
    comparison_note: str | None  # why a gap is not shown
    trend: str | None
    status: str | None  # "≈ Nära"; None on a slide without a target
    status_detail: str | None  # the period judged, or why it cannot be judged
    goal_source: str | None  # where the goal is written: document and section
    quote: str | None  # the document's own words
    figure: go.Figure | None  # untitled: the slide's heading names it
    source_line: str
    newer_notice: str | None = None  # the publisher has figures newer than the headline's
    missing: str | None = None  # why there is no headline figure

    @property
    def headline_label(self) -> str:
        """Over the headline figure: "Haninge, utrikes födda, kv 3 2013"."""
        label = ", ".join(filter(None, [self.region_name, self.group_label.lower()]))
        return f"{label}, {self.period}" if self.period else label

    @property
    def notes(self) -> tuple[str, ...]:
        """Under the gaps: why a gap is missing, the trend, and that a slide has no target."""
        notes = [self.comparison_note] if self.comparison_note else []
        if self.trend:
            notes.append(f"Utveckling: {self.trend}")
        if self.status is None:
            notes.append("Bilden visar ett mått utan mål i strategin.")
        return tuple(notes)

    @property
    def status_line(self) -> str:
        return f"**Mål: {self.status}**"

    @property
    def status_note(self) -> str:
        return f"{self.status_detail}  \nMålet står i {self.goal_source}."

    @property
    def quote_line(self) -> str:
        return f"”{self.quote}”"


@dataclass(frozen=True)
class NewsContent:
    """The "Nytt sedan förra mötet" slide: the kommun's new periods and revised figures."""

    title: str  # "Nytt sedan förra mötet"
    lead: str  # which kommun, since when, over how many builds
    lines: tuple[str, ...]  # per measure: its new periods and the kommun's newest figure
    revisions: ShownTable | None  # the kommun's revised figures, old -> new
    more: str | None  # how many revisions the projector leaves out
    notes: tuple[str, ...]  # withdrawn figures, builds without a comparison
    empty: str | None  # nothing new: says so


@dataclass(frozen=True)
class NamndvyOffer:
    """The agendas to choose among, and the agenda files that could not be read."""

    options: tuple[str, ...]  # the kommun's own targets (DEFAULT_AGENDA) first, then the files
    names: dict[str, str]  # each option as the picker names it
    regions: tuple[str, ...]  # the kommuner with targets, for DEFAULT_AGENDA
    link_problem: str | None  # the linked agenda's file could not be read: in the main area
    other_problems: tuple[str, ...]  # the other files that could not be read: in the sidebar
    agendas: dict[str, Agenda]  # by option; DEFAULT_AGENDA's per kommun is in region_agendas
    region_agendas: dict[str, Agenda]


@dataclass(frozen=True)
class NamndvyChoices:
    agenda: Agenda
    view: str  # a key of VIEWS
    slide: str | None  # the link's slide number, as written: build checks it
    is_last_good: bool = False  # the data is the last build that could be read, not the current
    # For an agenda that opens with news: changelog.read_changes_since for it (None: the
    # history does not hold this build), or why it could not be read.
    news: ChangesSince | None = None
    news_problem: str | None = None


@dataclass(frozen=True)
class NamndvyContent:
    """One slide for the projector (view "slides") or every slide in order (view "handout")."""

    title: str  # the slide's title, or the agenda's over the handout
    kicker: str  # above the slide ("… · bild 2 av 6"), or under the handout's title
    slides: tuple[SlideContent, ...]  # the one shown, or all; figures sized for the view
    headings: tuple[str, ...]  # the handout's numbered headings: "1. …"
    number: int  # the slide shown, 1-based (1 in the handout)
    count: int
    position: str  # "2 / 6", between the buttons
    footer: str  # under the slide: its sources and when the data was built
    slide_notice: str | None  # the link's slide number is not in the agenda
    data_notice: str | None  # the figures are the last build that could be read
    news: NewsContent | None = None  # the news slide shown (or the handout's first part)


def read_live_seconds(environ: Mapping[str, str] | None = None) -> float:
    """How often an open Nämndvy looks for new data; the environment may shorten it (tests)."""
    text = (os.environ if environ is None else environ).get(LIVE_SECONDS_ENV)
    try:
        seconds = float(text) if text else DEFAULT_LIVE_SECONDS
    except ValueError:
        return DEFAULT_LIVE_SECONDS
    return seconds if math.isfinite(seconds) and seconds > 0 else DEFAULT_LIVE_SECONDS


def read_slide_number(wanted: str | None, count: int) -> tuple[int, str | None]:
    """The 1-based slide a link asks for, or 1 and a notice when there is no such slide."""
    if wanted is None:
        return 1, None
    # The length check first: int() refuses strings of more than 4300 digits with a ValueError.
    if wanted.isascii() and wanted.isdigit() and len(wanted) < 10 and 1 <= int(wanted) <= count:
        return int(wanted), None
    shown = quote_link_value(wanted)
    return 1, f"Länken angav bild {shown}, men dagordningen har bild 1–{count}. Visar bild 1."


def describe_agenda(agenda: Agenda) -> str:
    """The kicker above every slide: "Arbetsmarknadsläget i Haninge · 8 december 2026"."""
    if agenda.date is None:
        return agenda.title
    return f"{agenda.title} · {format_date(agenda.date, 'd MMMM yyyy', locale='sv')}"


def describe_build_time(manifest: Mapping[str, Any]) -> str:
    """When the figures on screen were built, in Swedish time: the data's own date is elsewhere."""
    built = pd.Timestamp(manifest["built_at"]).tz_convert("Europe/Stockholm")
    return f"{built:%Y-%m-%d %H:%M}"


def offer(catalog: Catalog, targets: list[Target], linked: str | None) -> NamndvyOffer:
    """The agendas in reference/agendas and each kommun's own; `linked`: the link's agenda."""
    agendas, problems = load_agendas(catalog, targets)
    regions = tuple(sorted({t.region for t in targets}, key=catalog.region_name))
    by_key = {a.key: a for a in agendas}
    return NamndvyOffer(
        options=(DEFAULT_AGENDA, *by_key) if regions else tuple(by_key),
        names={DEFAULT_AGENDA: "Kommunens mål", **{a.key: describe_agenda(a) for a in agendas}},
        regions=regions,
        link_problem=(
            f"**Dagordningen kunde inte läsas.** Rätta filen.\n\n`{problems[linked]}`"
            if linked in problems
            else None
        ),
        other_problems=tuple(
            f"Dagordning som inte kunde läsas:\n\n`{problem}`"
            for stem, problem in problems.items()
            if stem != linked
        ),
        agendas=by_key,
        region_agendas={r: build_default_agenda(r, targets, catalog) for r in regions},
    )


def pick_agenda(
    offer: NamndvyOffer, key: str, region: str | None, with_news: bool = False
) -> Agenda:
    """The chosen agenda; DEFAULT_AGENDA is the chosen kommun's targets, opening with what the
    last build brought when `with_news`."""
    if key == DEFAULT_AGENDA and region is not None:
        return replace(offer.region_agendas[region], opens_with_news=with_news)
    return offer.agendas[key]


def select_group(
    observations: pd.DataFrame, measure_id: str, group: dict[str, str]
) -> pd.DataFrame:
    """The measure's rows for one group in every region, oldest period first."""
    rows = select_rows(observations, measure_id, group=Group.from_mapping(group))
    return rows.sort_values("period_start")


def format_slide_group(group: dict[str, str], population: str) -> str:
    """ "Totalt 16-64 år", or the one narrowed dimension's label ("Utrikes födda", "18-24 år")."""
    narrowed = [(d, code) for d, code in group.items() if code != TOTAL]
    if not narrowed:
        return format_group("age", TOTAL, population)
    return ", ".join(format_group(d, code, population) for d, code in narrowed)


def summarise_group(
    group_rows: pd.DataFrame, catalog: Catalog, measure_id: str, region: str
) -> Card:
    """An Översikt card for any group: build_card reads whole-population rows, so hand it the
    group's rows labelled as totals (they are this slide's whole population)."""
    as_totals = group_rows.assign(**dict.fromkeys(GROUP_DIMENSIONS, TOTAL))
    return build_card(as_totals, catalog, measure_id, region)


def list_comparisons(card: Card, decimals: int) -> tuple[tuple[Comparison, ...], str | None]:
    """The gaps to county and country that exist, and a note naming those the source lacks."""
    benchmarks = [
        (f"Mot {card.county_name or 'länet'}", card.gap_county),
        ("Mot riket", card.gap_country),
    ]
    shown = tuple(
        Comparison(label, format_gap(gap, decimals)) for label, gap in benchmarks if gap is not None
    )
    if len(shown) == len(benchmarks) or card.value is None:
        return shown, None
    missing = " och ".join(label.removeprefix("Mot ") for label, gap in benchmarks if gap is None)
    return shown, f"Källan har inget värde för {missing} att jämföra med."


def format_headline(value: float | None, unit: str, decimals: int) -> str:
    return format_percent(value, decimals) if unit == "percent" else format_number(value, decimals)


def describe_missing_figure(
    observations: pd.DataFrame, measure_id: str, group_rows: pd.DataFrame, region: str, who: str
) -> str:
    """Why a slide has no figure for `who` ("Haninge, utrikes födda"): the measure has none at
    all, none for the kommun and group, or the source left the kommun's cells empty."""
    if not (observations["measure_id"] == measure_id).any():
        return "Måttet har inga värden i datan."
    if not (group_rows["region_code"] == region).any():
        return f"Datan har inga värden för {who}, i måttet."
    return f"Källan redovisar inget värde för {who}."


def compose_projector_link(query: Mapping[str, str], number: int) -> str:
    """The link that opens the shown slide for the projector: the page's own parameters (which
    agenda, kommun and start) with the slide, without the menu; the view is always the slides."""
    kept = {k: v for k, v in query.items() if k not in {"view", "slide", *PROJECTOR_PARAMS}}
    return "?" + urlencode({**kept, "slide": str(number), **PROJECTOR_PARAMS})


def pick_slide_measure(observations: pd.DataFrame, slide: Slide, region: str) -> str:
    """Of a measure slide's measures, the one with the newest figure for the region and group.

    The agenda's order breaks a tie; without any figure the first is shown (and says so).
    """
    group = Group.from_mapping(slide.group)
    ends: dict[str, date] = {}
    for measure in slide.measures:
        rows = select_rows(observations, measure, [region], group=group)
        periods = rows.loc[rows["value"].notna(), "period"].unique()
        if len(periods):
            ends[measure] = max(find_period_end(p) for p in periods)
    if not ends:
        return slide.measures[0]
    newest = max(ends.values())
    return next(measure for measure in slide.measures if ends.get(measure) == newest)


def build_slide(
    slide: Slide, region: str, observations: pd.DataFrame, catalog: Catalog
) -> SlideContent:
    """Everything one slide shows, from the current figures; nothing here depends on the screen."""
    target = slide.target
    if target is not None:
        result = select_latest(evaluate(observations, [target], catalog)).iloc[0]
        measure_id = str(result["measure_id"])
    else:
        measure_id = pick_slide_measure(observations, slide, region)
    measure = catalog.measure(measure_id)
    decimals = int(measure["decimals"])
    group_rows = select_group(observations, measure_id, slide.group)
    card = summarise_group(group_rows, catalog, measure_id, region)
    comparisons, note = list_comparisons(card, decimals)
    status = detail = None
    if target is not None:
        status = format_status(result["status"])
        detail = (
            result["reason_sv"] if result["status"] == "cannot_assess" else describe_period(result)
        )
        figure, source_line = plot_target_slide(target, result, group_rows, observations, catalog)
    else:
        figure, source_line = plot_measure_slide(
            slide, measure_id, card, group_rows, catalog, decimals
        )
    if figure is not None:
        figure.update_layout(title={"text": ""})
    newer = (
        find_newer_figures(observations, catalog, measure_id, card.period) if card.period else None
    )
    group_label = format_slide_group(slide.group, str(measure["population_sv"]))
    missing = None
    if card.value is None:
        who = f"{card.region_name}, {group_label.lower()}"
        missing = describe_missing_figure(observations, measure_id, group_rows, region, who)
    return SlideContent(
        title=slide.title,
        region_name=card.region_name,
        measure_name=str(measure["name_sv"]),
        group_label=group_label,
        headline=(
            MISSING_HEADLINE
            if card.value is None
            else format_headline(card.value, str(measure["unit"]), decimals)
        ),
        period=format_period(card.period) if card.period else None,
        comparisons=comparisons,
        comparison_note=note,
        trend=card.trend,
        status=status,
        status_detail=detail,
        goal_source=f"{target.document}, {target.section}" if target else None,
        quote=target.quote if target else None,
        figure=figure,
        source_line=source_line,
        newer_notice=None if newer is None else describe_newer_figures(newer, catalog),
        missing=missing,
    )


def describe_new_periods(
    news: ChangesSince, observations: pd.DataFrame, catalog: Catalog, region: str
) -> tuple[str, ...]:
    """Per measure the new periods the kommun has figures in, and its newest total figure."""
    lines = []
    region_name = catalog.region_name(region)
    for measure_id, periods in news.new_periods.items():
        rows = observations[
            (observations["measure_id"] == measure_id) & (observations["region_code"] == region)
        ]
        present = [p for p in periods if p in set(rows["period"].astype(str))]
        if not present:
            continue
        newest = max(present, key=lambda code: parse_period(code).start)
        totals = rows[(rows["period"] == newest) & (rows[GROUP_DIMENSIONS] == TOTAL).all(axis=1)]
        which = "ny period" if len(present) == 1 else "nya perioder"
        line = f"{name_measure(catalog, measure_id)}: {which} {format_periods(present)}."
        if not totals.empty and pd.notna(totals["value"].iloc[0]):
            measure = catalog.measure(measure_id)
            figure = format_headline(
                float(totals["value"].iloc[0]), str(measure["unit"]), int(measure["decimals"])
            )
            line += f" {region_name}, {format_period(newest)}: {figure}."
        lines.append(line)
    return tuple(lines)


def order_revisions(revised: pd.DataFrame) -> pd.DataFrame:
    """A kommun's revisions by measure, the latest period first."""
    starts = [parse_period(str(code)).start for code in revised["period"]]
    ordered = revised.assign(start=starts).sort_values(
        ["measure_id", "start", "sex", "age", "birth_region", "education"],
        ascending=[True, False, True, True, True, True],
        kind="stable",
    )
    return ordered.drop(columns="start").reset_index(drop=True)


def shape_news_table(revised: pd.DataFrame, catalog: Catalog) -> ShownTable:
    """The revisions as the slide shows them: no region column (it is the meeting's kommun)."""
    table = shape_revisions(revised, catalog)
    frame = table.frame[NEWS_COLUMNS]
    return ShownTable(frame, {k: v for k, v in table.formats.items() if k in NEWS_COLUMNS})


def describe_news_lead(agenda: Agenda, news: ChangesSince, region_name: str) -> str:
    if agenda.since is not None:
        since = format_date(agenda.since, "d MMMM yyyy", locale="sv")
        builds = len(news.builds)
        counted = f"{builds} bygge" if builds == 1 else f"{builds} byggen"
        return (
            f"Nya perioder och reviderade värden för {region_name} sedan {since} "
            f"({counted} av datan)."
        )
    build = news.builds[-1] if news.builds else {}
    previous = build.get("previous_built_at")
    against = f", jämfört med bygget {format_time(previous)}" if previous else ""
    return (
        f"Nya perioder och reviderade värden för {region_name} i bygget "
        f"{format_time(build.get('built_at'))}{against}."
    )


def build_news(data: LoadedData, choices: NamndvyChoices, is_handout: bool) -> NewsContent:
    """The news slide for the agenda's kommun, from the builds since the agenda's date."""
    agenda, catalog = choices.agenda, data.catalog
    region_name = catalog.region_name(agenda.region)
    title = NEWS_TITLE if agenda.since is not None else NEWS_TITLE_LAST_BUILD
    news = choices.news
    if choices.news_problem or news is None:
        why = (
            f"Ändringarna kunde inte läsas: {choices.news_problem}"
            if choices.news_problem
            else "Datan har ingen bygghistorik för det här bygget, så det går inte att säga vad "
            "som är nytt. Historiken börjar med nästa uppdatering av datan."
        )
        return NewsContent(title, "", (), None, None, (), why)
    lines = describe_new_periods(news, data.observations, catalog, agenda.region)
    revised = order_revisions(news.revised[news.revised["region_code"] == agenda.region])
    shown = revised if is_handout else revised.head(NEWS_ROWS)
    more = None
    if len(revised) > len(shown):
        left = count_word(len(revised) - len(shown), "reviderat värde", "reviderade värden")
        more = f"… och {left} till (se utskriften)."
    notes = []
    withdrawn = news.withdrawn[news.withdrawn["region_code"] == agenda.region]
    if len(withdrawn):
        measures = join_sv([name_measure(catalog, m) for m in withdrawn["measure_id"].unique()])
        figures = count_word(len(withdrawn), "värde", "värden")
        notes.append(f"{figures} för {region_name} har dragits tillbaka av källan ({measures}).")
    for measure_id, periods in news.withdrawn_periods.items():
        notes.append(
            f"Borttagna perioder ur {name_measure(catalog, measure_id)}: {format_periods(periods)}."
        )
    notes += [
        f"Bygget {format_time(built)} hade inget tidigare bygge att jämföra med: det som kom "
        "före det syns inte här."
        for built in news.uncompared
    ]
    empty = None
    if not lines and revised.empty and not notes:
        empty = f"Inget nytt för {region_name}: inga nya perioder och inga reviderade värden."
    return NewsContent(
        title=title,
        lead=describe_news_lead(agenda, news, region_name),
        lines=lines,
        revisions=shape_news_table(shown, catalog) if len(shown) else None,
        more=more,
        notes=tuple(notes),
        empty=empty,
    )


def build(data: LoadedData, choices: NamndvyChoices) -> NamndvyContent:
    """The slide a link or button asks for, sized for the projector; or the handout.

    An agenda that opens with news has it as slide 1, its indicators after it.
    """
    agenda = choices.agenda
    first = 2 if agenda.opens_with_news else 1  # the number of the first indicator slide
    count = len(agenda.slides) + first - 1
    built = describe_build_time(data.manifest)
    data_notice = (
        f":material/sync_problem: Visar senast lästa data från {built}; "
        "ny data kunde inte läsas just nu."
        if choices.is_last_good
        else None
    )
    if choices.view == "handout":
        slides = tuple(
            build_slide(slide, agenda.region, data.observations, data.catalog)
            for slide in agenda.slides
        )
        return NamndvyContent(
            title=agenda.title,
            kicker=f"{describe_agenda(agenda)} · data uppdaterad {built}",
            slides=tuple(fit_slide(slide, fit_for_handout) for slide in slides),
            headings=tuple(f"{n}. {slide.title}" for n, slide in enumerate(slides, start=first)),
            number=1,
            count=count,
            position="",
            footer="",
            slide_notice=None,
            data_notice=data_notice,
            news=build_news(data, choices, is_handout=True) if agenda.opens_with_news else None,
        )
    number, slide_notice = read_slide_number(choices.slide, count)
    common = {
        "kicker": f"{describe_agenda(agenda)} · bild {number} av {count}",
        "headings": (),
        "number": number,
        "count": count,
        "position": f"{number} / {count}",
        "slide_notice": slide_notice,
        "data_notice": data_notice,
    }
    if number < first:
        news = build_news(data, choices, is_handout=False)
        footer = keep_dates_whole(f"Källa: datans bygghistorik (data/history). Uppdaterad {built}.")
        return NamndvyContent(title=news.title, slides=(), footer=footer, news=news, **common)
    slide = build_slide(
        agenda.slides[number - first], agenda.region, data.observations, data.catalog
    )
    return NamndvyContent(
        title=slide.title,
        slides=(fit_slide(slide, fit_for_projector),),
        footer=keep_dates_whole(f"{slide.source_line} Uppdaterad {built}."),
        **common,
    )


def fit_slide(slide: SlideContent, fit: Callable[[go.Figure, str], go.Figure]) -> SlideContent:
    """The slide with its chart fitted (for the projector, or beside the handout's source line)."""
    if slide.figure is None:
        return slide
    return replace(slide, figure=fit(slide.figure, slide.source_line))


def describe_sources(catalog: Catalog, rows: pd.DataFrame) -> str:
    return compose_source_line(catalog, rows) if not rows.empty else ""


def plot_target_slide(
    target: Target,
    result: pd.Series,
    group_rows: pd.DataFrame,
    observations: pd.DataFrame,
    catalog: Catalog,
) -> tuple[go.Figure | None, str]:
    """The target's own chart (figure against the target line), as the Mål page draws it."""
    measure = str(result["measure_id"])
    own = select_target_series(observations, target, target.region, measure)
    rows = select_target_rows(group_rows, target, measure, own.index)
    source_line = describe_sources(catalog, rows)
    # A baseline bar on its own target line would read as "on target": the status says why instead.
    if result["status"] == "cannot_assess" or own["value"].isna().all():
        return None, source_line
    benchmark = (
        select_target_series(observations, target, target.benchmark, measure)
        if target.benchmark
        else None
    )
    # The slide shows the goal and the document in large type already.
    figure = shorten_target_label(
        plot_target(target, measure, own, benchmark, catalog, source_line), target, catalog
    )
    return figure, source_line


def plot_measure_slide(
    slide: Slide,
    measure_id: str,
    card: Card,
    group_rows: pd.DataFrame,
    catalog: Catalog,
    decimals: int,
) -> tuple[go.Figure | None, str]:
    """The region beside its county and the country: a line over time, or bars for one period."""
    if card.value is None or card.period is None:
        return None, ""
    county = catalog.regions.set_index("region_code").at[card.region_code, "county_code"]
    regions = list(dict.fromkeys(code for code in (card.region_code, county, COUNTRY_CODE) if code))
    rows = select_rows(group_rows, measure_id, regions)
    own_periods = rows.loc[rows["region_code"] == card.region_code, "period"].nunique()
    label = format_slide_group(slide.group, str(catalog.measure(measure_id)["population_sv"]))
    title = f"{card.region_name}: {slide.title}"
    if own_periods > 1:
        source_line = describe_sources(catalog, rows)
        names = {code: catalog.region_name(code) for code in regions}
        figure = plot_trend(
            rows,
            "value",
            names,
            references=regions[1:],
            title=title,
            source_line=source_line,
            y_title="Andel (%)",
            decimals=decimals,
            breaks=catalog.series_breaks(measure_id),
        )
        return figure, source_line
    at_period = select_rows(rows, measure_id, regions, card.period)
    source_line = describe_sources(catalog, at_period)
    country = read_value(at_period, COUNTRY_CODE, card.period)
    compared = [code for code in regions if code != COUNTRY_CODE]
    levels = pd.DataFrame(
        {
            "region_name": [catalog.region_name(code) for code in compared],
            "group": TOTAL,
            "group_label": label,
            "value": [read_value(at_period, code, card.period) for code in compared],
            "benchmark_value": country,
        }
    )
    figure = plot_levels(levels, catalog.region_name(COUNTRY_CODE), title, source_line, decimals)
    return figure, source_line


def squeeze(text: str) -> str:
    """Text without line breaks or spaces: the chart's source line is wrapped, maybe at hyphens."""
    return "".join(text.replace("<br>", "").split())


def detach_source_line(figure: go.Figure, source_line: str) -> go.Figure:
    """Drop the chart's own source line where the slide prints it in full right under the chart
    (the house style wraps it for a full-width chart; a narrower one cuts it off)."""
    # Assigned, not passed to update_layout: that merges lists item by item.
    figure.layout.annotations = [
        a for a in figure.layout.annotations if squeeze(a.text) != squeeze(source_line)
    ]
    figure.update_layout(margin={"b": 60})
    return figure


def fit_for_handout(figure: go.Figure, source_line: str) -> go.Figure:
    """The source line printed beside the chart; low enough for a slide to fill one A4 page."""
    detach_source_line(figure, source_line)
    figure.update_layout(height=HANDOUT_HEIGHT)
    return figure


def fit_for_projector(figure: go.Figure, source_line: str) -> go.Figure:
    """Large type for the back of the room, the source line in the slide's footer instead.

    No height: the chart takes the height the slide's text leaves on the screen.
    """
    detach_source_line(figure, source_line)
    figure.update_annotations(font={"size": PROJECTOR_FONT - 4, "color": "#000000"})
    figure.update_layout(
        font={"size": PROJECTOR_FONT, "color": "#000000"},
        legend={"font": {"size": PROJECTOR_FONT}},
        height=None,
        margin={"t": 40},
    )
    figure.update_traces(textfont={"size": PROJECTOR_FONT + 6}, selector={"type": "bar"})
    figure.update_xaxes(tickfont={"size": PROJECTOR_FONT})
    figure.update_yaxes(tickfont={"size": PROJECTOR_FONT}, title_font={"size": PROJECTOR_FONT})
    return figure


# Every size and colour of the Nämndvy in one place: the page injects it once with st.html.
# Black on white, read from the back of a meeting room on a weak projector. Every size on a slide
# is in --nv-u, a hundredth of the screen's height (less where the main area is narrow, as beside
# the sidebar on a 1024-pixel screen): a 4K projector shows the picture a 720p one does, only
# sharper, and the slide fits any screen without scrolling.
SLIDE_CSS = """
<style>
.st-key-nv_slide, .st-key-nv_nav { --nv-u: min(1vh, 1cqw); }
/* The slide fills the screen under Streamlit's header (3.75rem): from the main area down to the
   chart every box is a flex column, and the chart takes the height the text leaves. */
[data-testid="stMainBlockContainer"]:has(.st-key-nv_slide) {
  height: 100dvh; display: flex; flex-direction: column; container-type: inline-size;
  padding: calc(3.75rem + 1vh) 3vw 1.5vh 3vw;
}
:is([data-testid="stVerticalBlock"], [data-testid="stLayoutWrapper"]):has(.st-key-nv_slide),
.st-key-nv_slide,
.st-key-nv_slide :is(
  [data-testid="stVerticalBlock"], [data-testid="stLayoutWrapper"],
  [data-testid="stHorizontalBlock"]
):has(.st-key-nv_plot) { flex: 1 1 0; min-height: 0; }
.st-key-nv_slide [data-testid="stColumn"] > [data-testid="stVerticalBlock"] { height: 100%; }
.st-key-nv_slide, .st-key-nv_slide [data-testid="stVerticalBlock"] { gap: calc(var(--nv-u) * 1.2); }
.st-key-nv_plot, .st-key-nv_plot [data-testid="stElementContainer"] { flex: 1 1 0; min-height: 0; }
/* The chart: plotly draws in pixels (its type set for a 1080-line screen), and zoom scales the
   drawing with the screen. Streamlit sizes the drawing to the box it measures on screen, zoom
   included, so that box (nv_plot) is the chart's space (nv_chart) divided by the zoom: zoomed,
   the drawing fills the space, which clips the box's overhang. A browser that cannot divide a
   length by a length draws the chart unzoomed in the same space. */
@supports (zoom: calc(1px / 1px)) {
  .st-key-nv_chart { --nv-zoom: calc(var(--nv-u) / 10.8px); overflow: clip; }
  .st-key-nv_plot {
    flex: none; width: calc(100% / var(--nv-zoom)); height: calc(100% / var(--nv-zoom));
    max-width: none;
  }
  .st-key-nv_plot .js-plotly-plot { zoom: var(--nv-zoom); width: calc(100% * var(--nv-zoom)); }
}
.st-key-nv_slide, .st-key-nv_slide p, .st-key-nv_slide h1 { color: #000000; }
.st-key-nv_slide { background: #ffffff; }
.st-key-nv_slide [data-testid="stMarkdownContainer"] { margin-bottom: 0; }
.st-key-nv_slide p { margin: 0; }
.st-key-nv_top { align-items: center; }
.st-key-nv_kicker p { font-size: calc(var(--nv-u) * 2.2); }
.st-key-nv_projector a { min-height: 0; padding: 0.2rem 0.8rem; }
.st-key-nv_slide h1 { font-size: calc(var(--nv-u) * 4.4); line-height: 1.15; padding: 0; }
.st-key-nv_headline [data-testid="stMetricLabel"] p { font-size: calc(var(--nv-u) * 2.6); }
.st-key-nv_headline [data-testid="stMetricValue"] {
  font-size: calc(var(--nv-u) * 10); line-height: 1.05; font-weight: 700; color: #000000;
}
/* No figure: the words, at the size of a heading (they would not fit at a figure's). */
.st-key-nv_headline:has(.st-key-nv_missing) [data-testid="stMetricValue"] {
  font-size: calc(var(--nv-u) * 5);
}
.st-key-nv_missing p { font-size: calc(var(--nv-u) * 2.6); }
.st-key-nv_gaps [data-testid="stMetricLabel"] p { font-size: calc(var(--nv-u) * 2.2); }
.st-key-nv_gaps [data-testid="stMetricValue"] {
  font-size: calc(var(--nv-u) * 4.2); color: #000000;
}
/* A figure is never cut to "29,…": it may wrap, never hide. */
[class*="st-key-nv_"] [data-testid^="stMetric"] * { overflow: visible; text-overflow: clip; }
[class*="st-key-nv_"] [data-testid="stMetricLabel"] * { white-space: normal; }
[class*="st-key-nv_"] [data-testid="stMetricValue"] div { white-space: normal; }
.st-key-nv_status {
  border: calc(var(--nv-u) * 0.4) solid #000000; border-radius: calc(var(--nv-u) * 0.8);
  padding: calc(var(--nv-u) * 1) calc(var(--nv-u) * 2);
}
.st-key-nv_status p { font-size: calc(var(--nv-u) * 3.4); line-height: 1.2; }
.st-key-nv_subject p, .st-key-nv_notes p, .st-key-nv_notes_status p {
  font-size: calc(var(--nv-u) * 2.2); line-height: 1.3;
}
.st-key-nv_quote p { font-size: calc(var(--nv-u) * 3); font-style: italic; line-height: 1.35; }
.st-key-nv_footer p { font-size: calc(var(--nv-u) * 1.7); line-height: 1.3; }
.st-key-nv_newer p { font-size: calc(var(--nv-u) * 2.2); font-weight: 600; }
.st-key-nv_news p, .st-key-nv_news li { font-size: calc(var(--nv-u) * 2.6); line-height: 1.35; }
.st-key-nv_news table { font-size: calc(var(--nv-u) * 2.1); }
.st-key-nv_nav [data-testid="stButton"] button { min-height: calc(var(--nv-u) * 6); }
.st-key-nv_nav button p { font-size: calc(var(--nv-u) * 2.8); }
.st-key-nv_count p { font-size: calc(var(--nv-u) * 2.8); text-align: center; }
/* The presenter keys' second buttons (PageDown, PageUp): keys only, never on screen. */
.st-key-nv_next_page, .st-key-nv_previous_page { display: none; }
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"] { display: none; }
  @page { size: A4; margin: 12mm; }
  [data-testid="stMainBlockContainer"] { padding: 0; }
  /* One slide to a page, the first under the title on page 1: a slide fits one page, and should
     the first not, it runs on rather than leave the title alone (Streamlit keeps any block with a
     chart on one page, hence !important). */
  [data-testid="stLayoutWrapper"]:has(> [class*="st-key-nv_page_"])
    ~ [data-testid="stLayoutWrapper"]:has(> [class*="st-key-nv_page_"]) {
    break-before: page; break-inside: avoid;
  }
  :is(.st-key-nv_page_news, .st-key-nv_page_1) { break-inside: auto !important; }
  [class*="st-key-nv_page_"] [data-testid="stVerticalBlock"] { gap: 0.4rem; }
  [class*="st-key-nv_page_"] [data-testid="stMarkdownContainer"] p { margin-bottom: 0.2rem; }
}
</style>
"""
# ?embed=true drops Streamlit's toolbar but not the sidebar: on the projector, hide it too.
EMBED_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
[data-testid="stMainBlockContainer"]:has(.st-key-nv_slide) { padding-top: 2vh; }
</style>
"""
