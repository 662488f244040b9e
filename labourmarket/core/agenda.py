"""Meeting agendas for the Nämndvy: a region's targets, or a TOML file in reference/agendas/."""

import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from labourmarket.core import paths
from labourmarket.core.catalog import Catalog
from labourmarket.core.selection import TOTAL, Group, GroupError
from labourmarket.core.targets import MEASURE_FIELDS, Target, check_measures, read_measures

AGENDAS_DIR = "agendas"
DEFAULT_AGENDA = "mal"  # the key of a region's own agenda: one slide per strategy target
AGENDA_FIELDS = ("title", "date", "region", "slides", "since")
TARGET_SLIDE_FIELDS = ("target", "title")
MEASURE_SLIDE_FIELDS = (*MEASURE_FIELDS, "group", "title")


class AgendaError(Exception):
    """A malformed agenda file; the message names the file, the slide and the field."""


@dataclass(frozen=True)
class Slide:
    """One indicator: a strategy target, or a measure and group without a target."""

    title: str
    # In order of preference; the Nämndvy shows one (a target's: the one it is judged on).
    measures: tuple[str, ...]
    group: dict[str, str]  # every group dimension, "total" where the slide does not narrow
    target: Target | None = None


@dataclass(frozen=True)
class Agenda:
    key: str  # the file's stem, or DEFAULT_AGENDA
    title: str
    region: str
    slides: tuple[Slide, ...]
    date: datetime.date | None = None
    # Whether the agenda opens with "Nytt sedan förra mötet", and since which day it counts;
    # since None: since the build before the current one (a kommun's own agenda).
    opens_with_news: bool = False
    since: datetime.date | None = None


def agendas_dir() -> Path:
    return paths.reference_dir() / AGENDAS_DIR


def build_target_slide(target: Target, title: str | None = None) -> Slide:
    return Slide(title or target.goal_sv, target.measures, dict(target.group), target)


def build_default_agenda(region: str, targets: list[Target], catalog: Catalog) -> Agenda:
    """One slide per strategy target of the region, in the order targets.toml lists them."""
    slides = tuple(build_target_slide(t) for t in targets if t.region == region)
    return Agenda(DEFAULT_AGENDA, f"{catalog.region_name(region)}: strategins mål", region, slides)


def read_agenda_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise AgendaError(f"{path.name}: cannot read: {error}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise AgendaError(f"{path.name}: not valid TOML: {error}") from error


def is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def check_header(document: dict[str, Any], catalog: Catalog, fail: Any) -> None:
    """Call fail(field, problem) for the first thing wrong outside the slides."""
    unknown = sorted(set(document) - set(AGENDA_FIELDS))
    if unknown:
        fail(unknown[0], f"unknown field; expected {', '.join(AGENDA_FIELDS)}")
    if not is_text(document.get("title")):
        fail("title", "missing or not text")
    if not isinstance(document.get("date"), datetime.date):
        fail("date", "missing or not a date (write it unquoted: date = 2026-12-08)")
    if "since" in document:
        since = document["since"]
        # A TOML datetime is a date too, but "since" counts whole days in Sweden.
        if not isinstance(since, datetime.date) or isinstance(since, datetime.datetime):
            fail("since", "not a date (write it unquoted: since = 2026-10-01)")
        meeting = document["date"]
        if isinstance(meeting, datetime.datetime):
            meeting = meeting.date()
        if since > meeting:
            fail("since", f"{since} is after the meeting's date {meeting}")
    region = document.get("region")
    if not isinstance(region, str) or region not in catalog.region_names:
        fail("region", f"unknown region {region!r} (an SCB code such as 0136)")
    slides = document.get("slides")
    if not isinstance(slides, list) or not slides:
        fail("slides", "missing or empty; write one [[slides]] table per slide")


def parse_slide(
    entry: object, region: str, targets: dict[str, Target], catalog: Catalog, fail: Any
) -> Slide:
    """Turn one [[slides]] table into a Slide, calling fail(field, problem) when it cannot."""
    if not isinstance(entry, dict):
        fail("slides", "not a table; write [[slides]] with target = ... or measure = ...")
    has_measure = any(name in entry for name in MEASURE_FIELDS)
    if ("target" in entry) == has_measure:
        fail("target", "give either target = <id> or measure = <measure id>, not both or neither")
    allowed = TARGET_SLIDE_FIELDS if "target" in entry else MEASURE_SLIDE_FIELDS
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        fail(unknown[0], f"unknown field; expected {', '.join(allowed)}")
    for name in allowed:
        if name in entry and name != "measures" and not is_text(entry[name]):
            fail(name, f"{entry[name]!r} is not text")
    if "target" in entry:
        target = targets.get(entry["target"])
        if target is None:
            fail("target", f"unknown target {entry['target']!r} (not in targets.toml)")
        if target.region != region:
            fail("target", f"target {target.id!r} belongs to {catalog.region_name(target.region)}")
        return build_target_slide(target, entry.get("title"))
    check_measures(entry, catalog, fail)
    if not is_text(entry.get("title")):
        fail("title", "missing or not text (a measure slide needs its own title)")
    try:
        # Written as Utveckling's links write it: "birth_region:foreign_born" or "total".
        group = Group.decode(entry.get("group", TOTAL))
    except GroupError:
        fail("group", f"unknown group {entry['group']!r}; write e.g. birth_region:foreign_born")
    return Slide(entry["title"], read_measures(entry), group.as_dict())


def load_agenda(path: Path, catalog: Catalog, targets: list[Target]) -> Agenda:
    """Read and check one agenda file, refusing it whole if one slide is wrong."""
    document = read_agenda_toml(path)

    def fail(field_name: str, problem: str, slide: int | None = None) -> NoReturn:
        where = f"slide {slide}: " if slide is not None else ""
        raise AgendaError(f"{path.name}: {where}field {field_name}: {problem}")

    check_header(document, catalog, fail)
    by_id = {target.id: target for target in targets}
    slides = []
    for number, entry in enumerate(document["slides"], start=1):

        def fail_slide(field_name: str, problem: str, number: int = number) -> NoReturn:
            fail(field_name, problem, number)

        slides.append(parse_slide(entry, document["region"], by_id, catalog, fail_slide))
    since = document.get("since")
    return Agenda(
        path.stem,
        document["title"].strip(),
        document["region"],
        tuple(slides),
        document["date"],
        opens_with_news=since is not None,
        since=since,
    )


def load_agendas(
    catalog: Catalog, targets: list[Target], directory: Path | None = None
) -> tuple[list[Agenda], dict[str, str]]:
    """Every agenda file that checks out, and per file that does not its stem -> the message."""
    directory = directory or agendas_dir()
    agendas, problems = [], {}
    for path in sorted(directory.glob("*.toml")):
        try:
            agendas.append(load_agenda(path, catalog, targets))
        except AgendaError as error:
            problems[path.stem] = str(error)
    return agendas, problems
