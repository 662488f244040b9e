"""`python -m etl fetch` against a local server that fails: a clear message, nothing written."""

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.faults.etl_cli import (
    FAST_HTTP,
    PATIENT_HTTP,
    Outcome,
    assert_failed_cleanly,
    copy_tree,
    read_error_line,
    run_etl,
    run_side_by_side,
    take_before,
)
from tests.http_server import Reply, serve
from tests.unit.test_cli import KOLADA_PAGE, KOLADA_PATH
from tests.unit.test_scb import DATA_6260, META_6260, edit

KOLADA_ARGS = ["--kpis", "N03920", "--regions", "0181", "--years", "2023"]
KOLADA_URL = "{url}" + KOLADA_PATH + "?per_page=5000"
SCB_ARGS = ["--tables", "TAB6260", "--regions", "0181,01,00", "--periods", "2024M09,2024M10"]
SCB_METADATA_PATH = "/api/v2/tables/TAB6260/metadata"
SCB_DATA_PATH = "/api/v2/tables/TAB6260/data"
SCB_METADATA_URL = "{url}" + SCB_METADATA_PATH + "?lang=sv"
SCB_DATA_URL = "{url}" + SCB_DATA_PATH + "?lang=sv&outputFormat=json-stat2"
BASE_PATHS = {"kolada": "/v3", "scb": "/api/v2"}
KOLADA_BODY = json.dumps(KOLADA_PAGE).encode()
JSON = {"Content-Type": "application/json"}
RETRIES = 1  # tests/faults/etl_cli.py FAST_HTTP and PATIENT_HTTP


def rename_kolada_values(page: dict[str, Any]) -> bytes:
    changed = dict(page)
    changed["data"] = changed.pop("values")
    return json.dumps(changed).encode()


def move_kolada_region(page: dict[str, Any]) -> bytes:
    changed = json.loads(json.dumps(page))
    changed["values"][0]["municipality"] = "9999"
    return json.dumps(changed).encode()


@dataclass(frozen=True)
class Case:
    """One upstream fault: the source, what the server answers, and the message it must give."""

    source: str
    routes: dict[str, Reply | list[Reply]]
    message: str  # the error line, with {url} for the server's address
    requests: int | None = None  # how many requests the server must have seen (retries)
    refused: bool = False  # no server at all: the port is closed

    @property
    def http(self) -> dict[str, str]:
        """A short read timeout where the case is one, a patient one elsewhere."""
        return FAST_HTTP if SLOW in self.routes.values() else PATIENT_HTTP


def kolada(reply: Reply, message: str, requests: int | None = None) -> Case:
    return Case("kolada", {KOLADA_PATH: reply}, message.replace("URL", KOLADA_URL), requests)


def scb(
    path: str, reply: Reply, message: str, requests: int | None = None, url: str = SCB_DATA_URL
) -> Case:
    routes = {SCB_METADATA_PATH: Reply(200, JSON, META_6260), SCB_DATA_PATH: Reply(200, JSON, b"")}
    routes[path] = reply
    return Case("scb", routes, message.replace("URL", url), requests)


def set_kolada_value(page: dict[str, Any], value: float) -> bytes:
    changed = json.loads(json.dumps(page))
    changed["values"][0]["values"][0]["value"] = value
    return json.dumps(changed).encode()


def link_kolada_page(page: dict[str, Any], next_url: str | None) -> bytes:
    changed = json.loads(json.dumps(page))
    changed["next_url"] = next_url
    return json.dumps(changed).encode()


# Page 1 links to page 2 (a relative link, resolved against page 1's URL), which repeats page
# 1's record with another value: one fetch giving one figure twice.
NEXT_QUERY = "?per_page=5000&page=2"
REPEATING_PAGES = {
    KOLADA_PATH: Reply(200, JSON, link_kolada_page(KOLADA_PAGE, NEXT_QUERY)),
    KOLADA_PATH + NEXT_QUERY: Reply(200, JSON, set_kolada_value(KOLADA_PAGE, 11.9)),
}
REFUSED_ROW = (
    "the build would refuse the row with measure_id 'kolada_arbetslosa_befolkning', region_code"
    " '0181', period '2023', sex 'total', age 'total', birth_region 'total', education 'total',"
    " value {value}"
)


def drop_size(document: dict[str, Any]) -> None:
    del document["size"]


def raise_first_value(document: dict[str, Any]) -> None:
    document["value"][0] = 150.0


# Answers long after FAST_HTTP's 0.3 s read timeout, however slow the machine (the delay ends
# when the case's server stops).
SLOW = Reply(200, JSON, b"{}", delay=60)
BUSY = Reply(429, {"Retry-After": "0"}, b"Too Many Requests")
DOWN = Reply(503, body=b"Service Unavailable")
BROKEN = Reply(500, body=b"Internal Server Error")
TIMED_OUT = "GET URL: no response: timed out (1.0 s connect, 0.3 s read), retries spent"
REFUSED = (
    "URL: no response: ConnectionError: could not connect ([Errno 111] Connection refused),"
    " retries spent"
)

CASES = {
    "kolada-timeout": kolada(SLOW, f"error: kolada: {TIMED_OUT}", 1 + RETRIES),
    "kolada-429-repeated": kolada(
        BUSY, "error: kolada: GET URL: HTTP 429: Too Many Requests", 1 + RETRIES
    ),
    "kolada-503": kolada(DOWN, "error: kolada: GET URL: HTTP 503: Service Unavailable", 2),
    "kolada-refused": Case(
        "kolada", {}, f"error: kolada: GET {REFUSED.replace('URL', KOLADA_URL)}", refused=True
    ),
    "kolada-truncated": kolada(
        Reply(200, JSON, KOLADA_BODY[:60], content_length=len(KOLADA_BODY)),
        "error: kolada: GET URL: no response: response body cut off (Connection broken:"
        f" IncompleteRead(60 bytes read, {len(KOLADA_BODY) - 60} more expected))",
        1,
    ),
    "kolada-values-renamed": kolada(
        Reply(200, JSON, rename_kolada_values(KOLADA_PAGE)),
        "error: kolada: URL: no 'values' list at the top level",
    ),
    "kolada-region-not-asked-for": kolada(
        Reply(200, JSON, move_kolada_region(KOLADA_PAGE)),
        "error: kolada: URL: values[0].municipality '9999' was not asked for",
    ),
    "kolada-value-above-100": kolada(
        Reply(200, JSON, set_kolada_value(KOLADA_PAGE, 150.0)),
        f"error: kolada: URL: {REFUSED_ROW.format(value=150.0)}: percent value outside 0-100"
        " (percent_out_of_range); nothing was saved",
    ),
    "kolada-pages-repeat-a-record": Case(
        "kolada",
        REPEATING_PAGES,
        f"error: kolada: URL: {REFUSED_ROW.format(value=11.1)} (and 1 more row(s)): key is not"
        " unique (duplicate_key); nothing was saved".replace("URL", KOLADA_URL),
        2,
    ),
    "scb-metadata-timeout": scb(
        SCB_METADATA_PATH, SLOW, f"error: scb: {TIMED_OUT}", 1 + RETRIES, SCB_METADATA_URL
    ),
    "scb-data-429-repeated": scb(
        SCB_DATA_PATH, BUSY, "error: scb: POST URL: HTTP 429: Too Many Requests", 1 + 1 + RETRIES
    ),
    "scb-metadata-500": scb(
        SCB_METADATA_PATH,
        BROKEN,
        "error: scb: GET URL: HTTP 500: Internal Server Error",
        1 + RETRIES,
        SCB_METADATA_URL,
    ),
    "scb-refused": Case(
        "scb", {}, f"error: scb: GET {REFUSED.replace('URL', SCB_METADATA_URL)}", refused=True
    ),
    "scb-data-truncated": scb(
        SCB_DATA_PATH,
        Reply(200, JSON, DATA_6260[:500], content_length=len(DATA_6260)),
        "error: scb: POST URL: no response: response body cut off (Connection broken:"
        f" IncompleteRead(500 bytes read, {len(DATA_6260) - 500} more expected))",
        2,
    ),
    "scb-value-above-100": scb(
        SCB_DATA_PATH,
        Reply(200, JSON, edit(DATA_6260, raise_first_value)),
        "error: scb: URL: the build would refuse the row with measure_id"
        " 'scb_bas_arbetsloshet_16_64', region_code '00', period '2024M09', sex 'men', age"
        " '16-19', birth_region 'total', education 'total', value 150.0: percent value outside"
        " 0-100 (percent_out_of_range); nothing was saved",
    ),
    "scb-data-without-size": scb(
        SCB_DATA_PATH,
        Reply(200, JSON, edit(DATA_6260, drop_size)),
        "error: scb: URL: 'size' None does not fit 'id' "
        "['Region', 'Kon', 'Alder', 'Fodelseregion', 'ContentsCode', 'Tid']",
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, pristine_build: Path) -> Path:
    """The session's build of the bundled data, copied for this module's cases to copy."""
    return copy_tree(pristine_build, tmp_path_factory.mktemp("fetch") / "data")


@contextmanager
def hold_closed_port() -> Iterator[int]:
    """A port bound but not listening: a connection is refused, and no other server can take it
    while the case runs (cases run side by side, each starting servers)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield probe.getsockname()[1]


def run_fetch(built: Path, folder: Path, case: Case) -> Outcome:
    """Fetch from a server scripted with the case's replies (or from a closed port)."""
    root = copy_tree(built, folder / "data")
    before = take_before(root)
    options = KOLADA_ARGS if case.source == "kolada" else SCB_ARGS
    command = ["fetch", case.source, *options, "--base-url"]
    if case.refused:
        with hold_closed_port() as port:
            url = f"http://127.0.0.1:{port}"
            result = run_etl(root, *command, url + BASE_PATHS[case.source], http=case.http)
        return Outcome(result, root, before, url)
    with serve(case.routes) as server:
        result = run_etl(root, *command, server.url + BASE_PATHS[case.source], http=case.http)
    return Outcome(result, root, before, server.url, len(server.requests))


@pytest.fixture(scope="module")
def fetches(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every case run once, side by side, each against its own server."""
    folders = {name: tmp_path_factory.mktemp(name) for name in CASES}
    return run_side_by_side(
        {name: partial(run_fetch, built, folders[name], case) for name, case in CASES.items()}
    )


@pytest.mark.parametrize("name", CASES)
def test_a_failing_upstream_stops_the_fetch_cleanly(fetches, name):
    case = CASES[name]
    outcome = fetches[name].result()
    expected = case.message.replace("{url}", outcome.detail)
    assert_failed_cleanly(outcome.result, outcome.root, outcome.before, expected)
    assert read_error_line(outcome.result) == expected
    if case.requests is not None:
        assert outcome.requests == case.requests
