"""Källor och data: each measure's definition, source and coverage, and the build's raw files."""

from dataclasses import dataclass

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.core.changelog import BuildRecord, select_history_until
from labourmarket.core.store import LoadedData
from labourmarket.output.change_tables import (
    NO_CHANGES,
    describe_comparison,
    describe_measure_changes,
    format_time,
    name_measure,
    shape_history,
    shape_revisions,
    shape_withdrawn,
)
from labourmarket.output.measure_sources import summarise_definitions, summarise_measures
from labourmarket.output.shown_table import ShownTable

COMPARABILITY_WARNING = (
    "Måtten mäter olika saker och jämförs aldrig i samma serie: Arbetsförmedlingens inskrivna "
    "arbetslösa är ett bestånd som andel av den registerbaserade arbetskraften; SCB:s BAS är en "
    "registerbaserad arbetslöshet som andel av arbetskraften; SCB:s integrationsstatistik är en "
    "andel av befolkningen. Nivåerna skiljer sig därför även för samma kommun och år."
)
WITHOUT_DATA = (
    "Definitionerna nedan kommer ur referensdatan och gäller ändå. Perioder, antal värden och "
    "källfiler visas när datan är byggd och läsbar."
)
# The facts under each measure's definition, in this order; coverage only with a build.
DETAILS = [
    "Population",
    "Nämnare",
    "Utgivare",
    "Licens",
    "Perioder",
    "Regioner",
    "Värden",
    "Saknade värden",
    "Hämtad",
    "Seriebrott",
]


NO_CHANGES_FILE = (
    "Bygget har ingen ändringslista: det gjordes före att ändringar sparades, eller inte med "
    "`python -m etl build`. Nästa bygge jämförs med det här."
)


@dataclass(frozen=True)
class KallorChoices:
    catalog: Catalog  # ui's cache: the definitions show even where the build cannot be read
    # The build's changes.json and the build history (changelog.read_build_record); None: the
    # page shows no changes.
    record: BuildRecord | None = None


@dataclass(frozen=True)
class ShownMeasure:
    name: str
    definition: str
    source: str  # the attribution
    details: pd.Series  # DETAILS as one column, "Uppgift"
    caption: str  # the measure's id and comparability group


@dataclass(frozen=True)
class ChangedMeasure:
    """One measure's changes in the latest build: lines, then the figures revised and withdrawn."""

    name: str
    lines: tuple[str, ...]
    revised: ShownTable | None
    withdrawn: ShownTable | None


@dataclass(frozen=True)
class KallorContent:
    warning: str  # the measures are never compared in one series
    notice: str | None  # why coverage and files are missing: no readable build
    measures: tuple[ShownMeasure, ...]
    files_caption: str | None  # when and how the build was made; None without a build
    files: pd.DataFrame | None  # the raw files of the build
    changes_caption: str | None = None  # which build the latest changes compare with
    changes_notices: tuple[str, ...] = ()  # no changes, no list kept, or what could not be read
    changes: tuple[ChangedMeasure, ...] = ()
    history: pd.DataFrame | None = None  # the builds, newest first; None before any history


def list_manifest_sources(manifest: dict) -> pd.DataFrame:
    """The raw files behind the last build, as the page's table shows them."""
    return pd.DataFrame(
        [
            {
                "Fil": source["file"],
                "Utgivare": source.get("publisher", ""),
                "Hämtad": str(source.get("retrieved_at", ""))[:10],
                "Rader": source["rows"],
                "sha256": str(source.get("sha256", ""))[:12],
            }
            for source in manifest["sources"]
        ]
    )


def shape_measure(entry: dict[str, str]) -> ShownMeasure:
    """A summarised measure as its box reads: the facts it has, and its id and group below."""
    return ShownMeasure(
        name=entry["Mått"],
        definition=entry["Definition"],
        source=entry["Källa"],
        details=pd.Series({key: entry[key] for key in DETAILS if key in entry}, name="Uppgift"),
        caption=(
            f"Mått-id `{entry['measure_id']}` · jämförbarhetsgrupp `{entry['Jämförbarhetsgrupp']}`"
        ),
    )


def shape_changes(
    data: LoadedData, record: BuildRecord
) -> tuple[str | None, tuple[str, ...], tuple[ChangedMeasure, ...]]:
    """The latest build's changes per measure, or why there are none to show."""
    notices = tuple(f"Kunde inte läsas: {problem}" for problem in record.problems)
    changes = record.changes
    if changes is None:
        return None, notices or (NO_CHANGES_FILE,), ()
    if changes.get("built_at") != data.manifest["built_at"]:
        other = (
            f"Ändringslistan hör till bygget {format_time(changes.get('built_at'))}, inte till "
            f"datan som visas ({format_time(data.manifest['built_at'])}). Ladda om sidan."
        )
        return None, (*notices, other), ()
    catalog = data.catalog
    measures = tuple(
        ChangedMeasure(
            name=name_measure(catalog, measure_id),
            lines=describe_measure_changes(found),
            revised=(
                shape_revisions(pd.DataFrame(found["revised"]), catalog, with_measure=False)
                if found["revised"]
                else None
            ),
            withdrawn=(
                shape_withdrawn(pd.DataFrame(found["withdrawn"]), catalog, with_measure=False)
                if found["withdrawn"]
                else None
            ),
        )
        for measure_id, found in changes["measures"].items()
    )
    compared = changes.get("previous") and not changes.get("previous_problem")
    if compared and not measures:
        notices = (*notices, NO_CHANGES)
    return describe_comparison(changes), notices, measures


def build(data: LoadedData | None, choices: KallorChoices) -> KallorContent:
    """Every measure with its coverage and the build's raw files; without a readable build
    (`data` None or empty), the definitions from the reference data alone."""
    if data is None or data.observations.empty:
        entries = summarise_definitions(choices.catalog)
        measures = tuple(shape_measure(entry) for entry in entries)
        return KallorContent(COMPARABILITY_WARNING, WITHOUT_DATA, measures, None, None)
    entries = summarise_measures(data.observations, data.catalog)
    record = choices.record
    caption, notices, changes = shape_changes(data, record) if record else (None, (), ())
    # The builds that led to this one; the whole history if it does not hold this build.
    history = list(record.history) if record else []
    history = select_history_until(history, data.manifest) or history
    return KallorContent(
        warning=COMPARABILITY_WARNING,
        notice=None,
        measures=tuple(shape_measure(entry) for entry in entries),
        files_caption=(
            f"Byggt {format_time(data.manifest['built_at'])} av `python -m etl build` "
            "från data/raw."
        ),
        files=list_manifest_sources(data.manifest),
        changes_caption=caption,
        changes_notices=notices,
        changes=changes,
        history=shape_history(history, data.catalog) if history else None,
    )
