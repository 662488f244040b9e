"""Changes between builds in Swedish: revised and withdrawn figures as tables, the build history.

Read by Källor och data (the latest build's changes, the history), the Nämndvy's "Nytt sedan
förra mötet" and the Mål och budget pack (the revised figures it uses).
"""

from collections.abc import Mapping
from typing import Any

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.core.changelog import LOCAL_TIME
from labourmarket.core.schema import GROUP_DIMENSIONS
from labourmarket.core.selection import TOTAL
from labourmarket.output.formatting import format_group, format_number, format_period
from labourmarket.output.sentences import join_sv
from labourmarket.output.shown_table import NumberFormat, ShownTable, make_shown_table

STATUS_LABELS = {
    "provisional": "preliminärt",
    "suppressed": "undertryckt",
    "not_applicable": "ej tillämpligt",
    "lower_bound": "minst (undre gräns)",
    "missing_part": "en del saknas",
}
FIRST_BUILD = "Första bygget: det fanns inget tidigare bygge att jämföra med."
NO_CHANGES = "Inga ändringar: samma perioder och värden som i bygget före."
HISTORY_COLUMNS = [
    "Byggt",
    "Värden",
    "Mått",
    "Nya perioder",
    "Reviderade värden",
    "Tillbakadragna värden",
]


def format_time(stamp: str | None) -> str:
    """A build's or a retrieval's time as Swedish readers see it: 2026-11-30 07:00."""
    if not stamp:
        return ""
    return f"{pd.Timestamp(stamp).tz_convert(LOCAL_TIME):%Y-%m-%d %H:%M}"


def format_day(stamp: str | None) -> str:
    return format_time(stamp)[:10]


def name_measure(catalog: Catalog, measure_id: str) -> str:
    """The measure's Swedish name; its id when the reference data no longer has it."""
    try:
        return str(catalog.measure(measure_id)["name_sv"])
    except KeyError:
        return measure_id


def read_decimals(catalog: Catalog, measure_id: str) -> int:
    try:
        return int(catalog.measure(measure_id)["decimals"])
    except KeyError:
        return 1


def format_key_group(row: Mapping[str, Any], catalog: Catalog) -> str:
    """A figure's group: "Totalt 20-64 år", or its narrowed dimensions ("Kvinnor, 18-24 år")."""
    narrowed = [(d, str(row[d])) for d in GROUP_DIMENSIONS if str(row[d]) != TOTAL]
    if not narrowed:
        try:
            population = str(catalog.measure(str(row["measure_id"]))["population_sv"])
        except KeyError:
            population = ""
        return format_group("age", TOTAL, population)
    return ", ".join(format_group(d, code) for d, code in narrowed)


def format_status(status: Any) -> str:
    return "" if pd.isna(status) else STATUS_LABELS.get(str(status), str(status))


def describe_figures(rows: pd.DataFrame, catalog: Catalog, with_measure: bool) -> dict:
    """The columns that say which figure a row is: measure, region, period and group."""
    columns: dict[str, list[str]] = {}
    if with_measure:
        columns["Mått"] = [name_measure(catalog, str(m)) for m in rows["measure_id"]]
    columns["Region"] = [catalog.region_name(str(code)) for code in rows["region_code"]]
    columns["Period"] = [format_period(str(code)) for code in rows["period"]]
    columns["Grupp"] = [format_key_group(row, catalog) for row in rows.to_dict("records")]
    return columns


def pick_decimals(rows: pd.DataFrame, catalog: Catalog) -> int:
    """One column holds figures of every measure listed: as many decimals as the finest."""
    measures = rows["measure_id"].unique() if len(rows) else []
    return max((read_decimals(catalog, str(m)) for m in measures), default=1)


def shape_revisions(
    revised: pd.DataFrame, catalog: Catalog, with_measure: bool = True
) -> ShownTable:
    """Revised figures: which figure, old -> new value and status, both retrieval dates."""
    decimals = pick_decimals(revised, catalog)
    frame = pd.DataFrame(
        {
            **describe_figures(revised, catalog, with_measure),
            "Tidigare värde": revised["old_value"].to_numpy(),
            "Nytt värde": revised["new_value"].to_numpy(),
            "Tidigare status": [format_status(s) for s in revised["old_status"]],
            "Ny status": [format_status(s) for s in revised["new_status"]],
            "Hämtad tidigare": [format_day(s) for s in revised["old_retrieved_at"]],
            "Hämtad nu": [format_day(s) for s in revised["new_retrieved_at"]],
        }
    )
    number = NumberFormat(decimals)
    return make_shown_table(frame, {"Tidigare värde": number, "Nytt värde": number})


def shape_withdrawn(
    withdrawn: pd.DataFrame, catalog: Catalog, with_measure: bool = True
) -> ShownTable:
    """Withdrawn figures: which figure, and its value, status and retrieval date before."""
    frame = pd.DataFrame(
        {
            **describe_figures(withdrawn, catalog, with_measure),
            "Värde": withdrawn["old_value"].to_numpy(),
            "Status": [format_status(s) for s in withdrawn["old_status"]],
            "Hämtad": [format_day(s) for s in withdrawn["old_retrieved_at"]],
        }
    )
    return make_shown_table(frame, {"Värde": NumberFormat(pick_decimals(withdrawn, catalog))})


def format_periods(periods: list[str] | tuple[str, ...]) -> str:
    return join_sv([format_period(p) for p in periods])


def count_word(count: int, one: str, many: str) -> str:
    return f"{format_number(count, 0)} {one if count == 1 else many}"


def describe_measure_changes(found: Mapping[str, Any]) -> tuple[str, ...]:
    """One measure's changes in a build as lines: new periods, revisions, withdrawals."""
    lines = []
    if found["new_periods"]:
        lines.append(
            f"Nya perioder: {format_periods(found['new_periods'])} "
            f"({count_word(found['new_period_figures'], 'värde', 'värden')})."
        )
    if found["added_figures"]:
        added = count_word(found["added_figures"], "värde", "värden")
        lines.append(f"Tillagda i perioder som fanns förut: {added}.")
    if found["revised"]:
        revised = count_word(len(found["revised"]), "värde", "värden")
        lines.append(f"Reviderade: {revised} (tabellen nedan).")
    if found["withdrawn"]:
        withdrawn = count_word(len(found["withdrawn"]), "värde", "värden")
        lines.append(f"Tillbakadragna: {withdrawn} (finns inte längre i källan).")
    if found["withdrawn_periods"]:
        gone = count_word(found["withdrawn_period_figures"], "värde", "värden")
        lines.append(f"Borttagna perioder: {format_periods(found['withdrawn_periods'])} ({gone}).")
    return tuple(lines)


def describe_comparison(changes: Mapping[str, Any]) -> str:
    """Which build a list of changes compares with, or why it compares with none."""
    built = format_time(changes.get("built_at"))
    if changes.get("previous_problem"):
        return (
            f"Bygget {built} kunde inte jämföras: det förra bygget gick inte att läsa "
            f"({changes['previous_problem']})."
        )
    if changes.get("first_build") or not changes.get("previous"):
        return f"Bygget {built}. {FIRST_BUILD}"
    previous = changes["previous"]
    return f"Bygget {built} jämfört med bygget {format_time(previous.get('built_at'))}."


def shape_history(history: list[dict[str, Any]], catalog: Catalog) -> pd.DataFrame:
    """The build history, newest first: one row per build and changed measure."""
    rows = []
    for entry in reversed(history):
        common = {"Byggt": format_time(entry["built_at"]), "Värden": entry.get("rows")}
        measures = entry.get("measures") or {}
        if entry.get("first_build") or entry.get("previous_problem"):
            note = "Första bygget" if entry.get("first_build") else "Inte jämfört"
            rows.append({**common, "Mått": note})
        elif not measures:
            rows.append({**common, "Mått": "Inga ändringar"})
        for measure_id, counts in measures.items():
            rows.append(
                {
                    **common,
                    "Mått": name_measure(catalog, measure_id),
                    "Nya perioder": counts.get("new_periods", 0),
                    "Reviderade värden": counts.get("revised", 0),
                    "Tillbakadragna värden": counts.get("withdrawn", 0),
                }
            )
    frame = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    counts = ["Värden", "Nya perioder", "Reviderade värden", "Tillbakadragna värden"]
    return frame.astype(dict.fromkeys(counts, "Int64"))
