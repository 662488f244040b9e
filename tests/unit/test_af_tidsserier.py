"""AF's tidsserier page: links found, releases planned, workbooks fetched whole or not at all."""

import hashlib
import io
import itertools
import json
from pathlib import Path

import openpyxl
import pytest

from bench.af_tid_workbook import write_kommun_workbook, write_riket_workbook
from bench.af_workbook import generate_af_andel_records, write_af_andel_workbook
from etl.__main__ import main
from etl.errors import SourceError
from etl.raw import PROVENANCE_SUFFIX
from etl.sources import af_tidsserier
from etl.sources.af_tidsserier import Link, find_links, plan_fetch, read_capped
from tests.http_server import Reply, serve

PAGE_URL = "https://arbetsformedlingen.se/statistik/sok-statistik/tidigare-statistik-tidsserier"
PAGE_PATH = "/statistik/sok-statistik/tidigare-statistik-tidsserier"
AF = "https://arbetsformedlingen.se"
BAS = "web-inskrivna-arbetslosa-andel-av-bas"
REG = "web-inskrivna-arbetslosa-andel-av-reg"
TID = "web-inskrivna-arbetslosa-tid-utan-arbete-lan-kom"
RIKET = "web-tid-riket"
HELD_AUGUST = {BAS: "2026-08", REG: "2023-12", TID: "2026-08", RIKET: "2026-08"}

# Shaped like AF's Sitevision page: /download/18.<id>/<timestamp>/<name> links in lists under
# headings, the link text describing the file, beside annual means, PDFs and other series.
PAGE_TEMPLATE = """<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<title>Tidigare statistik &ndash; tidsserier - Arbetsförmedlingen</title>
<link rel="stylesheet" href="/sitevision/system-resource/abc/css/portlets.css">
</head>
<body>
<nav aria-label="Brödsmulor">
  <a href="/">Startsida</a> <a href="/statistik">Statistik</a>
  <a href="/statistik/sok-statistik">Sök statistik</a>
</nav>
<main>
<h1>Tidigare statistik &ndash; tidsserier</h1>
<p>Här finns tidsserier i Excel. <a href="/download/18.1a2b/1700000000000/beskrivning.pdf">
Beskrivning av statistiken (pdf, 300 kB)</a></p>
<h2>Inskrivna arbetslösa som andel av arbetskraften</h2>
<ul class="sv-defaultlist">
  <li><a class="sv-link" href="/download/18.3c4d5e/1758612345678/{bas}">
    Inskrivna arbetslösa 16-65 år i procent av arbetskraften (BAS), från 2023 (xlsx, 61 MB)</a></li>
  <li><a href="/download/18.3c4d5f/1758612345679/{bas_mean}">Årsgenomsnitt (xlsx)</a></li>
  <li><a href="{reg_href}">
    Inskrivna arbetslösa 16-64 år i procent av registerbaserad arbetskraft, 2008-2023</a></li>
</ul>
<h2>Tid utan arbete</h2>
<ul>
  <li><a href="/download/18.7a8b/1758612345680/{tid}?version=2">Län och kommun (xlsx)</a></li>
  <li><a href="/download/18.7a8c/1758612345681/{riket}">Riket (xlsx)</a></li>
  <li><a href="/download/18.7a8d/1758612345682/{tid_mean}">Årsgenomsnitt (xlsx)</a></li>
</ul>
<h2>Sökande</h2>
<ul>
  <li><a href="/download/18.9e0f/1758612345683/web-sok-lan-kom-2026-08.xlsx">Sökande (xlsx)</a></li>
  <li><a href="/download/18.9e10/1758612345684/web-tid-riket-2026-08.pdf">Riket (pdf)</a></li>
  <li><a href="mailto:statistik@arbetsformedlingen.se">statistik@arbetsformedlingen.se</a></li>
</ul>
</main>
</body>
</html>
"""


def write_page(
    bas: str = "2026-08",
    tid: str = "2026-08",
    riket: str = "2026-08",
    reg_href: str = f"{AF}/download/18.5a6b/1706000000000/{REG}-2023-12.xlsx",
) -> bytes:
    return PAGE_TEMPLATE.format(
        bas=f"{BAS}-{bas}.xlsx",
        tid=f"{TID}-{tid}.xlsx",
        riket=f"{RIKET}-{riket}.xlsx",
        reg_href=reg_href,
        bas_mean=f"{BAS}-arsgenomsnitt-2025.xlsx",
        tid_mean=f"{TID}-arsgenomsnitt-2025-12.xlsx",
    ).encode("utf-8")


# --- find_links --------------------------------------------------------------------------------


def test_find_links_reads_a_page_shaped_like_afs() -> None:
    links = find_links(write_page(), PAGE_URL)
    assert links == {
        BAS: [
            Link(
                BAS,
                "2026-08",
                f"{AF}/download/18.3c4d5e/1758612345678/{BAS}-2026-08.xlsx",
                f"{BAS}-2026-08.xlsx",
            )
        ],
        REG: [
            Link(
                REG,
                "2023-12",
                f"{AF}/download/18.5a6b/1706000000000/{REG}-2023-12.xlsx",
                f"{REG}-2023-12.xlsx",
            )
        ],
        TID: [
            Link(
                TID,
                "2026-08",
                f"{AF}/download/18.7a8b/1758612345680/{TID}-2026-08.xlsx?version=2",
                f"{TID}-2026-08.xlsx",
            )
        ],
        RIKET: [
            Link(
                RIKET,
                "2026-08",
                f"{AF}/download/18.7a8c/1758612345681/{RIKET}-2026-08.xlsx",
                f"{RIKET}-2026-08.xlsx",
            )
        ],
    }


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/download/18.1/2/web-tid-riket-2026-08.xlsx", f"{AF}/download/18.1/2/"),
        ("download/web-tid-riket-2026-08.xlsx", f"{AF}/statistik/sok-statistik/download/"),
        ("../../download/web-tid-riket-2026-08.xlsx", f"{AF}/download/"),
        ("https://www.arbetsformedlingen.se/dl/web-tid-riket-2026-08.xlsx", "https://www."),
        ("//arbetsformedlingen.se/dl/web-tid-riket-2026-08.xlsx", f"{AF}/dl/"),
        ("/dl/web-tid-riket-2026-08.xlsx?version=3&amp;lang=sv", "?version=3&lang=sv"),
        ("/dl/web-tid-riket-2026-08.xlsx#innehall", "#innehall"),
        ("/dl/web%2Dtid%2Driket%2D2026%2D08%2Exlsx", "web%2Dtid%2Driket"),
        ("/dl/WEB-TID-RIKET-2026-08.XLSX", "WEB-TID-RIKET-2026-08.XLSX"),
        ("  /dl/web-tid-riket-2026-08.xlsx\n", f"{AF}/dl/web-tid-riket-2026-08.xlsx"),
    ],
)
def test_find_links_resolves_and_decodes_each_kind_of_href(href: str, expected: str) -> None:
    page = f'<ul><li><a href="{href}">Riket</a></li></ul>'
    links = find_links(page, PAGE_URL)
    [link] = links[RIKET]
    assert (link.prefix, link.month, link.name) == (RIKET, "2026-08", f"{RIKET}-2026-08.xlsx")
    assert expected in link.url


@pytest.mark.parametrize(
    "href",
    [
        f"/dl/{BAS}-arsgenomsnitt-2025.xlsx",
        f"/dl/{BAS}-arsgenomsnitt-2025-12.xlsx",
        f"/dl/{BAS}-2025-ARSGENOMSNITT.xlsx",
        "/dl/web-sok-lan-kom-2026-08.xlsx",
        "/dl/web-tid-riket-kvinnor-2026-08.xlsx",
        "/dl/web-tid-riket-2026-08.pdf",
        "/dl/web-tid-riket-2026-08.xls",
        "/dl/web-tid-riket-2026-08.xlsx.pdf",
        "/dl/web-tid-riket-2026-13.xlsx",
        "/dl/web-tid-riket-202608.xlsx",
        "/dl/web-tid-riket-2026-08.xlsx/",
        "mailto:web-tid-riket-2026-08.xlsx",
        "javascript:open('web-tid-riket-2026-08.xlsx')",
        "",
    ],
)
def test_find_links_ignores_what_is_not_a_workbook_of_ours(href: str) -> None:
    assert find_links(f'<p><a href="{href}">fil</a></p>', PAGE_URL) == {}


def test_find_links_resolves_against_the_pages_base_and_drops_repeats() -> None:
    page = (
        '<head><base href="https://cdn.arbetsformedlingen.se/files/"></head>'
        '<a href="web-tid-riket-2026-08.xlsx">Riket</a>'
        '<a href="web-tid-riket-2026-07.xlsx">Riket, förra månaden</a>'
        '<a href="web-tid-riket-2026-08.xlsx">Riket (samma fil igen)</a>'
    )
    links = find_links(page.encode(), PAGE_URL)
    assert [(link.month, link.url) for link in links[RIKET]] == [
        ("2026-08", "https://cdn.arbetsformedlingen.se/files/web-tid-riket-2026-08.xlsx"),
        ("2026-07", "https://cdn.arbetsformedlingen.se/files/web-tid-riket-2026-07.xlsx"),
    ]


# --- plan_fetch --------------------------------------------------------------------------------


def link(prefix: str, month: str) -> Link:
    return Link(prefix, month, f"{AF}/download/{prefix}-{month}.xlsx", f"{prefix}-{month}.xlsx")


def page_links(
    bas: str | None = "2026-09",
    reg: str | None = "2023-12",
    tid: str | None = "2026-09",
    riket: str | None = "2026-09",
) -> dict[str, list[Link]]:
    months = {BAS: bas, REG: reg, TID: tid, RIKET: riket}
    return {prefix: [link(prefix, month)] for prefix, month in months.items() if month}


@pytest.mark.parametrize(
    ("links", "held", "downloads", "waiting", "lines"),
    [
        (
            page_links(),
            HELD_AUGUST,
            [f"{BAS}-2026-09.xlsx", f"{TID}-2026-09.xlsx", f"{RIKET}-2026-09.xlsx"],
            False,
            [
                "andel-av-bas 2026-09: newer than the 2026-08 held: download",
                "andel-av-reg: closed series, 2023-12 held: keep",
                "tid-utan-arbete-lan-kom 2026-09: newer than the 2026-08 held: download",
                "tid-riket 2026-09: newer than the 2026-08 held: download",
            ],
        ),
        (
            page_links(),
            {},
            [
                f"{BAS}-2026-09.xlsx",
                f"{REG}-2023-12.xlsx",
                f"{TID}-2026-09.xlsx",
                f"{RIKET}-2026-09.xlsx",
            ],
            False,
            [
                "andel-av-bas 2026-09: none held: download",
                "andel-av-reg 2023-12: closed series (ends 2023-12), not held yet: download once",
                "tid-utan-arbete-lan-kom 2026-09: none held: download",
                "tid-riket 2026-09: none held: download",
            ],
        ),
        (
            page_links(tid="2026-08", riket="2026-08"),
            HELD_AUGUST,
            [],
            True,
            [
                "andel-av-bas shows 2026-09 but tid-utan-arbete-lan-kom still 2026-08, tid-riket"
                " still 2026-08: waiting for the rest of the release"
            ],
        ),
        (
            page_links(riket="2026-08"),
            {},
            [],
            True,
            [
                "andel-av-bas and tid-utan-arbete-lan-kom show 2026-09 but tid-riket still"
                " 2026-08: waiting for the rest of the release"
            ],
        ),
        (
            page_links("2026-08", "2023-12", "2026-08", "2026-08"),
            HELD_AUGUST,
            [],
            False,
            [
                "andel-av-bas 2026-08: 2026-08 held: nothing newer",
                "andel-av-reg: closed series, 2023-12 held: keep",
                "tid-utan-arbete-lan-kom 2026-08: 2026-08 held: nothing newer",
                "tid-riket 2026-08: 2026-08 held: nothing newer",
            ],
        ),
        (
            page_links("2026-07", "2023-12", "2026-07", "2026-07"),
            HELD_AUGUST,
            [],
            False,
            [
                "andel-av-bas 2026-07: 2026-08 held: nothing newer",
                "andel-av-reg: closed series, 2023-12 held: keep",
                "tid-utan-arbete-lan-kom 2026-07: 2026-08 held: nothing newer",
                "tid-riket 2026-07: 2026-08 held: nothing newer",
            ],
        ),
        (
            page_links("2026-08", "2023-12", "2026-08", "2026-08"),
            {BAS: "2026-08", TID: "2026-08", RIKET: "2026-08"},
            [f"{REG}-2023-12.xlsx"],
            False,
            [
                "andel-av-bas 2026-08: 2026-08 held: nothing newer",
                "andel-av-reg 2023-12: closed series (ends 2023-12), not held yet: download once",
                "tid-utan-arbete-lan-kom 2026-08: 2026-08 held: nothing newer",
                "tid-riket 2026-08: 2026-08 held: nothing newer",
            ],
        ),
        (
            page_links(reg=None),
            HELD_AUGUST,
            [f"{BAS}-2026-09.xlsx", f"{TID}-2026-09.xlsx", f"{RIKET}-2026-09.xlsx"],
            False,
            [
                "andel-av-bas 2026-09: newer than the 2026-08 held: download",
                "andel-av-reg: closed series, 2023-12 held: keep",
                "tid-utan-arbete-lan-kom 2026-09: newer than the 2026-08 held: download",
                "tid-riket 2026-09: newer than the 2026-08 held: download",
            ],
        ),
        (
            {
                **page_links(),
                REG: [link(REG, "2024-05")],
                RIKET: [link(RIKET, "2026-08"), link(RIKET, "2026-09"), link(RIKET, "2026-09")],
            },
            HELD_AUGUST,
            [f"{BAS}-2026-09.xlsx", f"{TID}-2026-09.xlsx", f"{RIKET}-2026-09.xlsx"],
            False,
            [
                "andel-av-bas 2026-09: newer than the 2026-08 held: download",
                "andel-av-reg: closed series, 2023-12 held; the page shows 2024-05: keep",
                "tid-utan-arbete-lan-kom 2026-09: newer than the 2026-08 held: download",
                "tid-riket 2026-09: newer than the 2026-08 held: download",
            ],
        ),
    ],
    ids=[
        "new-release",
        "nothing-held",
        "one-ahead",
        "one-behind",
        "same-as-held",
        "page-older-than-held",
        "closed-absent",
        "closed-held-and-gone-from-page",
        "newest-of-several-links",
    ],
)
def test_plan_fetch_downloads_a_whole_newer_release_only(
    links: dict[str, list[Link]],
    held: dict[str, str],
    downloads: list[str],
    waiting: bool,
    lines: list[str],
) -> None:
    plan = plan_fetch(links, held)
    assert [link.name for link in plan.downloads] == downloads
    assert plan.waiting is waiting
    assert list(plan.lines) == lines


@pytest.mark.parametrize(
    ("links", "held", "missing"),
    [
        (page_links(tid=None), HELD_AUGUST, f"{TID}-YYYY-MM.xlsx"),
        (page_links(riket=None), {}, f"{RIKET}-YYYY-MM.xlsx"),
        (page_links(reg=None), {BAS: "2026-08"}, f"{REG}-YYYY-MM.xlsx"),
        (page_links(bas=None, tid=None), {}, f"{BAS}-YYYY-MM.xlsx, {TID}-YYYY-MM.xlsx"),
        ({BAS: [], **page_links(bas=None)}, HELD_AUGUST, f"{BAS}-YYYY-MM.xlsx"),
    ],
)
def test_plan_fetch_names_a_prefix_missing_from_the_page(
    links: dict[str, list[Link]], held: dict[str, str], missing: str
) -> None:
    with pytest.raises(SourceError) as caught:
        plan_fetch(links, held, PAGE_URL)
    assert str(caught.value) == (
        f"arbetsformedlingen: {PAGE_URL}: no link to {missing}:"
        " Arbetsförmedlingen may have renamed or moved the file(s)"
    )


@pytest.mark.parametrize(
    ("links", "held", "text"),
    [
        (
            page_links(riket="2026-08"),
            HELD_AUGUST,
            "nothing to download yet:\n  andel-av-bas and tid-utan-arbete-lan-kom show 2026-09"
            " but tid-riket still 2026-08: waiting for the rest of the release",
        ),
        (
            page_links(bas="2026-08", tid="2026-08", riket="2026-08"),
            HELD_AUGUST,
            "nothing to download:\n"
            "  andel-av-bas 2026-08: 2026-08 held: nothing newer\n"
            "  andel-av-reg: closed series, 2023-12 held: keep\n"
            "  tid-utan-arbete-lan-kom 2026-08: 2026-08 held: nothing newer\n"
            "  tid-riket 2026-08: 2026-08 held: nothing newer",
        ),
        (
            page_links(bas="2026-08", tid="2026-08", riket="2026-08"),
            {BAS: "2026-08", TID: "2026-08", RIKET: "2026-08"},
            "download 1 file(s):\n"
            "  andel-av-bas 2026-08: 2026-08 held: nothing newer\n"
            "  andel-av-reg 2023-12: closed series (ends 2023-12), not held yet: download once\n"
            "  tid-utan-arbete-lan-kom 2026-08: 2026-08 held: nothing newer\n"
            "  tid-riket 2026-08: 2026-08 held: nothing newer",
        ),
    ],
)
def test_a_plan_describes_itself_in_plain_words(
    links: dict[str, list[Link]], held: dict[str, str], text: str
) -> None:
    assert plan_fetch(links, held).describe() == text


@pytest.mark.parametrize(
    ("held", "text"),
    [
        ({}, "none"),
        (
            HELD_AUGUST,
            "andel-av-bas 2026-08, andel-av-reg 2023-12, tid-utan-arbete-lan-kom 2026-08,"
            " tid-riket 2026-08",
        ),
        ({RIKET: "2026-09", REG: "2023-12"}, "andel-av-reg 2023-12, tid-riket 2026-09"),
    ],
)
def test_describe_held_lists_the_months_in_prefix_order(held: dict[str, str], text: str) -> None:
    assert af_tidsserier.describe_held(held) == text


def test_read_held_months_takes_the_newest_month_per_prefix(tmp_path: Path) -> None:
    sidecars = {
        "a": {"file": "a.xlsx", "af_prefix": BAS, "af_month": "2026-07"},
        "b": {"file": "b.xlsx", "af_prefix": BAS, "af_month": "2026-09"},
        "c": {"file": "c.xlsx", "af_prefix": BAS, "af_month": "2026-08"},
        "d": {"file": "d.xlsx", "af_prefix": REG, "af_month": "2023-12"},
        "e": {"file": "e.csv", "original_name": "arbetslosa-2024-10.csv"},  # an `import`
    }
    for stem, provenance in sidecars.items():
        (tmp_path / f"{stem}{PROVENANCE_SUFFIX}").write_text(json.dumps(provenance))
    assert af_tidsserier.read_held_months(tmp_path) == {BAS: "2026-09", REG: "2023-12"}
    assert af_tidsserier.read_held_months(tmp_path / "absent") == {}


def test_read_held_months_names_a_broken_sidecar(tmp_path: Path) -> None:
    sidecar = tmp_path / f"x{PROVENANCE_SUFFIX}"
    sidecar.write_text("{not json")
    with pytest.raises(SourceError, match="unreadable sidecar") as caught:
        af_tidsserier.read_held_months(tmp_path)
    assert caught.value.location == str(sidecar)


# --- read_capped -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chunks", "body"),
    [
        ([b"PK\x03\x04rest"], b"PK\x03\x04rest"),
        ([b"P", b"K\x03", b"\x04", b"rest"], b"PK\x03\x04rest"),
        ([b"PK\x03\x04", b"1234"], b"PK\x03\x041234"),
    ],
)
def test_read_capped_joins_a_workbook_within_the_limit(chunks: list[bytes], body: bytes) -> None:
    assert read_capped(chunks, 8, "http://x/f.xlsx", b"PK\x03\x04") == body


@pytest.mark.parametrize(
    ("chunks", "message"),
    [
        ([b"<!DOCTYPE html><html>"], r"not an xlsx workbook \(starts with b'<!DOCTYPE html><'\)"),
        ([b"PK", b"\x05\x06"], r"not an xlsx workbook \(starts with b'PK\\x05\\x06'\)"),
        ([b"PK\x03"], r"not an xlsx workbook \(starts with b'PK\\x03'\)"),
        ([], r"not an xlsx workbook \(starts with b''\)"),
        ([b"PK\x03\x04", b"12345"], "body is over 8 bytes: refused"),
        (itertools.repeat(b"PK\x03\x04"), "body is over 8 bytes: refused"),
        (itertools.chain([b"<html>"], itertools.repeat(b"x")), "not an xlsx workbook"),
    ],
    ids=["html", "empty-zip", "short", "empty", "over", "endless", "endless-html"],
)
def test_read_capped_refuses_early_naming_the_url(chunks: object, message: str) -> None:
    with pytest.raises(SourceError, match=message) as caught:
        read_capped(chunks, 8, "http://x/f.xlsx", b"PK\x03\x04")
    assert caught.value.location == "http://x/f.xlsx"


# --- fetch and the command line ----------------------------------------------------------------


def write_simple_workbook(sheet: str) -> bytes:
    """A small openpyxl workbook: enough for fetch() with a check passed in."""
    workbook = openpyxl.Workbook()
    workbook.active.title = sheet
    workbook.active.append(["PERIOD", "KOM", "Andel"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_andel_workbook(months: list[str], bas: bool) -> bytes:
    buffer = io.BytesIO()
    records = generate_af_andel_records(PLACES, months, bas=bas, seed=7)
    write_af_andel_workbook(buffer, records)
    return buffer.getvalue()


def write_riket_bytes() -> bytes:
    buffer = io.BytesIO()
    write_riket_workbook(
        buffer, [("2026-08", "Kvinnor", "16-24", "Nej", "Sverige", "Gymnasial", 900, 400, 200, 90)]
    )
    return buffer.getvalue()


PLACES = [("Stockholms län", "Södertälje"), ("Stockholms län", "Haninge")]
KOMMUN_ROWS = [("2026-08", "Stockholms län", "Södertälje", None, 5210, 2900, 1800, 950)]
# Shaped like AF's real files, so the parser the command line checks with accepts them.
WORKBOOKS = {
    f"{BAS}-2026-08.xlsx": write_andel_workbook(["2026-07", "2026-08"], bas=True),
    f"{REG}-2023-12.xlsx": write_andel_workbook(["2023-11", "2023-12"], bas=False),
    f"{TID}-2026-08.xlsx": write_kommun_workbook({"Total": KOMMUN_ROWS}),
    f"{RIKET}-2026-08.xlsx": write_riket_bytes(),
}
SIMPLE_WORKBOOKS = {name: write_simple_workbook("Andel") for name in WORKBOOKS}
DOWNLOAD_PATHS = {
    f"{BAS}-2026-08.xlsx": f"/download/18.3c4d5e/1758612345678/{BAS}-2026-08.xlsx",
    f"{REG}-2023-12.xlsx": f"/download/18.5a6b/1706000000000/{REG}-2023-12.xlsx",
    f"{TID}-2026-08.xlsx": f"/download/18.7a8b/1758612345680/{TID}-2026-08.xlsx",
    f"{RIKET}-2026-08.xlsx": f"/download/18.7a8c/1758612345681/{RIKET}-2026-08.xlsx",
}
XLSX = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
HTML = {"Content-Type": "text/html; charset=utf-8"}


def serve_release(
    routes: dict, workbooks: dict[str, bytes] = WORKBOOKS, replace: dict | None = None
) -> None:
    """The page and its four workbooks, reg linked by a relative URL like the others."""
    reg_href = DOWNLOAD_PATHS[f"{REG}-2023-12.xlsx"]
    routes[PAGE_PATH] = Reply(200, HTML, write_page(reg_href=reg_href))
    for name, path in DOWNLOAD_PATHS.items():
        routes[path] = Reply(200, XLSX, workbooks[name])
    for name, reply in (replace or {}).items():
        routes[DOWNLOAD_PATHS[name]] = reply


def link_url(server_url: str, name: str) -> str:
    """The URL the page links a workbook by: the tid file's link carries a query, as on AF's."""
    query = "?version=2" if name.startswith(TID) else ""
    return f"{server_url}{DOWNLOAD_PATHS[name]}{query}"


def check_sheet_is_andel(raw: bytes, file_name: str) -> None:
    """A real check of the kind the AF parser does: refuse a workbook without the 'Andel' sheet."""
    names = openpyxl.load_workbook(io.BytesIO(raw), read_only=True).sheetnames
    if names != ["Andel"]:
        raise SourceError("arbetsformedlingen", file_name, f"sheets {names}, not ['Andel']")


def list_raw_af(data_tree: Path) -> list[str]:
    """Every entry in data/raw/arbetsformedlingen, hidden staging folders included."""
    directory = data_tree / "raw" / "arbetsformedlingen"
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


def read_sidecar(data_tree: Path, name: str) -> dict:
    sidecar = data_tree / "raw" / "arbetsformedlingen" / f"{Path(name).stem}{PROVENANCE_SUFFIX}"
    return json.loads(sidecar.read_text(encoding="utf-8"))


def test_fetch_checks_and_saves_every_workbook_with_progress(data_tree: Path) -> None:
    routes: dict = {}
    told: list[tuple[str, int, int | None]] = []
    plans: list[af_tidsserier.Plan] = []
    with serve(routes) as server:
        serve_release(routes)
        page_url = f"{server.url}{PAGE_PATH}"
        # The release's real workbooks: fetch checks them as the build would before landing.
        saved = af_tidsserier.fetch(
            page_url, lambda *_: None, lambda *call: told.append(call), on_plan=plans.append
        )
    assert server.paths() == [PAGE_PATH, *DOWNLOAD_PATHS.values()]
    assert [path.name for path in saved] == list(WORKBOOKS)
    assert [path.read_bytes() for path in saved] == list(WORKBOOKS.values())
    assert [len(plan.downloads) for plan in plans] == [4]
    # One call per 1 MiB chunk: each small workbook is told once, whole, with its declared size.
    assert told == [(name, len(body), len(body)) for name, body in WORKBOOKS.items()]


def test_fetch_lands_nothing_when_the_check_refuses_a_workbook(data_tree: Path) -> None:
    routes: dict = {}
    bad = Reply(200, XLSX, write_simple_workbook("Blad1"))
    with serve(routes) as server:
        serve_release(routes, SIMPLE_WORKBOOKS, {f"{TID}-2026-08.xlsx": bad})
        with pytest.raises(SourceError) as caught:
            af_tidsserier.fetch(f"{server.url}{PAGE_PATH}", check_sheet_is_andel)
    assert str(caught.value) == (
        f"arbetsformedlingen: {TID}-2026-08.xlsx: sheets ['Blad1'], not ['Andel']"
    )
    assert list_raw_af(data_tree) == []


def read_error_line(stderr: str) -> str:
    """The `error:` line of stderr, among tqdm's carriage-return redraws."""
    [line] = [line for line in stderr.splitlines() if line.startswith("error:")]
    return line


def run_cli(server_url: str) -> int:
    return main(["fetch", "af", "--page-url", f"{server_url}{PAGE_PATH}", "--no-build"])


def test_fetch_af_lands_the_release_then_finds_nothing_new(data_tree: Path, capsys) -> None:
    routes: dict = {}
    with serve(routes) as server:
        serve_release(routes)
        assert run_cli(server.url) == 0, capsys.readouterr().err
        first = capsys.readouterr().out
        requests_of_first_run = len(server.requests)
        assert run_cli(server.url) == 0, capsys.readouterr().err
        second = capsys.readouterr().out
    page_url = f"{server.url}{PAGE_PATH}"
    assert server.paths()[:requests_of_first_run] == [PAGE_PATH, *DOWNLOAD_PATHS.values()]
    assert server.paths()[requests_of_first_run:] == [PAGE_PATH]  # no workbook the second time
    assert first.splitlines() == [
        "download 4 file(s):",
        "  andel-av-bas 2026-08: none held: download",
        "  andel-av-reg 2023-12: closed series (ends 2023-12), not held yet: download once",
        "  tid-utan-arbete-lan-kom 2026-08: none held: download",
        "  tid-riket 2026-08: none held: download",
        f"saved 4 response(s) under {data_tree / 'raw' / 'arbetsformedlingen'}",
    ]
    assert second.splitlines()[-1] == (
        "nothing new: held andel-av-bas 2026-08, andel-av-reg 2023-12,"
        " tid-utan-arbete-lan-kom 2026-08, tid-riket 2026-08"
    )
    assert list_raw_af(data_tree) == sorted(
        [*WORKBOOKS, *(f"{Path(name).stem}{PROVENANCE_SUFFIX}" for name in WORKBOOKS)]
    )
    for name, body in WORKBOOKS.items():
        assert (data_tree / "raw" / "arbetsformedlingen" / name).read_bytes() == body
        sidecar = read_sidecar(data_tree, name)
        prefix, month = name.removesuffix(".xlsx").rsplit("-", 2)[0], name[-12:-5]
        assert sidecar["file"] == name
        assert sidecar["sha256"] == hashlib.sha256(body).hexdigest()
        assert sidecar["url"] == link_url(server.url, name)
        assert sidecar["http_status"] == 200
        assert (sidecar["af_prefix"], sidecar["af_month"]) == (prefix, month)
        assert sidecar["page_url"] == page_url
        assert sidecar["source_id"] == "af_statistik"
        assert sidecar["publisher"] == "Arbetsförmedlingen"
    assert len({read_sidecar(data_tree, name)["fetch_id"] for name in WORKBOOKS}) == 1


def test_fetch_af_waits_for_the_rest_of_a_release(data_tree: Path, capsys) -> None:
    routes: dict = {}
    with serve(routes) as server:
        serve_release(routes)
        assert run_cli(server.url) == 0, capsys.readouterr().err
        capsys.readouterr()
        page = write_page(bas="2026-09", reg_href=DOWNLOAD_PATHS[f"{REG}-2023-12.xlsx"])
        routes[PAGE_PATH] = Reply(200, HTML, page)
        before = len(server.requests)
        assert run_cli(server.url) == 0, capsys.readouterr().err
        out = capsys.readouterr().out
    assert server.paths()[before:] == [PAGE_PATH]
    assert out.splitlines() == [
        "nothing to download yet:",
        "  andel-av-bas shows 2026-09 but tid-utan-arbete-lan-kom still 2026-08, tid-riket still"
        " 2026-08: waiting for the rest of the release",
        "nothing new: held andel-av-bas 2026-08, andel-av-reg 2023-12,"
        " tid-utan-arbete-lan-kom 2026-08, tid-riket 2026-08",
    ]


HTML_IN_PLACE = Reply(200, HTML, b"<!DOCTYPE html><html><body>Sidan kunde inte visas</body></html>")
HUGE = Reply(200, XLSX, WORKBOOKS[f"{RIKET}-2026-08.xlsx"], content_length=300_000_000)
MISSING = Reply(404, HTML, b"Sidan finns inte")
UNREADABLE = Reply(200, XLSX, write_simple_workbook("Antal"))


@pytest.mark.parametrize(
    ("name", "reply", "message"),
    [
        (
            f"{RIKET}-2026-08.xlsx",
            HTML_IN_PLACE,
            "error: arbetsformedlingen: URL: not an xlsx workbook"
            " (starts with b'<!DOCTYPE html><'): perhaps an error page in its place",
        ),
        (
            f"{RIKET}-2026-08.xlsx",
            HUGE,
            "error: arbetsformedlingen: URL: Content-Length 300,000,000 is over"
            " 250,000,000 bytes: refused",
        ),
        (
            f"{TID}-2026-08.xlsx",
            MISSING,
            "error: arbetsformedlingen: GET URL: HTTP 404: Sidan finns inte",
        ),
        (f"{RIKET}-2026-08.xlsx", UNREADABLE, f"error: arbetsformedlingen: {RIKET}-2026-08.xlsx"),
    ],
    ids=["html-body", "oversize", "404", "check-refuses"],
)
def test_fetch_af_refuses_a_bad_workbook_and_lands_nothing(
    data_tree: Path, capsys, name: str, reply: Reply, message: str
) -> None:
    routes: dict = {}
    with serve(routes) as server:
        serve_release(routes, replace={name: reply})
        assert run_cli(server.url) == 1
    error = read_error_line(capsys.readouterr().err)
    assert error.startswith(message.replace("URL", link_url(server.url, name)))
    assert list_raw_af(data_tree) == []


def test_fetch_af_names_a_file_gone_from_the_page(data_tree: Path, capsys) -> None:
    page = write_page().replace(f"{RIKET}-2026-08.xlsx".encode(), b"web-tid-riket-aug.xlsx")
    with serve({PAGE_PATH: Reply(200, HTML, page)}) as server:
        assert run_cli(server.url) == 1
    assert server.paths() == [PAGE_PATH]
    assert read_error_line(capsys.readouterr().err) == (
        f"error: arbetsformedlingen: {server.url}{PAGE_PATH}: no link to {RIKET}-YYYY-MM.xlsx:"
        " Arbetsförmedlingen may have renamed or moved the file(s)"
    )
    assert list_raw_af(data_tree) == []
