"""AF's tidsserier page: find the newest file of each prefix we use and download it."""

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import requests
from tqdm import tqdm

from etl.errors import SourceError
from etl.http import Fetched, HttpError, create_session, describe_failure, read_timeout
from etl.raw import PROVENANCE_SUFFIX, RawItem, save_raw_batch
from etl.sources import Fetcher
from etl.sources.af_archive import MAX_FILE_BYTES, XLSX_MAGIC
from etl.sources.arbetsformedlingen import PUBLISHER, SOURCE, SOURCE_ID, check_file
from labourmarket.core import paths
from labourmarket.core.catalog import Catalog

# Arbetsförmedlingen has no API for these figures. Its page "Tidigare statistik - tidsserier"
# links monthly workbooks named `<prefix>-YYYY-MM.xlsx` under /download/ URLs that change with
# every release; the name's month is the statistics month, and all current files of one release
# carry the same month (they appear around the 23rd of the following month).
AF_PAGE_URL = "https://arbetsformedlingen.se/statistik/sok-statistik/tidigare-statistik-tidsserier"
# Real workbooks reach 60+ MB (a pivot cache of the whole series); the parser's limit applies.
MAX_WORKBOOK_BYTES = MAX_FILE_BYTES
MAX_PAGE_BYTES = 20_000_000
CHUNK_BYTES = 1 << 20
PAGE_ACCEPT = "text/html,application/xhtml+xml"
WORKBOOK_ACCEPT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,*/*;q=0.5"
ANNUAL_MEAN_WORD = "arsgenomsnitt"
FILE_NAME = re.compile(r"^(?P<prefix>[a-z][a-z-]*?)-(?P<year>\d{4})-(?P<month>\d{2})\.xlsx$")

Progress = Callable[[str, int, int | None], None]
"""Told as bytes arrive: the file name, bytes so far, and the size the server declared."""


@dataclass(frozen=True)
class Prefix:
    """One series AF publishes: its file-name prefix, a short label, and if closed, its end."""

    name: str
    label: str
    closed_at: str | None = None  # the last month a closed series covers; None while current

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


PREFIXES: tuple[Prefix, ...] = (
    Prefix("web-inskrivna-arbetslosa-andel-av-bas", "andel-av-bas"),
    Prefix("web-inskrivna-arbetslosa-andel-av-reg", "andel-av-reg", closed_at="2023-12"),
    Prefix("web-inskrivna-arbetslosa-tid-utan-arbete-lan-kom", "tid-utan-arbete-lan-kom"),
    Prefix("web-tid-riket", "tid-riket"),
)
PREFIX_BY_NAME = {prefix.name: prefix for prefix in PREFIXES}


@dataclass(frozen=True)
class Link:
    """A workbook linked from the page: its prefix, statistics month, absolute URL and name."""

    prefix: str
    month: str  # YYYY-MM
    url: str
    name: str  # what the file is saved as: AF's name, `<prefix>-YYYY-MM.xlsx`


@dataclass(frozen=True)
class Plan:
    """What a fetch will download, and one plain-English line per prefix saying why."""

    downloads: tuple[Link, ...]
    lines: tuple[str, ...]
    waiting: bool = False  # the current files show different months: mid-release

    def describe(self) -> str:
        if self.downloads:
            head = f"download {len(self.downloads)} file(s):"
        elif self.waiting:
            head = "nothing to download yet:"
        else:
            head = "nothing to download:"
        return "\n".join([head, *(f"  {line}" for line in self.lines)])


class LinkCollector(HTMLParser):
    """Collects every <a href> of a page, and the page's <base href> if it has one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if not href:
            return
        if tag == "a":
            self.hrefs.append(href.strip())
        elif tag == "base" and self.base is None:
            self.base = href.strip()


def read_link(href: str, page_url: str) -> Link | None:
    """The Link an href points at, or None for anything but a workbook of a prefix we use."""
    url = urljoin(page_url, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    name = unquote(parts.path.rsplit("/", 1)[-1]).strip().lower()
    if ANNUAL_MEAN_WORD in name:
        return None
    match = FILE_NAME.match(name)
    if match is None or match["prefix"] not in PREFIX_BY_NAME or not "01" <= match["month"] <= "12":
        return None
    month = f"{match['year']}-{match['month']}"
    return Link(match["prefix"], month, url, f"{match['prefix']}-{month}.xlsx")


def find_links(html: bytes | str, page_url: str) -> dict[str, list[Link]]:
    """Every workbook of a prefix we use that the page links to, per prefix, in page order."""
    if isinstance(html, bytes):
        # The file names are ASCII (percent-encoded at worst); a stray byte elsewhere is no reason
        # to refuse the page.
        html = html.decode("utf-8", errors="replace")
    collector = LinkCollector()
    collector.feed(html)
    collector.close()
    base = urljoin(page_url, collector.base) if collector.base else page_url
    links: dict[str, list[Link]] = {}
    for href in collector.hrefs:
        link = read_link(href, base)
        if link is not None and link not in links.get(link.prefix, []):
            links.setdefault(link.prefix, []).append(link)
    return links


def read_held_months(directory: Path | None = None) -> dict[str, str]:
    """The newest month per prefix already in data/raw/arbetsformedlingen, from the sidecars."""
    directory = directory or paths.raw_dir() / SOURCE
    held: dict[str, str] = {}
    for sidecar in sorted(directory.glob(f"*{PROVENANCE_SUFFIX}")):
        try:
            provenance = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SourceError(SOURCE, str(sidecar), f"unreadable sidecar: {error}") from error
        if not isinstance(provenance, dict):
            raise SourceError(SOURCE, str(sidecar), "sidecar is not a JSON object")
        prefix, month = provenance.get("af_prefix"), provenance.get("af_month")
        # Files brought in by `import` carry no prefix: they say nothing about AF's releases.
        if isinstance(prefix, str) and isinstance(month, str):
            held[prefix] = max(held.get(prefix, month), month)
    return held


def describe_held(held: Mapping[str, str]) -> str:
    """`andel-av-bas 2026-08, tid-riket 2026-08`, in PREFIXES order; `none` if nothing is held."""
    parts = [f"{p.label} {held[p.name]}" for p in PREFIXES if p.name in held]
    return ", ".join(parts) or "none"


def join_labels(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def plan_fetch(
    links: Mapping[str, list[Link]], held: Mapping[str, str], location: str = "the page"
) -> Plan:
    """Decide what to download: the newest release once all current files show it, if newer.

    A closed series is downloaded once, when it is not held; one that is held may leave the page.
    """
    missing = [
        p.name for p in PREFIXES if not links.get(p.name) and not (p.is_closed and p.name in held)
    ]
    if missing:
        names = ", ".join(f"{name}-YYYY-MM.xlsx" for name in missing)
        raise SourceError(
            SOURCE,
            location,
            f"no link to {names}: Arbetsförmedlingen may have renamed or moved the file(s)",
        )
    # max() keeps the first of equal months: the link higher up the page.
    newest = {
        name: max(group, key=lambda link: link.month) for name, group in links.items() if group
    }
    current = [p for p in PREFIXES if not p.is_closed]
    release = max(newest[p.name].month for p in current)
    behind = [p for p in current if newest[p.name].month != release]
    if behind:
        ahead = [p.label for p in current if p not in behind]
        verb = "shows" if len(ahead) == 1 else "show"
        still = ", ".join(f"{p.label} still {newest[p.name].month}" for p in behind)
        line = f"{join_labels(ahead)} {verb} {release} but {still}"
        return Plan((), (f"{line}: waiting for the rest of the release",), waiting=True)
    downloads: list[Link] = []
    lines: list[str] = []
    for prefix in PREFIXES:
        link = newest.get(prefix.name)
        had = held.get(prefix.name)
        if prefix.is_closed:
            if had is None:
                downloads.append(link)
                lines.append(
                    f"{prefix.label} {link.month}: closed series (ends {prefix.closed_at}),"
                    " not held yet: download once"
                )
            else:
                moved = link is not None and link.month != had
                shown = f"; the page shows {link.month}" if moved else ""
                lines.append(f"{prefix.label}: closed series, {had} held{shown}: keep")
        elif had is None or link.month > had:
            downloads.append(link)
            since = "none held" if had is None else f"newer than the {had} held"
            lines.append(f"{prefix.label} {link.month}: {since}: download")
        else:
            lines.append(f"{prefix.label} {link.month}: {had} held: nothing newer")
    return Plan(tuple(downloads), tuple(lines))


def read_capped(chunks: Iterable[bytes], limit: int, url: str, magic: bytes = b"") -> bytes:
    """Join chunks into a body of at most limit bytes that starts with magic, or raise.

    The checks run as the chunks arrive, so an error page or an endless body is never read whole.
    """
    parts: list[bytes] = []
    size = 0
    checked = not magic
    for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if not checked and size >= len(magic):
            check_magic(b"".join(parts), magic, url)
            checked = True
        if size > limit:
            raise SourceError(SOURCE, url, f"body is over {limit:,} bytes: refused")
    if not checked:
        check_magic(b"".join(parts), magic, url)
    return b"".join(parts)


def check_magic(head: bytes, magic: bytes, url: str) -> None:
    if not head.startswith(magic):
        raise SourceError(
            SOURCE,
            url,
            f"not an xlsx workbook (starts with {head[:16]!r}): perhaps an error page in its place",
        )


def report_progress(
    chunks: Iterable[bytes], name: str, total: int | None, progress: Progress
) -> Iterator[bytes]:
    done = 0
    for chunk in chunks:
        done += len(chunk)
        progress(name, done, total)
        yield chunk


def download(
    session: requests.Session,
    url: str,
    *,
    accept: str,
    limit: int,
    magic: bytes = b"",
    name: str = "",
    progress: Progress | None = None,
) -> Fetched:
    """GET url as a stream: refuse a non-200, a declared or actual size over limit, wrong magic."""
    timeout = read_timeout()
    try:
        with session.get(url, headers={"Accept": accept}, timeout=timeout, stream=True) as response:
            if response.status_code != 200:
                head = next(response.iter_content(200), b"").decode("utf-8", errors="replace")
                detail = head.replace("\n", " ") or response.reason
                raise HttpError("GET", response.url, detail, response.status_code)
            declared = response.headers.get("Content-Length", "")
            total = int(declared) if declared.isdigit() else None
            if total is not None and total > limit:
                detail = f"Content-Length {total:,} is over {limit:,} bytes: refused"
                raise SourceError(SOURCE, response.url, detail)
            chunks = response.iter_content(CHUNK_BYTES)
            if progress:
                chunks = report_progress(chunks, name, total, progress)
            content = read_capped(chunks, limit, response.url, magic)
            return Fetched(
                method="GET",
                url=response.url,
                status=response.status_code,
                content=content,
                content_type=response.headers.get("Content-Type", ""),
                retrieved_at=datetime.now(UTC).replace(microsecond=0),
            )
    except requests.exceptions.RetryError as error:
        raise HttpError("GET", url, f"gave up after retries: {error}") from error
    except requests.exceptions.RequestException as error:
        raise HttpError("GET", url, describe_failure(error, timeout)) from error


def fetch(
    page_url: str = AF_PAGE_URL,
    check: Callable[[bytes, str], object] | None = None,
    progress: Progress | None = None,
    *,
    session: requests.Session | None = None,
    on_plan: Callable[[Plan], None] | None = None,
    max_bytes: int = MAX_WORKBOOK_BYTES,
) -> list[Path]:
    """Download what plan_fetch picks from the page, check each file, then save all as one batch.

    check(raw, file_name) runs on every file before anything is saved: one that raises lands
    nothing. Returns the saved paths, or [] when nothing is new (on_plan is told why).
    """
    session = session or create_session()
    page = download(session, page_url, accept=PAGE_ACCEPT, limit=MAX_PAGE_BYTES)
    plan = plan_fetch(find_links(page.content, page.url), read_held_months(), page_url)
    if on_plan:
        on_plan(plan)
    items: list[RawItem] = []
    for link in plan.downloads:
        fetched = download(
            session,
            link.url,
            accept=WORKBOOK_ACCEPT,
            limit=max_bytes,
            magic=XLSX_MAGIC,
            name=link.name,
            progress=progress,
        )
        if check:
            check(fetched.content, link.name)
        items.append(RawItem(link.name, fetched, describe_link(link, page_url)))
    return save_raw_batch(SOURCE, items) if items else []


def describe_link(link: Link, page_url: str) -> dict[str, Any]:
    """The provenance a fetched workbook's sidecar adds to the HTTP facts."""
    return {
        "source_id": SOURCE_ID,
        "publisher": PUBLISHER,
        "page_url": page_url,
        "af_prefix": link.prefix,
        "af_month": link.month,
    }


# --- `python -m etl fetch af` ------------------------------------------------------------------


class ByteBars:
    """One tqdm bar in bytes per file being downloaded, on stderr."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.bar: tqdm | None = None
        self.name = ""

    def update(self, name: str, done: int, total: int | None) -> None:
        if name != self.name:
            self.close()
            self.name = name
            self.bar = tqdm(
                desc=f"{self.prefix}: {name}",
                total=total,
                unit="B",
                unit_scale=True,
                file=sys.stderr,
            )
        if self.bar is not None:
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--page-url",
        default=AF_PAGE_URL,
        help=f"the page that links the workbooks (default {AF_PAGE_URL})",
    )


def fetch_from_arguments(args: argparse.Namespace, catalog: Catalog) -> list[Path]:
    # A workbook the build could not parse must not land: each one is parsed before saving.
    check = partial(check_file, catalog=catalog)
    bars = ByteBars("af")
    try:
        saved = fetch(
            args.page_url, check, bars.update, on_plan=lambda plan: print(plan.describe())
        )
    finally:
        bars.close()
    if not saved:
        print(f"nothing new: held {describe_held(read_held_months())}")
    return saved


FETCHER = Fetcher(
    command="af",
    label="Arbetsförmedlingen (af)",
    help="Arbetsförmedlingen's tidsserier page: the newest monthly workbooks",
    add_arguments=add_fetch_arguments,
    run=fetch_from_arguments,
    examples=(
        "python -m etl fetch af            (AF's newest monthly workbooks, once all of a release"
        " is out)",
        "python -m etl fetch af --no-build --page-url https://arbetsformedlingen.se/statistik/...",
    ),
)
