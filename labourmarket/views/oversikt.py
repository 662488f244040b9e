"""Översikt: per chosen region a card with the latest figure, its gaps, trend and targets."""

from dataclasses import dataclass, replace

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.core.frequency import (
    describe_kept_frequency,
    keep_one_frequency,
    list_frequencies,
)
from labourmarket.core.link_lists import DRAWN_AT_MOST
from labourmarket.core.periods import find_break_between, find_period_end, parse_period
from labourmarket.core.recency import find_newer_figures
from labourmarket.core.region_offer import RegionOffer, offer_regions
from labourmarket.core.selection import COUNTRY_CODE, TOTAL, Group, select_rows
from labourmarket.core.store import LoadedData
from labourmarket.core.targets import Target, select_latest
from labourmarket.core.trends import previous_year_period
from labourmarket.output.formatting import (
    MISSING,
    SEX_LABELS,
    format_gap,
    format_percent,
    format_period,
)
from labourmarket.output.sentences import compose_source_line, describe_newer_figures
from labourmarket.views.gapanalys import ask_for_regions, pick_default_regions
from labourmarket.views.mal import describe_region_targets

NO_FIGURES = "Inga värden för måttet."
NO_TREND = "bara en period i datan, ingen trend"
LEVEL_WORDS = {"municipality": "kommunerna", "county": "länen", "country": "riket"}


@dataclass(frozen=True)
class OversiktOffer:
    regions: RegionOffer  # the regions with figures for the measure
    default_regions: list[str]
    no_region_notice: str  # when the user has chosen no region


@dataclass(frozen=True)
class OversiktChoices:
    measure_id: str
    series: pd.DataFrame  # the measure's rows (ui.select_measure)
    sex: str
    regions: tuple[str, ...]
    targets: tuple[Target, ...]
    results: pd.DataFrame  # every target judged, period by period (ui.evaluate_targets)


@dataclass(frozen=True)
class ShownCard:
    """One region's card as the page shows it."""

    region_name: str
    notice: str | None  # why the card has no figures
    # Label and figure: the level, then the gaps that can exist (no county for a county).
    metrics: tuple[tuple[str, str], ...]
    caption: str  # period, sex and trend
    gap_note: str | None  # why a gap shows "..": the benchmark has no figure for the period
    targets: str | None  # the region's strategy targets as a Markdown list; None without any


@dataclass(frozen=True)
class OversiktContent:
    cards: tuple[ShownCard, ...]
    newer_notice: str | None  # the publisher has figures newer than the newest card's
    source_line: str
    measure_note: str  # which measure, and that targets are judged on their own


@dataclass(frozen=True)
class Card:
    region_code: str
    region_name: str
    period: str | None
    value: float | None
    gap_county: float | None
    county_name: str | None  # None: no county to compare with (a county itself, the country)
    gap_country: float | None  # None also for the country itself (country_missing None)
    trend: str | None  # "↑ +0,3 p.e. sedan kv 2 2024", or a note why there is none
    county_missing: str | None = None  # why gap_county is None where there is a county
    country_missing: str | None = None  # why gap_country is None where there is one to take
    # Why the level is ".." in its level's latest period, and the region's latest figure.
    level_missing: str | None = None
    frequency_note: str | None = None  # which frequency the card shows where the measure has two
    # That the period is the latest of the card's level, where another level has a newer one.
    period_note: str | None = None


def read_value(totals: pd.DataFrame, region_code: str, period: str) -> float | None:
    match = totals[(totals["region_code"] == region_code) & (totals["period"] == period)]
    if match.empty or pd.isna(match["value"].iloc[0]):
        return None
    return float(match["value"].iloc[0])


def find_earlier(known: pd.DataFrame) -> tuple[str, float | None]:
    """The period the latest figure is compared with, and its figure (None when missing).

    A month or quarter is compared with the same one a year earlier: none of the monthly or
    quarterly series here is seasonally adjusted (BAS, AF's shares and counts), so the month
    before would mostly show the season. A year is compared with the previous figure.
    """
    latest = str(known["period"].iloc[-1])
    if parse_period(latest).frequency == "A":
        previous = known.iloc[-2]
        return str(previous["period"]), float(previous["value"])
    earlier = previous_year_period(latest)
    match = known[known["period"] == earlier]
    return earlier, None if match.empty else float(match["value"].iloc[0])


def describe_card_trend(
    series: pd.DataFrame, catalog: Catalog, measure_id: str, decimals: int
) -> str | None:
    """An arrow and the change on the comparable earlier period; None without a time series."""
    known = series.dropna(subset=["value"]).sort_values("period_start")
    if len(known) < 2:
        return None
    latest = known.iloc[-1]
    earlier, value = find_earlier(known)
    brk = find_break_between(catalog.series_breaks(measure_id), earlier, latest["period"])
    if brk is not None:
        return f"seriebrott {format_period(brk)}: ingen jämförbar förändring"
    if value is None:
        return f"inget värde för {format_period(earlier)} att jämföra med"
    change = round(float(latest["value"]) - value, decimals)
    arrow = "↑" if change > 0 else "↓" if change < 0 else "→"
    return f"{arrow} {format_gap(change, decimals)} sedan {format_period(earlier)}"


def describe_missing_benchmark(totals: pd.DataFrame, benchmark: str, word: str, period: str) -> str:
    """Why a benchmark has no figure to compare with: "uppgift saknas för länet 2023"."""
    if totals.loc[totals["region_code"] == benchmark, "value"].notna().any():
        return f"uppgift saknas för {word} {format_period(period)}"
    return f"måttet har inga värden för {word}"


def describe_missing_level(rows: pd.DataFrame, period: str, decimals: int) -> str:
    """Why a region has no level in the measure's latest period, and the latest figure it has."""
    at_period = rows[rows["period"] == period]
    is_suppressed = not at_period.empty and at_period["status"].iloc[0] == "suppressed"
    when = format_period(period)
    reason = (
        f"värdet för {when} är undertryckt (för osäkert eller röjande)"
        if is_suppressed
        else f"värde saknas för {when}"
    )
    known = rows.dropna(subset=["value"]).sort_values("period_start")
    latest = known.iloc[-1]
    return (
        f"{reason}; senaste värde {format_percent(float(latest['value']), decimals)} "
        f"({format_period(str(latest['period']))})"
    )


def find_level_latest(totals: pd.DataFrame, catalog: Catalog, region_code: str) -> str:
    """The newest period of any region at the region's level: the period its card shows.

    A kommun's own gap shows only against the kommuner. They come in one table or workbook, so a
    kommun without the month its peers have is missing it; Riket (AF's separate riket file) or
    one kommun imported alone may run a month ahead, and that must not blank every kommun card.
    The region and its benchmarks would not do either: a county or Riket ahead would blank it.
    """
    regions = catalog.regions
    level = regions.loc[regions["region_code"] == region_code, "level"]
    peers = regions.loc[regions["level"].isin(level), "region_code"]
    at_level = totals[totals["region_code"].isin({region_code, *peers})]
    newest = at_level["period_start"].max()
    return str(at_level.loc[at_level["period_start"] == newest, "period"].iloc[0])


def describe_level_period(
    totals: pd.DataFrame, catalog: Catalog, region_code: str, period: str
) -> str | None:
    """Where another level has a newer period than the card's: "senaste perioden för
    kommunerna; november 2024 finns bara för riket"; None where none has."""
    newest = totals["period_start"].max()
    if newest <= totals.loc[totals["period"] == period, "period_start"].iloc[0]:
        return None
    levels = catalog.regions.set_index("region_code")["level"]
    at_newest = totals[totals["period_start"] == newest]
    newer = at_newest["region_code"].astype("str").map(levels).dropna().unique()
    others = " och ".join(LEVEL_WORDS[lv] for lv in LEVEL_WORDS if lv in set(newer)) or "andra"
    own = LEVEL_WORDS.get(str(levels.get(region_code)), "regionen")
    newest_period = format_period(str(at_newest["period"].iloc[0]))
    return f"senaste perioden för {own}; {newest_period} finns bara för {others}"


def build_card(
    observations: pd.DataFrame,
    catalog: Catalog,
    measure_id: str,
    region_code: str,
    sex: str = TOTAL,
) -> Card:
    """Summarise one region (one sex, or both) at the latest period of the region's level.

    A region without a figure there gets ".." and the reason (level_missing), never an older
    figure in its place; period_note says when another level has a newer period. Only the
    comparisons that can exist are made: a county has no county above it, and the country has
    neither; a missing one says why (county_missing, country_missing). Every region's rows are
    of one frequency (frequency.keep_one_frequency).
    """
    measure_rows = select_rows(observations, measure_id, group=Group(sex=sex))
    totals = keep_one_frequency(measure_rows)
    decimals = int(catalog.measure(measure_id)["decimals"])
    rows = totals[totals["region_code"] == region_code]
    own = rows.dropna(subset=["value"])
    name = catalog.region_name(region_code)
    if own.empty:
        return Card(region_code, name, None, None, None, None, None, None)
    frequency_note = describe_kept_frequency(
        list_frequencies(measure_rows), str(totals["frequency"].iloc[0])
    )
    period = find_level_latest(totals, catalog, region_code)
    period_note = describe_level_period(totals, catalog, region_code, period)
    regions = catalog.regions.set_index("region_code")
    county = regions.at[region_code, "county_code"] or None
    county = county if county and county != region_code else None
    county_name = catalog.region_name(county) if county else None
    has_country = region_code != COUNTRY_CODE
    value = read_value(rows, region_code, period)
    if value is None:
        # The gaps are ".." too; the level's reason says why, so the gaps need none of their own.
        return Card(
            region_code,
            name,
            period,
            None,
            None,
            county_name,
            None,
            None,
            level_missing=describe_missing_level(rows, period, decimals),
            frequency_note=frequency_note,
            period_note=period_note,
        )

    def gap_to(benchmark: str | None) -> float | None:
        other = read_value(totals, benchmark, period) if benchmark else None
        return None if other is None else round(value - other, decimals)

    gap_county = gap_to(county)
    gap_country = gap_to(COUNTRY_CODE) if has_country else None
    return Card(
        region_code=region_code,
        region_name=name,
        period=period,
        value=value,
        gap_county=gap_county,
        county_name=county_name,
        gap_country=gap_country,
        trend=describe_card_trend(own, catalog, measure_id, decimals),
        county_missing=(
            describe_missing_benchmark(totals, county, "länet", period)
            if county and gap_county is None
            else None
        ),
        country_missing=(
            describe_missing_benchmark(totals, COUNTRY_CODE, "riket", period)
            if has_country and gap_country is None
            else None
        ),
        frequency_note=frequency_note,
        period_note=period_note,
    )


def offer(data: LoadedData, series: pd.DataFrame) -> OversiktOffer:
    """The regions the measure has figures for (`series`: the measure's rows)."""
    regions = replace(offer_regions(series, data.catalog, "måttet"), link_limit=DRAWN_AT_MOST)
    return OversiktOffer(regions, pick_default_regions(regions.codes), ask_for_regions(regions))


def list_card_metrics(card: Card, decimals: int) -> tuple[tuple[str, str], ...]:
    """The level, then the gap to the county and to the country where each can exist."""
    metrics = [("Nivå", format_percent(card.value, decimals))]
    if card.county_name is not None:
        metrics.append((f"Mot {card.county_name}", format_gap(card.gap_county, decimals)))
    if card.region_code != COUNTRY_CODE:
        metrics.append(("Mot riket", format_gap(card.gap_country, decimals)))
    return tuple(metrics)


def describe_gap_note(card: Card) -> str | None:
    """Why a gap shows "..", under the label it has: "Mot riket: uppgift saknas för riket 2023."."""
    reasons = [
        f"Mot {name}: {reason}."
        for name, reason in (
            (card.county_name, card.county_missing),
            ("riket", card.country_missing),
        )
        if reason is not None
    ]
    return " ".join(reasons) or None


def shape_card(card: Card, decimals: int, sex: str, targets: str | None) -> ShownCard:
    """A card's figures as text: level, gaps, and a caption with period, sex and trend."""
    if card.period is None:
        return ShownCard(card.region_name, NO_FIGURES, (), "", None, None)
    who = "" if sex == TOTAL else f" · {SEX_LABELS[sex]}"
    scope = "" if card.period_note is None else f" ({card.period_note})"
    caption = f"Period: {format_period(card.period)}{scope}{who} · " + (
        f"Utveckling: {card.trend or NO_TREND}"
        if card.level_missing is None
        else f"Nivå: {MISSING}, {card.level_missing}"
    )
    if card.frequency_note is not None:
        caption += f" · {card.frequency_note}"
    return ShownCard(
        region_name=card.region_name,
        notice=None,
        metrics=list_card_metrics(card, decimals),
        caption=caption,
        gap_note=describe_gap_note(card),
        targets=targets,
    )


def build(data: LoadedData, choices: OversiktChoices) -> OversiktContent:
    """A card per chosen region, each with the region's strategy targets and their status."""
    catalog = data.catalog
    measure = catalog.measure(choices.measure_id)
    decimals = int(measure["decimals"])
    latest = select_latest(choices.results)
    cards = []
    shown: list[str] = []  # the cards' periods
    for region_code in choices.regions:
        card = build_card(choices.series, catalog, choices.measure_id, region_code, choices.sex)
        own_targets = [t for t in choices.targets if t.region == region_code]
        targets = describe_region_targets(own_targets, latest) if own_targets else None
        cards.append(shape_card(card, decimals, choices.sex, targets))
        if card.period is not None:
            shown.append(card.period)
    newest = max(shown, key=find_period_end, default=None)
    newer = (
        None
        if newest is None
        else find_newer_figures(data.observations, catalog, choices.measure_id, newest)
    )
    return OversiktContent(
        cards=tuple(cards),
        newer_notice=None if newer is None else describe_newer_figures(newer, catalog),
        source_line=compose_source_line(catalog, choices.series),
        measure_note=(
            f"Mått: {measure['name_sv']}. Målen utvärderas på sina egna mått; se sidan Mål."
        ),
    )
