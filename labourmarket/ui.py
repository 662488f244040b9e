"""The one library module that imports streamlit: cached loaders and widgets shared by pages."""

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from labourmarket.core import paths, store
from labourmarket.core.catalog import Catalog, CatalogError, load_catalog
from labourmarket.core.defaults import (
    pick_default_measure,
    pick_default_period,
    pick_longest_measure,
    summarise_coverage,
)
from labourmarket.core.link_lists import cap_choices, describe_dropped, split_link_list
from labourmarket.core.region_offer import GROUP_ALL, RegionOffer
from labourmarket.core.selection import DEFAULT_MUNICIPALITIES, select_rows
from labourmarket.core.store import LoadedData
from labourmarket.core.targets import TARGETS_FILE, Target, TargetError, evaluate, load_targets
from labourmarket.output import formats
from labourmarket.output.change_tables import format_time
from labourmarket.output.formatting import (
    SEX_LABELS,
    format_number,
    format_period,
    quote_link_value,
)
from labourmarket.output.shown_table import ShownTable
from labourmarket.views.export import Pack, assemble_pack
from labourmarket.views.gapanalys import list_periods, list_sexes

FAVICON = str(paths.REPO_DIR / "static" / "favicon.svg")
# Streamlit 1.67 serves <html lang="en"> (streamlit/streamlit#15726): screen readers would read
# the Swedish UI with English pronunciation (WCAG 3.1.1). The nginx deployment rewrites the
# served HTML too (deploy/nginx.conf); this covers a server reached without it. The style keeps
# the empty element from adding a gap above every page (the Nämndvy must fit a projector).
SET_LANGUAGE_SV = (
    "<style>[data-testid='stElementContainer']:has(#set-language-sv) {display: none}</style>"
    "<script id='set-language-sv'>document.documentElement.lang = 'sv';</script>"
)

BUILD_HELP = """\
**Det finns ingen byggd data ännu.**

Bygg den från de medföljande källfilerna (ingen nätverksanslutning behövs) och ladda om sidan:

```
make data
```

eller, i projektets virtuella miljö: `python -m etl build`.
"""


@st.cache_data(show_spinner=False)
def load_catalog_cached(reference_dir: str, version: tuple[int, ...]) -> Catalog:
    """Load the reference tables; `version` (file mtimes) makes an edit show without a restart."""
    return load_catalog(Path(reference_dir))


@st.cache_resource(show_spinner="Läser in data …", max_entries=1)
def load_observations_cached(clean_dir: str, data_version: str) -> pd.DataFrame:
    """Read all observations once per build, one copy shared by every session.

    cache_resource, not cache_data: cache_data hands each call a fresh unpickled copy, which
    at national scale costs a second per rerun and a copy per session. Sharing is safe because
    pandas copy-on-write keeps every page's derived frames from writing back into this one.
    One entry, and the work derived from the previous build dropped with it: with two, and
    each derived cache keeping a few builds' slices, the server grew by ~150 MB a rebuild at
    national scale (bench/rss_rebuilds.py). A session still running on the previous build
    keeps its own reference to that table until its run ends; nothing is read twice.
    """
    forget_derived_work()
    return store.read_observations()


def forget_derived_work() -> None:
    """Drop every cached result cut from a build's table: a new build is loading."""
    for cached in (
        select_measure_cached,
        summarise_coverage_cached,
        summarise_build_cached,
        list_periods_cached,
        pick_default_measure_cached,
        pick_default_period_cached,
        evaluate_cached,
        assemble_pack_cached,
        build_view_cached,
    ):
        cached.clear()


@st.cache_resource(show_spinner=False, max_entries=16)
def select_measure_cached(
    version: str, measure_id: str, _observations: pd.DataFrame
) -> pd.DataFrame:
    return select_rows(_observations, measure_id)


def select_measure(data: LoadedData, measure_id: str) -> pd.DataFrame:
    """One measure's rows, cut once per build and shared by sessions (millions of rows at scale)."""
    return select_measure_cached(data.version, measure_id, data.observations)


@st.cache_resource(show_spinner=False, max_entries=2)
def summarise_coverage_cached(version: str, _observations: pd.DataFrame) -> pd.DataFrame:
    return summarise_coverage(_observations)


def summarise_coverage_once(data: LoadedData) -> pd.DataFrame:
    """Each measure's newest period per region, once per build: what the defaults follow."""
    return summarise_coverage_cached(data.version, data.observations)


@st.cache_resource(show_spinner=False, max_entries=2)
def summarise_build_cached(version: str, _observations: pd.DataFrame) -> tuple[list[str], int]:
    return sorted(_observations["measure_id"].unique()), int(_observations["value"].notna().sum())


def list_measures_once(data: LoadedData) -> list[str]:
    """The build's measures, sorted, once per build (a scan of millions of rows at scale)."""
    return summarise_build_cached(data.version, data.observations)[0]


def count_figures_once(data: LoadedData) -> int:
    """How many published figures the build holds, once per build."""
    return summarise_build_cached(data.version, data.observations)[1]


@st.cache_resource(show_spinner=False, max_entries=16)
def list_periods_cached(version: str, measure_id: str, _series: pd.DataFrame) -> list[str]:
    return list_periods(_series)


def list_periods_once(data: LoadedData, measure_id: str) -> list[str]:
    """A measure's periods, latest first, once per build (a sort of a million rows at scale).

    Shared by every session and rerun, so read-only.
    """
    return list_periods_cached(data.version, measure_id, select_measure(data, measure_id))


@st.cache_resource(show_spinner=False, max_entries=64)
def pick_default_measure_cached(
    build_key: tuple,
    regions: tuple[str, ...],
    needs_benchmark: bool,
    longest_series: bool,
    _coverage: pd.DataFrame,
    _catalog: Catalog,
) -> str | None:
    if longest_series:
        return pick_longest_measure(_coverage, _catalog, list(regions))
    return pick_default_measure(_coverage, _catalog, regions[0], needs_benchmark)


@st.cache_resource(show_spinner=False, max_entries=256)
def pick_default_period_cached(
    version: str, measure_id: str, region: str, _coverage: pd.DataFrame
) -> str | None:
    return pick_default_period(_coverage, measure_id, region)


def identify_build(data: LoadedData) -> tuple[str, tuple[int, ...]]:
    """A key for work derived from one build and one state of the reference files."""
    return (data.version, read_reference_version())


@st.cache_resource(show_spinner=False, max_entries=4)
def evaluate_cached(
    build_key: tuple, _observations: pd.DataFrame, _targets: list[Target], _catalog: Catalog
) -> pd.DataFrame:
    return evaluate(_observations, _targets, _catalog)


def evaluate_targets(data: LoadedData, targets: list[Target]) -> pd.DataFrame:
    """Every target judged once per build and shared: Översikt and Mål read the same result."""
    return evaluate_cached(identify_build(data), data.observations, targets, data.catalog)


@st.cache_resource(show_spinner=False, max_entries=8)
def assemble_pack_cached(
    build_key: tuple, region: str, period: str, _data: LoadedData, _targets: list[Target]
) -> Pack:
    return assemble_pack(
        _data.observations, _data.catalog, _targets, _data.manifest, region, period
    )


def assemble_pack_once(data: LoadedData, targets: list[Target], region: str, period: str) -> Pack:
    """The Export page's pack, assembled once per build, kommun and period (read-only)."""
    return assemble_pack_cached(identify_build(data), region, period, data, targets)


def describe_selection(value: Any) -> Any:
    """A hashable key for a view's choices: every widget value, none of the cut frames.

    A frame or series in the choices is cut from the build by the other fields (measure,
    period), so the build key and those fields name it; a nested dataclass is described
    field by field.
    """
    if isinstance(value, pd.DataFrame | pd.Series):
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value).__name__, *(describe_selection(getattr(value, f.name)) for f in fields))
    if isinstance(value, list | tuple):
        return tuple(describe_selection(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, describe_selection(item)) for key, item in value.items())
    return value


ContentT = TypeVar("ContentT")


# Figures and the rows behind them, per view and selection: shared by every session.
@st.cache_resource(show_spinner=False, max_entries=64)
def build_view_cached(
    view: str,
    build_key: tuple,
    selection: Any,
    _build: Callable[..., Any],
    _data: LoadedData,
    _args: tuple,
) -> Any:
    return _build(_data, *_args)


def build_view_once(
    build: Callable[..., ContentT], data: LoadedData, *args: Any, key: Any = ()
) -> ContentT:
    """A page's offer or content (view build, figures, tables) once per build and selection.

    The selection is every argument but the frames (describe_selection), and `key`: what a
    frame among the arguments was cut by when no other argument says it (the measure).
    Shared by every session and rerun, so read-only: a page draws it and never changes it.
    """
    view = f"{build.__module__}.{build.__qualname__}"
    selection = (describe_selection(args), describe_selection(key))
    return build_view_cached(view, identify_build(data), selection, build, data, args)


def read_reference_version() -> tuple[int, ...]:
    files = sorted([*paths.reference_dir().glob("*.csv"), *paths.reference_dir().glob("*.toml")])
    return tuple(p.stat().st_mtime_ns for p in files)


@st.cache_data(show_spinner=False)
def load_targets_cached(
    reference_dir: str, version: tuple[int, ...], _catalog: Catalog
) -> list[Target]:
    return load_targets(_catalog, Path(reference_dir) / TARGETS_FILE)


def load_targets_or_explain(catalog: Catalog) -> list[Target]:
    """The strategy targets; a malformed file is shown as an error naming the entry, not a crash."""
    try:
        return load_targets_cached(str(paths.reference_dir()), read_reference_version(), catalog)
    except TargetError as error:
        st.error(f"**Målen kunde inte läsas.** Rätta filen och ladda om sidan.\n\n`{error}`")
        return []


REBUILD_HELP = """\
Bygg om datan från de medföljande källfilerna (ingen nätverksanslutning behövs) och ladda om
sidan:

```
make data
```

eller, i projektets virtuella miljö: `python -m etl build`. Pågår ett bygge just nu räcker det att
vänta en stund och ladda om sidan.
"""


class IncompleteBuildError(store.StoreError):
    """One of the two files of a build is there and the other is not."""


@st.cache_data(show_spinner=False)
def find_build_problem_cached(
    clean_dir: str, data_version: str, manifest: Any
) -> store.StoreError | None:
    """Check the Parquet against its manifest once per data version: hashing reads the file."""
    try:
        store.check_manifest_matches(manifest)
    except store.StoreError as error:
        return error
    return None


def check_build(manifest: Any, data_version: str | None) -> None:
    """Raise StoreError unless both files of the build are there and belong together."""
    if data_version is None or manifest is None:
        missing, present = (store.OBSERVATIONS_FILE, store.MANIFEST_FILE)
        if manifest is None:
            missing, present = present, missing
        raise IncompleteBuildError(f"{missing} saknas i {paths.clean_dir()}, men {present} finns.")
    problem = find_build_problem_cached(str(paths.clean_dir()), data_version, manifest)
    if problem is not None:
        raise problem


def describe_data_problem(error: Exception) -> str:
    """The Swedish headline above the technical detail: what is wrong, in the user's words."""
    if isinstance(error, IncompleteBuildError):
        return "Datan kunde inte läsas: bygget är ofullständigt."
    if isinstance(error, store.ManifestMismatchError):
        return (
            "Datan kunde inte läsas: datafilen stämmer inte med sitt manifest "
            "(den har ändrats eller bytts ut efter bygget)."
        )
    return "Datan kunde inte läsas: en fil i data/clean är skadad eller ofullständig."


def explain_data_problem(error: Exception) -> None:
    """A damaged build on screen: a Swedish headline, the detail, and how to rebuild."""
    st.error(f"{describe_data_problem(error)}\n\nDetalj: {error}")
    st.info(REBUILD_HELP)


def read_data() -> LoadedData | None:
    """The current build, None when nothing is built; saying nothing on the page.

    Raises CatalogError, or StoreError, OSError or ValueError (pyarrow's ArrowInvalid, a
    damaged Parquet file read past its footer) when it cannot be read.
    """
    manifest = store.read_manifest()
    version = store.read_data_version()
    if manifest is None and version is None:
        return None
    check_build(manifest, version)
    catalog = load_catalog_cached(str(paths.reference_dir()), read_reference_version())
    observations = load_observations_cached(str(paths.clean_dir()), version)
    return LoadedData(observations, catalog, manifest, version or "")


def load_data() -> LoadedData | None:
    """Return the current build, or explain on the page how to build it and return None."""
    try:
        data = read_data()
    except CatalogError as error:
        st.error(f"Referensdatan kunde inte läsas. Rätta filen och ladda om sidan.\n\n{error}")
        return None
    except (store.StoreError, OSError, ValueError) as error:
        explain_data_problem(error)
        return None
    if data is None:
        st.info(BUILD_HELP)
    return data


def declare_swedish() -> None:
    """Mark the page's language as Swedish: a constant script, run on every page (app.py)."""
    st.html(SET_LANGUAGE_SV, unsafe_allow_javascript=True)


SHARED_REGIONS = "shared_regions"  # not a widget key: Streamlit keeps it across pages


def name_link_value(code: str, format_func: Callable[[str], str]) -> str:
    """A value from a link as the page names it ("Nykvarn", "kv 3 2099"), else the code quoted.

    A name is only taken from the page's own lookup: one that echoes the link's text (an
    unknown code passed through) is shown as the quoted code, never as markdown.
    """
    try:
        name = format_func(code)
    except (KeyError, ValueError, TypeError):
        name = None
    if isinstance(name, str) and name and code not in name:
        return name
    return quote_link_value(code)


LINK_NAMES_AT_MOST = 5  # the unknown values of a link a notice names; the rest it counts


def warn_stale_link(
    label: str, wanted: list[str], fallback: str, format_func: Callable[[str], str]
) -> None:
    """A link asked for something this page does not have: say so by the widget's Swedish
    label and the value's name, then show the default."""
    # A link can name thousands: the first few are named, the rest counted.
    shown = ", ".join(name_link_value(code, format_func) for code in wanted[:LINK_NAMES_AT_MOST])
    if len(wanted) > LINK_NAMES_AT_MOST:
        shown += f" och {format_number(len(wanted) - LINK_NAMES_AT_MOST, 0)} till"
    st.warning(
        f"Länken angav {shown} för ”{label}”, som inte kan visas här. Visar {fallback} i stället.",
        icon=":material/link_off:",
    )


def require_data() -> LoadedData:
    """Every page's start: the current build and its status line, or guidance and a stop."""
    data = load_data()
    if data is None or data.observations.empty:
        st.stop()
    show_data_status(data)
    return data


def remember_param(key: str, value: str) -> None:
    """Write a choice to the URL and remember that this page, not a link, put it there."""
    st.query_params[key] = value
    st.session_state[f"_url_{key}"] = value


def is_own_param(key: str, value: str) -> bool:
    """A value this session wrote itself is no stale link: it just no longer fits (new measure)."""
    return st.session_state.get(f"_url_{key}") == value


def seed_choice(
    key: str,
    options: Sequence[str],
    default: str,
    format_func: Callable[[str], str],
    label: str,
) -> None:
    """Start a single-choice widget from the URL (a shared link) or keep a still-valid choice."""
    if st.session_state.get(key) in options:
        # Written back: a widget of another page under the same key (other options) would
        # otherwise start at its first option, ignoring both the choice and the default.
        st.session_state[key] = st.session_state[key]
        return
    wanted = st.query_params.get(key)
    if wanted is not None and wanted not in options and not is_own_param(key, wanted):
        warn_stale_link(label, [wanted], format_func(default), format_func)
    st.session_state[key] = wanted if wanted in options else default


def seed_choices(
    key: str,
    options: Sequence[str],
    default: list[str],
    format_func: Callable[[str], str],
    label: str,
    limit: int | None = None,
) -> None:
    """Start a multiselect from the URL, else the comparison set chosen on another page.

    Each code counts once and at most `limit` are taken; a notice says how many were not.
    """
    current = st.session_state.get(key)
    if current is not None:
        kept = [code for code in current if code in options]
        # A measure of another level (BAS has län, not kommuner) keeps none of the choice: start
        # from the default rather than an empty page. A choice the user emptied stays empty.
        st.session_state[key] = kept if kept or not current else list(default)
        return
    wanted = st.query_params.get(key)
    if wanted:
        codes, repeated = split_link_list(wanted)
        offered = set(options)
        unknown = [code for code in codes if code not in offered]
        chosen, over_limit = cap_choices([code for code in codes if code in offered], limit)
        if unknown and not is_own_param(key, wanted):
            fallback = ", ".join(format_func(c) for c in (chosen or default))
            warn_stale_link(label, unknown, fallback, format_func)
        # Also for a set this session wrote on a page without the limit: it is cut here.
        dropped = describe_dropped(label, repeated, over_limit, limit)
        if dropped is not None:
            st.info(dropped, icon=":material/filter_list:")
        st.session_state[key] = chosen or default
        return
    shared = [code for code in st.session_state.get(SHARED_REGIONS, []) if code in options]
    shared, over_limit = cap_choices(shared, limit)
    dropped = describe_dropped(label, 0, over_limit, limit, "Urvalet från en annan sida")
    if dropped is not None:
        st.info(dropped, icon=":material/filter_list:")
    st.session_state[key] = shared or default


MAX_RADIO_OPTIONS = 5
# Streamlit's own placeholders are English ("Choose an option", "Choose options", "No options to
# select"); a placeholder of ours replaces all three.
PLACEHOLDER_ONE = "Välj ett alternativ"
PLACEHOLDER_MANY = "Välj ett eller flera alternativ"


def choose_one(
    label: str,
    key: str,
    options: Sequence[str],
    default: str,
    format_func: Callable[[str], str],
    horizontal: bool = False,
) -> str:
    """A selectbox (or horizontal radio, when the options are few) whose choice lives in the URL.

    At national scale "Jämför med" offers every län: 22 radio buttons would bury the page.
    """
    seed_choice(key, options, default, format_func, label)
    if horizontal and len(options) <= MAX_RADIO_OPTIONS:
        value = st.radio(label, options, key=key, format_func=format_func, horizontal=True)
    else:
        value = st.selectbox(
            label, options, key=key, format_func=format_func, placeholder=PLACEHOLDER_ONE
        )
    remember_param(key, value)
    return value


def choose_many(
    label: str,
    key: str,
    options: Sequence[str],
    default: list[str],
    format_func: Callable[[str], str],
    placeholder: str = PLACEHOLDER_MANY,
    limit: int | None = None,
) -> list[str]:
    """A multiselect whose choices live in the URL (at most `limit` taken from a link).

    Without Streamlit's "Select all" (English, and no way to name it): the pickers' group
    selectbox offers "Alla" instead.
    """
    seed_choices(key, options, default, format_func, label, limit)
    values = st.multiselect(
        label,
        options,
        key=key,
        format_func=format_func,
        placeholder=placeholder,
        select_all=False,
    )
    remember_param(key, ",".join(values))
    return values


def read_focus_region(catalog: Catalog) -> str:
    """The kommun a page's defaults follow: the link's first region, else the comparison set's
    first, else Södertälje (Tabell 1's first)."""
    regions = catalog.regions
    municipalities = set(regions.loc[regions["level"] == "municipality", "region_code"])
    linked = (st.query_params.get("regions") or "").split(",")
    candidates = [*linked, *st.session_state.get(SHARED_REGIONS, []), *DEFAULT_MUNICIPALITIES]
    return next(code for code in candidates if code in municipalities)


def read_comparison_set(catalog: Catalog) -> list[str]:
    """The kommuner a page's defaults cover: the link's, else the comparison set chosen on
    another page, else Tabell 1's four."""
    regions = catalog.regions
    municipalities = set(regions.loc[regions["level"] == "municipality", "region_code"])
    linked = [c for c in split_link_list(st.query_params.get("regions"))[0] if c in municipalities]
    shared = [c for c in st.session_state.get(SHARED_REGIONS, []) if c in municipalities]
    return linked or shared or list(DEFAULT_MUNICIPALITIES)


MEASURE_DEFAULT = "_measure_default"  # the default the measure picker last opened on


def choose_measure(
    data: LoadedData, needs_benchmark: bool = False, longest_series: bool = False
) -> str:
    """The measure picker every analysis page opens with.

    By default the percentage measure with the newest figures for the kommun in focus
    (defaults.pick_default_measure); `needs_benchmark` for a page that compares with the
    county or the country; `longest_series` for a trend page: the measure with the longest
    series for the comparison set (defaults.pick_longest_measure). A measure chosen on another
    page follows the user here; one that page only opened on gives way to this page's default.
    """
    measure_ids = list_measures_once(data)
    names = data.catalog.measures.set_index("measure_id")["name_sv"]
    # The defaults scan the coverage table on every rerun otherwise: once per build and focus.
    regions = (
        read_comparison_set(data.catalog) if longest_series else [read_focus_region(data.catalog)]
    )
    default = pick_default_measure_cached(
        identify_build(data),
        tuple(regions),
        needs_benchmark and not longest_series,
        longest_series,
        summarise_coverage_once(data),
        data.catalog,
    )
    default = default if default in measure_ids else measure_ids[0]
    if "measure" in st.session_state and (
        st.session_state["measure"] == st.session_state.get(MEASURE_DEFAULT)
    ):
        st.session_state["measure"] = default
    st.session_state[MEASURE_DEFAULT] = default
    return choose_one("Mått", "measure", measure_ids, default, lambda code: names.get(code, code))


def choose_period(data: LoadedData, measure_id: str, periods: list[str]) -> str:
    """A period picker (latest first) that opens on the newest figure for the kommun in focus."""
    newest = pick_default_period_cached(
        data.version, measure_id, read_focus_region(data.catalog), summarise_coverage_once(data)
    )
    default = newest if newest in periods else periods[0]
    return choose_one("Period", "period", periods, default, format_period)


def choose_sex(rows: pd.DataFrame) -> str:
    """Kvinnor, Män or Alla (in the link as `sex`) where the rows are split by sex; else total.

    Without a split there is no widget: a link's `sex` gets the usual notice and is dropped.
    """
    options = list_sexes(rows)
    if not options:
        seed_choice("sex", ["total"], "total", SEX_LABELS.__getitem__, "Kön")
        st.query_params.pop("sex", None)
        return "total"
    return choose_one("Kön", "sex", options, "total", SEX_LABELS.__getitem__, horizontal=True)


def choose_regions(key: str, offer: RegionOffer, default: list[str], catalog: Catalog) -> list[str]:
    """The comparison set: searchable by name, groups added at once, shared by every page.

    Only regions with figures are offered (a multiselect cannot explain a search that finds
    nothing), so the caption under it counts those that are left out and says why.
    """

    def add_group() -> None:
        picked = st.session_state.get(f"{key}_group")
        if not picked:
            return
        members = offer.codes if picked == GROUP_ALL else catalog.group_members(picked)
        current = list(st.session_state.get(key, []))
        added = [c for c in members if c in offer.codes and c not in current]
        st.session_state[key] = current + added
        st.session_state[f"{key}_group"] = None
        # Said once, under the picker: a group whose kommuner were all chosen changes nothing.
        st.session_state[f"{key}_added"] = offer.describe_group_added(picked, len(added))

    left, right = st.columns([4, 1])
    with right:
        st.selectbox(
            "Lägg till grupp",
            list(offer.groups),
            index=None,
            key=f"{key}_group",
            format_func=offer.groups.__getitem__,
            placeholder="Välj grupp",
            on_change=add_group,
        )
    with left:
        values = choose_many(
            offer.label,
            key,
            offer.codes,
            default,
            catalog.region_name,
            offer.placeholder,
            offer.link_limit,
        )
        added = st.session_state.pop(f"{key}_added", None)
        if added is not None:
            st.caption(added)
        st.caption(offer.caption)
    st.session_state[SHARED_REGIONS] = values
    return values


def show_data_status(data: LoadedData) -> None:
    """Say in the sidebar when the data was built and from how many published figures."""
    figures = format_number(count_figures_once(data), 0)
    st.sidebar.caption(
        f"Data byggd {format_time(data.manifest['built_at'])} · {figures} publicerade värden · "
        f"{len(data.manifest['sources'])} källfiler"
    )


def offer_downloads(
    name: str,
    data: LoadedData,
    rows: pd.DataFrame,
    table: ShownTable,
    title: str,
    source_line: str,
    figure: go.Figure | None = None,
) -> None:
    """Download buttons under a chart or table: one per format in formats.FORMATS that fits.

    `name` is built from codes (formats.compose_file_name); `rows` are the observations behind
    the view, for the workbook's Källor sheet. Each file is made when its button is clicked,
    in Streamlit's download thread, so a rerun never waits for a chart image.
    """
    built_at = str(data.manifest["built_at"])
    item = formats.Exportable(table, title, source_line, rows, data.catalog, built_at, figure)
    has_browser = formats.find_browser() is not None
    with st.popover("Ladda ner", icon=":material/download:"):
        for download in formats.list_downloads(name, item, has_browser):
            st.download_button(
                download.label,
                data=download.write,
                file_name=download.file_name,
                mime=download.mime,
                key=download.key,
                on_click="ignore",
                disabled=download.disabled,
                help=download.help_text,
                width="stretch",
            )
        st.caption(f"CSV för svenska Excel: semikolon och decimalkomma. {source_line}")
