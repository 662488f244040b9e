"""Plain-Swedish sentences that say what a computed table shows."""

import re
from collections.abc import Mapping

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.core.recency import NewerFigures
from labourmarket.core.schema import GROUP_CODES
from labourmarket.core.selection import TOTAL
from labourmarket.core.trends import format_in_sentence
from labourmarket.output.formatting import (
    MISSING,
    format_group,
    format_number,
    format_percent,
    format_period,
    sort_key_sv,
)

MISSING_NOTE = f"{MISSING}: värde saknas eller är undertryckt."
# "den högsta", "den näst högsta", "den tredje högsta" ... then numerals ("den 11:e högsta").
ORDINALS = (
    *("", "näst", "tredje", "fjärde", "femte"),
    *("sjätte", "sjunde", "åttonde", "nionde", "tionde"),
)


def describe_largest_gap(
    gaps: pd.DataFrame,
    benchmark_name: str,
    decimals: int = 1,
    population: str = "",
    sex: str = TOTAL,
) -> str:
    """Say which region and group lie furthest from the benchmark, and by how much.

    `gaps` holds region_name, group (a code), value, benchmark_value and gap_pp, as label_gaps
    returns them; `population` names the total ("alla 16-64 år"), `sex` the sex compared.
    """
    benchmark_name = format_in_sentence(benchmark_name)
    ties = select_largest_gaps(gaps)
    if ties.empty:
        return f"Det finns inga jämförbara värden för {benchmark_name} i urvalet."
    largest = abs(ties["gap_pp"].iloc[0])
    if largest == 0:
        return f"Ingen kommun i urvalet skiljer sig från {benchmark_name} i någon grupp."
    size = f"{format_number(largest, decimals)} procentenheter"
    regions = list(dict.fromkeys(ties["region_name"]))
    directions = ["högre" if gap > 0 else "lägre" for gap in ties["gap_pp"]]
    people = [
        describe_people(find_dimension(str(row.group)), str(row.group), population, sex)
        for row in ties.itertuples()
    ]
    if len(ties) == 1:
        row = ties.iloc[0]
        return (
            f"Störst skillnad mot {benchmark_name}: {people[0]} i {row['region_name']} har "
            f"{format_percent(row['value'], decimals)} mot "
            f"{format_percent(row['benchmark_value'], decimals)} i {benchmark_name}, "
            f"{size} {directions[0]}."
        )
    # A tie: the size once, then each group with its figures (and direction, where they differ).
    same_region = len(regions) == 1
    figures = [
        f"{who}{'' if same_region else f' i {row.region_name}'} ({compared})"
        for who, row, compared in zip(
            people, ties.itertuples(), compare_percents(ties, decimals), strict=True
        )
    ]
    subject = f" har {regions[0]}" if same_region else ""
    if len(set(directions)) == 1:
        listed = (
            f"både för {figures[0]} och för {figures[1]}"
            if len(figures) == 2
            else f"för {join_sv(figures)}"
        )
        return f"Störst skillnad mot {benchmark_name}{subject}: {size} {directions[0]} {listed}."
    listed = join_sv([f"{d} för {f}" for d, f in zip(directions, figures, strict=True)])
    return f"Störst skillnad mot {benchmark_name}{subject}: {size}, {listed}."


ATTRIBUTION_PREFIX = "Källa: "
DETAILED = re.compile(r"(?P<source>.+?) \((?P<detail>[^()]+)\)")


def compare_percents(rows: pd.DataFrame, decimals: int) -> list[str]:
    """Each row's value against its benchmark's: "14,5 % mot 7,1 %"."""
    return [
        f"{format_percent(value, decimals)} mot {format_percent(benchmark, decimals)}"
        for value, benchmark in zip(rows["value"], rows["benchmark_value"], strict=True)
    ]


def compose_attribution(attributions: list[str]) -> str:
    """One "Källa:" for every source: the tables of one publication share its name.

    ["Källa: SCB, integrationsstatistik (AA0003X/…)", "Källa: SCB, integrationsstatistik
    (AA0003B/…)"] -> "Källa: SCB, integrationsstatistik (AA0003X/…; AA0003B/…)".
    """
    details: dict[str, list[str]] = {}
    for attribution in dict.fromkeys(attributions):
        text = attribution.removeprefix(ATTRIBUTION_PREFIX)
        match = DETAILED.fullmatch(text)
        source, detail = (match["source"], match["detail"]) if match else (text, "")
        details.setdefault(source, []).extend([detail] if detail else [])
    parts = [
        f"{source} ({'; '.join(found)})" if found else source for source, found in details.items()
    ]
    return ATTRIBUTION_PREFIX + "; ".join(parts)


def compose_source_line(catalog: Catalog, rows: pd.DataFrame) -> str:
    """Name every source behind `rows`, the period the figures describe and when they were got."""
    attribution = compose_attribution(
        [
            str(catalog.source(source_id)["attribution_sv"])
            for source_id in sorted(rows["source_id"].unique())
        ]
    )
    codes = sorted(rows["period"].unique())
    periods = (
        f"{format_period(codes[0])}–{format_period(codes[-1])}"
        if len(codes) > 2
        else " och ".join(format_period(code) for code in codes)
    )
    retrieved = rows["retrieved_at"].max()
    return f"{attribution}. Data avser {periods}; hämtad {retrieved:%Y-%m-%d}."


def select_largest_gaps(gaps: pd.DataFrame) -> pd.DataFrame:
    """The rows whose gap_pp lies furthest from 0 either way; none when no gap is known.

    Every row at the maximum is kept: a tie (e.g. 16-64 and 18-24 both +7,4) must not hide one.
    """
    known = gaps.dropna(subset=["gap_pp"])
    return known[known["gap_pp"].abs() == known["gap_pp"].abs().max()]


def join_sv(words: list[str]) -> str:
    """Join as Swedish lists do: "A", "A och B", "A, B och C"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} och {words[-1]}"


def describe_group(dimension: str, code: str) -> str:
    """Name a group inside a sentence: "förgymnasial utbildning", "utrikes födda", "18-24 år"."""
    label = format_group(dimension, code).lower()
    if dimension == "education" and code != "unknown":
        return f"{label} utbildning"
    return label


YOUNG_BELOW = 25  # an age band starting below 25 (16-24, 18-24, 20-24) is "unga"


def find_dimension(code: str) -> str:
    """The dimension of a group code: the codes of sex, birth region and education differ from
    one another and from age bands, so a gap table over every breakdown can be named."""
    for dimension in ("sex", "birth_region", "education"):
        if code != TOTAL and code in GROUP_CODES[dimension]:
            return dimension
    return "age"


def describe_people(dimension: str, code: str, population: str = "", sex: str = TOTAL) -> str:
    """Name a group as the people it is, inside a sentence.

    "alla 16-64 år", "unga 18-24 år", "personer 25-54 år", "utrikes födda", "personer med
    förgymnasial utbildning"; one sex: "unga män 18-24 år", "utrikes födda kvinnor".
    """
    who = "personer" if sex == TOTAL else describe_group("sex", sex)
    if code == TOTAL:
        return f"{'alla' if sex == TOTAL else who} {population}".strip()
    if dimension == "sex":
        return describe_group("sex", code)
    if dimension == "education":
        return f"{who} med {describe_group(dimension, code)}"
    if dimension == "birth_region":
        return describe_group(dimension, code) + ("" if sex == TOTAL else f" {who}")
    if code.endswith("+"):
        return f"{who} {code[:-1]} år och äldre"
    if code[:2].isdigit() and int(code[:2]) < YOUNG_BELOW:
        return f"unga {'' if sex == TOTAL else f'{who} '}{code} år"
    return f"{who} {code} år"


def describe_group_clause(group: Mapping[str, str]) -> str:
    """The words that narrow a sentence to one group, or "" for the whole population.

    " i åldern 18-24 år", " bland män i åldern 18-24 år", " bland utrikes födda kvinnor".
    """
    sex = group.get("sex", TOTAL)
    people = "" if sex == TOTAL else describe_group("sex", sex)
    varied = [(d, c) for d, c in group.items() if c != TOTAL and d != "sex"]
    if not varied:
        return f" bland {people}" if people else ""
    dimension, code = varied[0]
    if dimension == "age":
        return f" bland {people} i åldern {code} år" if people else f" i åldern {code} år"
    if dimension == "education":
        return f" bland {people or 'dem'} med {describe_group(dimension, code)}"
    return f" bland {describe_group(dimension, code)}" + (f" {people}" if people else "")


def format_ordinal(number: int) -> str:
    """The ordinal before "högsta": "" (1), "näst" (2), "tredje" ... "tionde", then "11:e"."""
    if number <= len(ORDINALS):
        return ORDINALS[number - 1]
    suffix = ":a" if number % 10 in (1, 2) and number % 100 not in (11, 12) else ":e"
    return f"{number}{suffix}"


def describe_position(ranked: pd.DataFrame, value: float) -> str:
    """Place a value from whichever end is nearer: "högsta", "tredje högsta", "näst lägsta"."""
    from_top = int((ranked["value"] > value).sum()) + 1
    from_bottom = int((ranked["value"] < value).sum()) + 1
    if from_top <= from_bottom:
        return f"{format_ordinal(from_top)} högsta".strip()
    return f"{format_ordinal(from_bottom)} lägsta".strip()


def format_period_capitalised(period: str) -> str:
    text = format_period(period)
    return text[:1].upper() + text[1:]


def describe_difference(value: float, benchmark: tuple[str, float] | None, decimals: int) -> str:
    if benchmark is None:
        return ""
    word, benchmark_value = benchmark
    gap = round(value - benchmark_value, decimals)
    if gap == 0:
        return f", samma som {word}"
    direction = "över" if gap > 0 else "under"
    return f", {format_number(abs(gap), decimals)} procentenheter {direction} {word}"


def describe_rank(
    ranking: pd.DataFrame,
    region_code: str,
    period: str,
    region_names: Mapping[str, str],
    benchmark: tuple[str, float] | None = None,
    decimals: int = 1,
    group_phrase: str = "",
) -> str:
    """Say where one kommun lies in a ranking (rank_regions), its value and gap to the benchmark."""
    name = region_names.get(region_code, region_code)
    rows = ranking[ranking["region_code"] == region_code]
    if rows.empty:
        return f"{name} ingår inte i urvalet."
    row = rows.iloc[0]
    if pd.isna(row["value"]):
        is_suppressed = pd.notna(row["status"]) and row["status"] == "suppressed"
        why = "är värdet undertryckt" if is_suppressed else "saknas värde"
        return (
            f"{format_period_capitalised(period)} {why} för {name} ({MISSING}); "
            "kommunen ingår inte i rangordningen."
        )
    ranked = ranking.dropna(subset=["value"])
    value = float(row["value"])
    figures = (
        f"{format_number(value, decimals)} procent{describe_difference(value, benchmark, decimals)}"
    )
    if len(ranked) == 1:
        only = f"var {name} den enda kommunen i urvalet med värde"
        return f"{format_period_capitalised(period)} {only}: {figures}."
    peers = ranked.loc[
        (ranked["value"] == value) & (ranked["region_code"] != region_code), "region_code"
    ]
    peer_names = sorted((region_names.get(c, c) for c in peers), key=sort_key_sv)
    alongside = f", liksom {join_sv(peer_names)}," if peer_names else ""
    with_value = " med värde" if len(ranked) < len(ranking) else ""
    position = describe_position(ranked, value)
    return (
        f"{format_period_capitalised(period)} hade {name}{alongside} den {position} andelen"
        f"{group_phrase} av {len(ranked)} kommuner{with_value}: {figures}."
    )


def describe_ranking(
    ranking: pd.DataFrame,
    highlighted: list[str],
    period: str,
    region_names: Mapping[str, str],
    benchmarks: Mapping[str, tuple[str, float]],
    decimals: int = 1,
    group_phrase: str = "",
) -> list[str]:
    """One sentence per highlighted kommun; without any, about the kommun ranked first."""
    ranked = ranking.dropna(subset=["value"])
    if ranked.empty:
        return [f"Ingen kommun i urvalet har ett värde för {format_period(period)}."]
    subjects = highlighted or ranked["region_code"].tolist()[:1]
    return [
        describe_rank(
            ranking, code, period, region_names, benchmarks.get(code), decimals, group_phrase
        )
        for code in subjects
    ]


def describe_reference_lines(lines: list[tuple[str, float]], decimals: int = 1) -> str:
    """The benchmarks a table shows beside the ranking: "Som jämförelse: riket 8,5 %."."""
    if not lines:
        return ""
    values = ", ".join(
        f"{format_in_sentence(name)} {format_percent(value, decimals)}" for name, value in lines
    )
    return f"Som jämförelse: {values}."


def describe_not_covered(ranking: pd.DataFrame, shown: pd.DataFrame, members: str) -> str:
    """Count the population's kommuner the source has no row for (they are not drawn).

    `members` names them as region_offer.describe_members does: "kommuner i Södertörn", or
    "kommuner" for every kommun ("264 av 290 kommuner finns inte i källan.").
    """
    hidden = len(ranking) - len(shown)
    if hidden == 0:
        return ""
    return f"{hidden} av {len(ranking)} {members} finns inte i källan."


def describe_gap_profile(
    profile: pd.DataFrame,
    region_name: str,
    benchmark_name: str,
    decimals: int = 1,
    sex: str = TOTAL,
) -> str:
    """Say in which group the kommun lies furthest from the benchmark, and by how much."""
    benchmark_name = format_in_sentence(benchmark_name)
    if sex != TOTAL:
        region_name = f"{region_name} ({describe_group('sex', sex)})"
    ties = select_largest_gaps(profile)
    if ties.empty:
        return f"Det finns ingen grupp där både {region_name} och {benchmark_name} har värden."
    largest = abs(ties["gap_pp"].iloc[0])
    if largest == 0:
        return f"{region_name} har samma andel som {benchmark_name} i alla grupper med värden."
    parts = [
        f"{describe_people(row.dimension, row.group)}, {format_number(row.value, decimals)} "
        f"procent mot {format_number(row.benchmark_value, decimals)} procent"
        for row in ties.itertuples()
    ]
    directions = ["högre" if gap > 0 else "lägre" for gap in ties["gap_pp"]]
    size = f"{format_number(largest, decimals)} procentenheter"
    if len(ties) == 1:
        return (
            f"Störst skillnad mot {benchmark_name} för {region_name}: {parts[0]}, "
            f"{size} {directions[0]}."
        )
    each = "båda" if len(ties) == 2 else "alla"
    if len(set(directions)) == 1:
        ending = f"{each} {size} {directions[0]}"
    else:
        ending = f"{each} {size}: {', '.join(directions[:-1])} respektive {directions[-1]}"
    return (
        f"Störst skillnad mot {benchmark_name} för {region_name}, lika stor i {len(ties)} "
        f"grupper: {', och '.join(parts)}, {ending}."
    )


def describe_newer_figures(newer: NewerFigures, catalog: Catalog) -> str:
    """Say that the publisher has figures newer than the shown ones, and in which measures."""
    # Measure names hold commas of their own: several are set apart by semicolons.
    names = "; ".join(str(catalog.measure(m)["name_sv"]) for m in newer.measure_ids)
    return (
        f"Nyare siffror finns: {newer.publisher} har värden till och med "
        f"{format_period(newer.period)} ({names})."
    )
