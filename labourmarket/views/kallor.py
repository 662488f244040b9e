"""Källor och data: each measure's definition, source and coverage, and the build's raw files."""

from dataclasses import dataclass

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.core.store import LoadedData
from labourmarket.output.measure_sources import summarise_definitions, summarise_measures

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


@dataclass(frozen=True)
class KallorChoices:
    catalog: Catalog  # ui's cache: the definitions show even where the build cannot be read


@dataclass(frozen=True)
class ShownMeasure:
    name: str
    definition: str
    source: str  # the attribution
    details: pd.Series  # DETAILS as one column, "Uppgift"
    caption: str  # the measure's id and comparability group


@dataclass(frozen=True)
class KallorContent:
    warning: str  # the measures are never compared in one series
    notice: str | None  # why coverage and files are missing: no readable build
    measures: tuple[ShownMeasure, ...]
    files_caption: str | None  # when and how the build was made; None without a build
    files: pd.DataFrame | None  # the raw files of the build


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


def build(data: LoadedData | None, choices: KallorChoices) -> KallorContent:
    """Every measure with its coverage and the build's raw files; without a readable build
    (`data` None or empty), the definitions from the reference data alone."""
    if data is None or data.observations.empty:
        entries = summarise_definitions(choices.catalog)
        measures = tuple(shape_measure(entry) for entry in entries)
        return KallorContent(COMPARABILITY_WARNING, WITHOUT_DATA, measures, None, None)
    entries = summarise_measures(data.observations, data.catalog)
    return KallorContent(
        warning=COMPARABILITY_WARNING,
        notice=None,
        measures=tuple(shape_measure(entry) for entry in entries),
        files_caption=f"Byggt {data.manifest['built_at']} av `python -m etl build` från data/raw.",
        files=list_manifest_sources(data.manifest),
    )
