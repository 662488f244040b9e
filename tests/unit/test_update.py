"""`python -m etl update` against loopback servers: fetch once, then nothing new, failures named."""

import dataclasses
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from etl import freshness, http, pipeline, update
from etl.__main__ import main
from etl.freshness import Freshness, assess_freshness, describe_freshness
from etl.lock import LockBusyError, hold_etl_lock
from etl.sources import Fetcher, af_tidsserier, kolada, scb
from labourmarket.core import paths, store
from tests.http_server import Reply, Request, serve
from tests.unit.test_af_tidsserier import DOWNLOAD_PATHS, HTML, PAGE_PATH, serve_release, write_page

JSON = {"Content-Type": "application/json"}
SCB_FIXTURES = paths.REPO_DIR / "tests" / "fixtures" / "scb"
SCB_METADATA = (SCB_FIXTURES / "TAB6260_metadata.json").read_bytes()  # trimmed real answer
SCB_DATA = (SCB_FIXTURES / "TAB6260_data.json").read_bytes()
SCB_METADATA_PATH = "/api/v2/tables/TAB6260/metadata"
SCB_DATA_PATH = "/api/v2/tables/TAB6260/data"
KOLADA_DATA_PATH = "/v3/data/kpi/N03920/municipality/0181/year/2023"
KOLADA_KPI_PATH = "/v3/kpi/N03920"
LAST_MODIFIED = "Fri, 28 Aug 2026 06:00:00 GMT"  # SCB's `updated` of TAB6260, as an HTTP date


def write_kolada_page(value: float) -> bytes:
    """One Kolada v3 data page: N03920, Södertälje, 2023, the three gender cells."""
    cells = [
        {"gender": gender, "count": 1, "status": "", "value": figure}
        for gender, figure in (("T", value), ("K", 10.2), ("M", 12.0))
    ]
    record = {"kpi": "N03920", "municipality": "0181", "period": 2023, "values": cells}
    return json.dumps({"values": [record], "count": 1, "next_url": None}).encode()


def write_kolada_kpi(publication_date: str) -> bytes:
    """GET /v3/kpi/N03920 in the shape of Kolada's KPI metadata (the reference file's fields)."""
    kpi = {
        "id": "N03920",
        "title": "Arbetslösa 18-65 år, andel av befolkningen (%)",
        "description": "Antal arbetslösa 18-65 år delat med antal invånare 18-65 år.",
        "is_divided_by_gender": True,
        "municipality_type": "A",
        "auspice": "X",
        "operating_area": "Arbetsmarknad",
        "perspective": "Resultat",
        "prel_publication_date": None,
        "publication_date": publication_date,
        "publ_period": "2026",
        "has_ou_data": False,
    }
    return json.dumps({"values": [kpi], "count": 1, "next_url": None}).encode()


GROUPS_PATH = "/v3/municipality_groups"


class Upstream:
    """Routes for all three publishers, each GET conditional, and what each request got."""

    def __init__(self) -> None:
        self.routes: dict = {}
        self.url = ""  # the server's, once it runs
        self.answered: list[tuple[str, str, int]] = []  # (method, path, status)
        serve_release(self.routes)
        self.serve_validated(PAGE_PATH, HTML, write_page(reg_href=self.reg_href()), etag='"p1"')
        self.serve_validated(KOLADA_DATA_PATH, JSON, write_kolada_page(11.1), etag='"k1"')
        self.serve_validated(KOLADA_KPI_PATH, JSON, write_kolada_kpi("2027-01-19"), etag='"m1"')
        groups = (paths.REPO_DIR / "tests/fixtures/kolada/municipality_groups_v3.json").read_bytes()
        self.serve_validated(GROUPS_PATH, JSON, groups, etag='"g1"')
        self.serve_validated(SCB_METADATA_PATH, JSON, SCB_METADATA, modified=LAST_MODIFIED)
        self.routes[SCB_DATA_PATH] = self.record(lambda request: Reply(200, JSON, SCB_DATA))
        for path in DOWNLOAD_PATHS.values():
            self.routes[path] = self.record(lambda request, reply=self.routes[path]: reply)

    @staticmethod
    def reg_href() -> str:
        return next(path for name, path in DOWNLOAD_PATHS.items() if "andel-av-reg" in name)

    def record(self, answer: Callable[[Request], Reply]) -> Callable[[Request], Reply]:
        def answer_and_record(request: Request) -> Reply:
            reply = answer(request)
            self.answered.append((request.method, request.path, reply.status))
            return reply

        return answer_and_record

    def serve_validated(
        self, path: str, headers: dict, body: bytes, etag: str = "", modified: str = ""
    ) -> None:
        """200 with an ETag or Last-Modified; 304 to a request that names the same one."""
        validators = {"ETag": etag} if etag else {"Last-Modified": modified}

        def answer(request: Request) -> Reply:
            if (etag and request.headers.get("If-None-Match") == etag) or (
                modified and request.headers.get("If-Modified-Since") == modified
            ):
                return Reply(304, validators)
            return Reply(200, {**headers, **validators}, body)

        self.routes[path] = self.record(answer)

    def fail(self, path: str) -> None:
        self.routes[path] = self.record(lambda request: Reply(500, body=b"Internal Server Error"))

    def take_answered(self) -> list[tuple[str, str, int]]:
        answered, self.answered = self.answered, []
        return answered


def version_scb(args, catalog) -> dict[str, str | None]:
    """A version hook for scb.FETCHER (`version=version_scb`): each table's `updated`."""
    session = http.create_session()
    tables = args.tables.split(",")
    return {t: scb.describe_remote_version(session, t, base_url=args.base_url) for t in tables}


def plug_versions(monkeypatch: pytest.MonkeyPatch, versions: dict[str, Callable | None]) -> None:
    """The registry with each named source's fetcher given that version hook."""

    def plug(fetcher: Fetcher) -> Fetcher:
        if fetcher.command not in versions:
            return fetcher
        return dataclasses.replace(fetcher, version=versions[fetcher.command])

    sources = tuple(
        dataclasses.replace(source, fetcher=plug(source.fetcher)) if source.fetcher else source
        for source in pipeline.SOURCES
    )
    monkeypatch.setattr(pipeline, "SOURCES", sources)


@pytest.fixture
def upstream(built_tree: Path, monkeypatch: pytest.MonkeyPatch):
    """A loopback server for Kolada, SCB and AF; update's options point every source at it."""
    state = Upstream()
    with serve(state.routes) as server:
        state.url = server.url
        for name, value in {
            "ARBETSMARKNAD_UPDATE_KOLADA": f"--kpis N03920 --regions 0181 --years 2023"
            f" --base-url {server.url}/v3",
            "ARBETSMARKNAD_UPDATE_SCB": "--tables TAB6260 --regions 0181,01,00"
            f" --periods 2024M09,2024M10 --base-url {server.url}/api/v2",
            "ARBETSMARKNAD_UPDATE_AF": f"--page-url {server.url}{PAGE_PATH}",
            "ARBETSMARKNAD_UPDATE_KOLADA_GROUPS": f"--base-url {server.url}/v3",
            "ARBETSMARKNAD_HTTP_RETRIES": "1",
            "ARBETSMARKNAD_HTTP_BACKOFF": "0",
        }.items():
            monkeypatch.setenv(name, value)
        yield state


def snapshot_raw(root: Path) -> dict[str, bytes]:
    """Every file under data/raw a build or a reader sees: hidden state left out."""
    raw = root / "raw"
    return {
        path.relative_to(raw).as_posix(): path.read_bytes()
        for path in sorted(raw.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(raw).parts)
    }


def read_figure(measure: str, region: str, period: str) -> float:
    rows = store.read_observations({"measure_id": measure, "region_code": region})
    rows = rows[(rows["period"] == period) & (rows["sex"] == "total")]
    [value] = rows["value"].tolist()
    return value


def count_rows(prefix: str) -> int:
    rows = store.read_observations()
    return int(rows["measure_id"].astype(str).str.startswith(prefix).sum())


def test_update_fetches_then_finds_nothing_new_then_keeps_a_failing_source(
    upstream: Upstream, built_tree: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    plug_versions(monkeypatch, {"scb": version_scb})  # Kolada's registry entry has its own
    af_rows_before = count_rows("af_inskrivna_andel_bas")

    assert main(["update"]) == 0, capsys.readouterr().err
    first = capsys.readouterr().out.splitlines()
    assert "kolada: 1 new or changed file(s)" in first
    # The metadata SCB's version hook read a moment before is not sent twice.
    assert "scb: 1 new or changed file(s); 1 of 2 GET(s) answered 304 Not Modified" in first
    assert "arbetsformedlingen: 4 new or changed file(s)" in first
    assert any(line.startswith("built ") for line in first)
    assert read_figure("kolada_arbetslosa_befolkning", "0181", "2023") == 11.1
    scb_rows = count_rows("scb_bas_arbetsloshet")
    assert count_rows("af_inskrivna_andel_bas") > af_rows_before
    assert upstream.take_answered() == [
        ("GET", KOLADA_KPI_PATH, 200),
        ("GET", KOLADA_DATA_PATH, 200),
        ("GET", SCB_METADATA_PATH, 200),
        ("GET", SCB_METADATA_PATH, 304),
        ("POST", SCB_DATA_PATH, 200),
        ("GET", PAGE_PATH, 200),
        *(("GET", path, 200) for path in DOWNLOAD_PATHS.values()),
        ("GET", GROUPS_PATH, 200),
    ]
    raw_after_first = snapshot_raw(built_tree)
    manifest_after_first = store.read_manifest()

    # A minute later: every publisher is asked, none sends a body, nothing is built.
    assert main(["update"]) == 0, capsys.readouterr().err
    second = capsys.readouterr().out.splitlines()
    assert upstream.take_answered() == [
        ("GET", KOLADA_KPI_PATH, 304),
        ("GET", SCB_METADATA_PATH, 304),
        ("GET", PAGE_PATH, 304),
        ("GET", GROUPS_PATH, 304),
    ]
    assert second[-1] == "nothing new"
    assert "arbetsformedlingen: nothing new; 1 of 1 GET(s) answered 304 Not Modified" in second
    assert [line for line in second if line.startswith(("kolada:", "scb:"))] == [
        f"kolada: nothing new (as at the last run: {version_of_kolada()})",
        'scb: nothing new (as at the last run: {"TAB6260": "2026-08-28T06:00:00Z"})',
    ]
    assert snapshot_raw(built_tree) == raw_after_first
    assert store.read_manifest() == manifest_after_first

    # Kolada revises a figure and announces it; SCB answers 500: Kolada's revision lands, SCB's
    # last good figures stay, and the run fails naming SCB only.
    upstream.serve_validated(KOLADA_KPI_PATH, JSON, write_kolada_kpi("2027-02-02"), etag='"m2"')
    upstream.serve_validated(KOLADA_DATA_PATH, JSON, write_kolada_page(11.4), etag='"k2"')
    upstream.fail(SCB_METADATA_PATH)
    assert main(["update"]) == 1
    out, err = capsys.readouterr()
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: scb: GET {upstream.url}{SCB_METADATA_PATH}?lang=sv:"
        " HTTP 500: Internal Server Error"
    ]
    assert err.splitlines()[-1] == (
        "update incomplete: 1 source(s) failed; the build used their last good raw files."
    )
    assert "kolada: 1 new or changed file(s)" in out.splitlines()
    assert "scb: failed (error below)" in out.splitlines()
    assert read_figure("kolada_arbetslosa_befolkning", "0181", "2023") == 11.4
    assert count_rows("scb_bas_arbetsloshet") == scb_rows
    changed = snapshot_raw(built_tree)
    assert {name for name in changed if changed[name] != raw_after_first.get(name)} == {
        name for name in changed if name.startswith("kolada/")
    }


def version_of_kolada() -> str:
    """What kolada.describe_remote_version answers for the first metadata (as update shows it)."""
    return update.describe_version(update.read_state(paths.raw_dir() / "kolada")["version"])


def test_without_version_hooks_conditional_gets_spare_the_bodies(
    upstream: Upstream, built_tree: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    plug_versions(monkeypatch, {"kolada": None, "scb": None})
    assert main(["update"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    upstream.take_answered()
    raw_after_first = snapshot_raw(built_tree)

    assert main(["update"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out.splitlines()
    # SCB's data is a POST: not conditional, so its body comes again, but the bytes are the same.
    assert upstream.take_answered() == [
        ("GET", KOLADA_DATA_PATH, 304),
        ("GET", SCB_METADATA_PATH, 304),
        ("POST", SCB_DATA_PATH, 200),
        ("GET", PAGE_PATH, 304),
        ("GET", GROUPS_PATH, 304),
    ]
    assert "kolada: nothing new; 1 of 1 GET(s) answered 304 Not Modified" in out
    assert "scb: nothing new; 1 of 1 GET(s) answered 304 Not Modified" in out
    assert out[-1] == "nothing new"
    # The fetchers wrote the same bytes with new sidecars; the old sidecars are back.
    assert snapshot_raw(built_tree) == raw_after_first


def test_status_shows_each_sources_newest_period_and_next_release(
    upstream: Upstream, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    plug_versions(monkeypatch, {"scb": version_scb})  # Kolada's registry entry has its own
    assert main(["update"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    lines = out.split("freshness (", 1)[1].splitlines()
    today = date.today()
    [kolada_line] = [line for line in lines if line.strip().startswith("kolada ")]
    assert kolada_line.split(None, 1)[1].startswith(
        f"newest 2023 (annual), fetched {today:%Y-%m-%d}, checked {today:%Y-%m-%d};"
        " next 2024 due about 2025-01-19"
    )
    [af_line] = [line for line in lines if line.strip().startswith("arbetsformedlingen ")]
    assert "newest 2026M08 (monthly)" in af_line and "next 2026M09 due about 2026-10-23" in af_line


@pytest.mark.parametrize(
    ("fetcher", "environment", "expected"),
    [
        (af_tidsserier.FETCHER, {}, {"page_url": af_tidsserier.AF_PAGE_URL}),
        (
            af_tidsserier.FETCHER,
            {"ARBETSMARKNAD_UPDATE_SCB": "--base-url http://127.0.0.1:9"},
            {"page_url": af_tidsserier.AF_PAGE_URL},
        ),
        (
            scb.FETCHER,
            {"ARBETSMARKNAD_UPDATE_SCB": "--tables TAB6260,TAB6383 --periods 2024M10"},
            {"tables": "TAB6260,TAB6383", "periods": "2024M10"},
        ),
        (
            scb.FETCHER,
            {"ARBETSMARKNAD_UPDATE_SCB": "--base-url 'http://127.0.0.1:9/api v2'"},
            {"base_url": "http://127.0.0.1:9/api v2"},
        ),
        (
            kolada.FETCHER,
            {"ARBETSMARKNAD_UPDATE_KOLADA": "--years 2019,2021"},
            {"years": [2019, 2021]},
        ),
    ],
    ids=["defaults", "another-sources-options", "options", "quoted", "typed"],
)
def test_each_source_takes_its_fetch_options_from_the_environment(fetcher, environment, expected):
    arguments = vars(update.read_fetch_arguments(fetcher, environment))
    assert {key: arguments[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("--tabels TAB6260", "ARBETSMARKNAD_UPDATE_SCB: unrecognized arguments: --tabels TAB6260"),
        ("--tables 'TAB6260", 'ARBETSMARKNAD_UPDATE_SCB="--tables \'TAB6260": No closing'),
    ],
    ids=["unknown-option", "unbalanced-quote"],
)
def test_bad_options_in_the_environment_name_the_variable(text, message):
    with pytest.raises(update.UpdateSettingError) as caught:
        update.read_fetch_arguments(scb.FETCHER, {"ARBETSMARKNAD_UPDATE_SCB": text})
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("version", "known"),
    [
        ("2026-08-28T06:00:00Z", True),
        (None, False),
        ({"TAB6260": "2026-08-28T06:00:00Z", "TAB6383": "2025-11-20T07:00:00Z"}, True),
        ({"TAB6260": "2026-08-28T06:00:00Z", "TAB6383": None}, False),
        (["a", None], False),
    ],
)
def test_a_version_with_a_gap_cannot_skip_a_fetch(version, known):
    assert update.is_known(version) is known


# --- conditional requests ----------------------------------------------------------------------


def validated(body: bytes, etag: str = '"v1"', modified: str = "") -> Callable[[Request], Reply]:
    validators = {"ETag": etag} if etag else {"Last-Modified": modified}

    def answer(request: Request) -> Reply:
        if (etag and request.headers.get("If-None-Match") == etag) or (
            modified and request.headers.get("If-Modified-Since") == modified
        ):
            return Reply(304, validators)
        return Reply(200, {"Content-Type": "application/json", **validators}, body)

    return answer


@pytest.mark.parametrize(
    ("validators", "asked"),
    [
        ({"etag": '"v1"'}, ("If-None-Match", '"v1"')),
        ({"etag": "", "modified": LAST_MODIFIED}, ("If-Modified-Since", LAST_MODIFIED)),
    ],
    ids=["etag", "last-modified"],
)
def test_a_304_is_answered_with_the_kept_body(tmp_path: Path, validators, asked) -> None:
    with serve({"/data": validated(b'{"n": 1}', **validators)}) as server:
        url = f"{server.url}/data"
        with http.remember_validators(tmp_path / "cache") as cache:
            first = http.request_bytes(http.create_session(), "GET", url)
        with http.remember_validators(tmp_path / "cache") as again:
            second = http.request_bytes(http.create_session(), "GET", url)
    assert first.content == second.content == b'{"n": 1}'
    assert (second.status, second.content_type) == (200, "application/json")
    assert (cache.downloaded, cache.not_modified) == (1, 0)
    assert (again.downloaded, again.not_modified) == (0, 1)
    assert asked[0] not in server.requests[0].headers
    assert server.requests[1].headers[asked[0]] == asked[1]


def test_a_changed_resource_replaces_the_kept_body(tmp_path: Path) -> None:
    routes = {"/data": validated(b"old", etag='"v1"')}
    with serve(routes) as server:
        url = f"{server.url}/data"
        with http.remember_validators(tmp_path):
            http.request_bytes(http.create_session(), "GET", url)
        routes["/data"] = validated(b"new", etag='"v2"')
        with http.remember_validators(tmp_path):
            changed = http.request_bytes(http.create_session(), "GET", url)
        with http.remember_validators(tmp_path) as cache:
            kept = http.request_bytes(http.create_session(), "GET", url)
    assert (changed.content, kept.content, cache.not_modified) == (b"new", b"new", 1)
    assert [r.headers.get("If-None-Match") for r in server.requests] == [None, '"v1"', '"v2"']
    index = json.loads((tmp_path / http.INDEX_FILE).read_text(encoding="utf-8"))
    assert list(index.values()) == [
        {"content_type": "application/json", "etag": '"v2"', "sha256": kept_sha(b"new")}
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([http.INDEX_FILE, kept_sha(b"new")])


def kept_sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize(
    "damage",
    ["altered", "deleted"],
)
def test_a_damaged_kept_body_is_downloaded_again(tmp_path: Path, damage: str) -> None:
    with serve({"/data": validated(b"body")}) as server:
        url = f"{server.url}/data"
        with http.remember_validators(tmp_path):
            http.request_bytes(http.create_session(), "GET", url)
        kept = tmp_path / kept_sha(b"body")
        kept.write_bytes(b"edited") if damage == "altered" else kept.unlink()
        with http.remember_validators(tmp_path) as cache:
            fetched = http.request_bytes(http.create_session(), "GET", url)
    assert fetched.content == b"body" and cache.downloaded == 1
    assert "If-None-Match" not in server.requests[1].headers


def test_requests_outside_update_and_posts_are_never_conditional(tmp_path: Path) -> None:
    with serve({"/data": validated(b"body")}) as server:
        url = f"{server.url}/data"
        with http.remember_validators(tmp_path):
            http.request_bytes(http.create_session(), "GET", url)
            http.request_bytes(http.create_session(), "POST", url, json_body={"q": 1})
        http.request_bytes(http.create_session(), "GET", url)
    assert [r.headers.get("If-None-Match") for r in server.requests] == [None, None, None]


def test_a_streamed_download_is_revalidated_too(tmp_path: Path) -> None:
    """AF's download() streams and caps the body; a 304 gives it the kept page the same way."""
    page = write_page()
    with serve({PAGE_PATH: validated(page, etag='"page"')}) as server:
        url = f"{server.url}{PAGE_PATH}"
        for _ in range(2):
            with http.remember_validators(tmp_path) as cache:
                fetched = af_tidsserier.download(
                    http.create_session(), url, accept="text/html", limit=10_000_000
                )
            assert fetched.content == page
    assert (cache.downloaded, cache.not_modified) == (0, 1)


# --- progress as plain lines ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("writes", "lines"),
    [
        (["plain line\n"], ["plain line"]),
        (["\rkolada: 0 sida", "\rkolada: 3 sida [00:01]", "\n"], ["kolada: 3 sida [00:01]"]),
        (["\rx:  50%|#####     | 50/100", "\r" + " " * 30 + "\r"], ["x:  50%|#####     | 50/100"]),
        (["\x1b[Ascb: 2/4\r", "\n", "half a line"], ["scb: 2/4", "half a line"]),
        (["a\nb\n\n"], ["a", "b"]),
    ],
    ids=["plain", "redraws", "cleared-bar", "escapes-and-unfinished", "blank-lines"],
)
def test_a_log_gets_each_progress_line_as_it_last_stood(writes, lines):
    target = io.StringIO()
    plain = update.PlainLines(target)
    for text in writes:
        plain.write(text)
    plain.finish()
    assert target.getvalue().splitlines() == lines


# --- the lock ------------------------------------------------------------------------------------

HOLDER = """
import sys
from etl.lock import hold_etl_lock
with hold_etl_lock("update"):
    print("held", flush=True)
    sys.stdin.read()
"""


def hold_in_another_process(root: Path) -> subprocess.Popen:
    env = {**os.environ, paths.DATA_DIR_ENV: str(root)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER],
        cwd=paths.REPO_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline() == "held\n"
    return holder


def test_the_lock_waits_for_another_process_or_refuses_to(data_tree: Path) -> None:
    holder = hold_in_another_process(data_tree)
    told: list[str] = []
    try:
        with pytest.raises(LockBusyError) as refused, hold_etl_lock("build", wait=False):
            pass
        waiter = threading.Thread(target=wait_for_lock, args=(told,))
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive()  # still waiting while the other process holds it
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    waiter.join(30)
    assert not waiter.is_alive()
    holder_text = f"pid {holder.pid} (etl update, since "
    assert holder_text in str(refused.value) and "not waiting (--no-wait)" in str(refused.value)
    assert told[0].startswith(f"waiting for {holder_text}") and told[1] == "got it"


def wait_for_lock(told: list[str]) -> None:
    with hold_etl_lock("build", tell=told.append):
        told.append("got it")


def test_the_lock_is_reentrant_within_a_run(data_tree: Path) -> None:
    with hold_etl_lock("update", wait=False), hold_etl_lock("build", wait=False):
        holder = json.loads((data_tree / "etl.lock").read_text(encoding="utf-8"))
    assert (holder["pid"], holder["purpose"]) == (os.getpid(), "update")


def test_commands_refuse_to_wait_when_told(data_tree: Path, capsys) -> None:
    holder = hold_in_another_process(data_tree)
    try:
        codes = [main([*command, "--no-wait"]) for command in (["build"], ["update"])]
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert codes == [1, 1]
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert all(f"pid {holder.pid} (etl update" in line for line in errors)


# --- freshness -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "following"),
    [("2026M08", "2026M09"), ("2026M12", "2027M01"), ("2013K4", "2014K1"), ("2024", "2025")],
)
def test_the_next_period(code, following):
    assert freshness.find_next_period(code) == following


@pytest.mark.parametrize(
    ("source", "period", "due"),
    [
        ("arbetsformedlingen", "2026M08", date(2026, 9, 23)),
        ("arbetsformedlingen", "2026M12", date(2027, 1, 23)),
        ("scb", "2026M06", date(2026, 8, 28)),  # as TAB6260's metadata shows
        ("scb", "2026M11", date(2027, 1, 28)),
        ("kolada", "2026", date(2027, 1, 19)),  # as Kolada's KPI metadata shows for N03920
    ],
)
def test_release_days_follow_each_publishers_rhythm(source, period, due):
    rule = freshness.RULE_BY_KEY[(source, freshness.parse_period(period).frequency)]
    assert freshness.estimate_release(rule, period) == due


TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("source", "newest", "fetched", "checked", "state", "line"),
    [
        (
            "arbetsformedlingen",
            "2026M10",
            date(2026, 11, 24),
            date(2026, 11, 30),
            "waiting",
            "newest 2026M10 (monthly), fetched 2026-11-24, checked 2026-11-30;"
            " next 2026M11 due about 2026-12-23 (in 23 days)",
        ),
        (
            "arbetsformedlingen",
            "2026M09",
            date(2026, 10, 23),
            date(2026, 11, 20),
            "due",
            "newest 2026M09 (monthly), fetched 2026-10-23, checked 2026-11-20;"
            " next 2026M10 due about 2026-11-23 (7 days ago: run `python -m etl update`)",
        ),
        (
            "scb",
            "2026M08",
            date(2026, 10, 28),
            date(2026, 11, 30),
            "late",
            "newest 2026M08 (monthly), fetched 2026-10-28, checked 2026-11-30;"
            " next 2026M09 due about 2026-11-28 (2 days ago, not out when last checked)",
        ),
        (
            "kolada",
            "2025",
            date(2026, 1, 20),
            None,
            "waiting",
            "newest 2025 (annual), fetched 2026-01-20; next 2026 due about 2027-01-19 (in 50 days)",
        ),
        (
            "kolada",
            "2024",
            None,
            None,
            "due",
            "newest 2024 (annual), not fetched; next 2025 due about 2026-01-19"
            " (315 days ago: run `python -m etl update`)",
        ),
        (
            "scb",
            "2023",
            date(2026, 11, 1),
            date(2026, 11, 30),
            "unscheduled",
            "newest 2023 (annual), fetched 2026-11-01, checked 2026-11-30; no release rhythm known",
        ),
        (
            "seed",
            "2013K3",
            date(2026, 11, 24),
            None,
            "unscheduled",
            "newest 2013K3 (quarterly), fetched 2026-11-24; no release rhythm known",
        ),
    ],
    ids=["af-waiting", "af-due", "scb-late", "kolada-waiting", "kolada-due", "scb-annual", "seed"],
)
def test_freshness_per_source(source, newest, fetched, checked, state, line):
    assessed = assess_freshness(source, newest, fetched, checked, TODAY)
    assert isinstance(assessed, Freshness) and assessed.state == state
    assert describe_freshness(assessed, TODAY) == line


# --- deploy/ -------------------------------------------------------------------------------------

DEPLOY = paths.REPO_DIR / "deploy"
INSTALLED_AT = "/opt/arbetsmarknadslaget"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_the_systemd_units_verify(tmp_path: Path) -> None:
    """The units as installed, with the checkout's path in place of /opt/arbetsmarknadslaget."""
    units = sorted(DEPLOY.glob("*.service")) + sorted(DEPLOY.glob("*.timer"))
    assert [unit.name for unit in units] == [
        "arbetsmarknad-app.service",
        "arbetsmarknad-app@.service",
        "arbetsmarknad-update.service",
        "arbetsmarknad-update.timer",
    ]
    for unit in units:
        text = unit.read_text(encoding="utf-8").replace(INSTALLED_AT, str(paths.REPO_DIR))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    checked = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / unit.name) for unit in units)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (checked.returncode, checked.stderr) == (0, "")


@pytest.mark.parametrize(
    ("expression", "runs"),
    [
        ("*-*-* 06:00:00", ["2026-12-01 06:00:00", "2026-12-02 06:00:00"]),
        ("*-*-23..31 10,13,16:00:00", ["2026-12-23 10:00:00", "2026-12-23 13:00:00"]),
    ],
)
@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_the_timer_runs_daily_and_on_afs_release_days(expression, runs):
    timer = (DEPLOY / "arbetsmarknad-update.timer").read_text(encoding="utf-8")
    assert f"OnCalendar={expression}\n" in timer
    shown = subprocess.run(
        [
            "systemd-analyze",
            "calendar",
            expression,
            "--iterations=2",
            "--base-time=2026-11-30 18:00:00 UTC",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TZ": "UTC"},
    )
    elapses = [
        line.split(":", 1)[1].strip().split(" ", 1)[1].rsplit(" ", 1)[0]
        for line in shown.stdout.splitlines()
        if line.strip().startswith(("Next elapse:", "Iter. #"))
    ]
    assert elapses == runs, shown.stdout + shown.stderr


def test_newest_period_follows_every_source_id_of_a_file(built_tree):
    """The integration snapshot's rows name two source_ids (a series break): 2023 is newest."""
    from etl.freshness import read_newest_periods

    newest = read_newest_periods()
    assert newest[("scb_snapshot", "A")] == "2023"
    assert newest[("scb_snapshot", "M")] == "2024M12"
    assert newest[("seed", "Q")] == "2013K3"
