"""Översikt: per chosen region a card with the latest figure, its gaps, trend and targets."""

from dataclasses import dataclass

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.core.periods import find_break_between, find_period_end
from labourmarket.core.recency import find_newer_figures
from labourmarket.core.region_offer import RegionOffer, offer_regions
from labourmarket.core.selection import COUNTRY_CODE, TOTAL, Group, select_rows
from labourmarket.core.store import LoadedData
from labourmarket.core.targets import Target, select_latest
from labourmarket.output.formatting import SEX_LABELS, format_gap, format_percent, format_period
from labourmarket.output.sentences import compose_source_line, describe_newer_figures
from labourmarket.views.gapanalys import ask_for_regions, pick_default_regions
from labourmarket.views.mal import describe_region_targets

NO_FIGURES = "Inga värden för måttet."
NO_TREND = "bara en period i datan, ingen trend"


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
    metrics: tuple[tuple[str, str], ...]  # label and figure: level, gap to county, to country
    caption: str  # period, sex and trend
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
    county_name: str | None
    gap_country: float | None
    trend: str | None  # "↑ +0,3 p.e. sedan kv 2 2024", or a note why there is none


def read_value(totals: pd.DataFrame, region_code: str, period: str) -> float | None:
    match = totals[(totals["region_code"] == region_code) & (totals["period"] == period)]
    if match.empty or pd.isna(match["value"].iloc[0]):
        return None
    return float(match["value"].iloc[0])


def describe_card_trend(
    series: pd.DataFrame, catalog: Catalog, measure_id: str, decimals: int
) -> str | None:
    """An arrow and the change since the previous period; None without a time series."""
    known = series.dropna(subset=["value"]).sort_values("period_start")
    if len(known) < 2:
        return None
    previous, latest = known.iloc[-2], known.iloc[-1]
    brk = find_break_between(
        catalog.series_breaks(measure_id), previous["period"], latest["period"]
    )
    if brk is not None:
        return f"seriebrott {format_period(brk)}: ingen jämförbar förändring"
    change = round(float(latest["value"]) - float(previous["value"]), decimals)
    arrow = "↑" if change > 0 else "↓" if change < 0 else "→"
    return f"{arrow} {format_gap(change, decimals)} sedan {format_period(previous['period'])}"


def build_card(
    observations: pd.DataFrame,
    catalog: Catalog,
    measure_id: str,
    region_code: str,
    sex: str = TOTAL,
) -> Card:
    """Summarise one region (one sex, or both) at the latest period it has a figure for."""
    totals = select_rows(observations, measure_id, group=Group(sex=sex))
    decimals = int(catalog.measure(measure_id)["decimals"])
    own = totals[totals["region_code"] == region_code].dropna(subset=["value"])
    name = catalog.region_name(region_code)
    if own.empty:
        return Card(region_code, name, None, None, None, None, None, None)
    latest = own.sort_values("period_start").iloc[-1]
    period, value = str(latest["period"]), float(latest["value"])
    regions = catalog.regions.set_index("region_code")
    county = regions.at[region_code, "county_code"] or None
    county = county if county and county != region_code else None

    def gap_to(benchmark: str | None) -> float | None:
        other = read_value(totals, benchmark, period) if benchmark else None
        return None if other is None else round(value - other, decimals)

    return Card(
        region_code=region_code,
        region_name=name,
        period=period,
        value=value,
        gap_county=gap_to(county),
        county_name=catalog.region_name(county) if county else None,
        gap_country=gap_to(COUNTRY_CODE) if region_code != COUNTRY_CODE else None,
        trend=describe_card_trend(own, catalog, measure_id, decimals),
    )


def offer(data: LoadedData, series: pd.DataFrame) -> OversiktOffer:
    """The regions the measure has figures for (`series`: the measure's rows)."""
    regions = offer_regions(series, data.catalog, "måttet")
    return OversiktOffer(regions, pick_default_regions(regions.codes), ask_for_regions(regions))


def shape_card(card: Card, decimals: int, sex: str, targets: str | None) -> ShownCard:
    """A card's figures as text: level, gaps, and a caption with period, sex and trend."""
    if card.value is None:
        return ShownCard(card.region_name, NO_FIGURES, (), "", None)
    who = "" if sex == TOTAL else f" · {SEX_LABELS[sex]}"
    return ShownCard(
        region_name=card.region_name,
        notice=None,
        metrics=(
            ("Nivå", format_percent(card.value, decimals)),
            (f"Mot {card.county_name or 'länet'}", format_gap(card.gap_county, decimals)),
            ("Mot riket", format_gap(card.gap_country, decimals)),
        ),
        caption=(
            f"Period: {format_period(card.period)}{who} · Utveckling: {card.trend or NO_TREND}"
        ),
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
