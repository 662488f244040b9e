"""Kolada municipality groups: parse() on the hand-written fixture, fetch() on a loopback server."""

import json
from pathlib import Path
from typing import Any

import pytest

from etl import pipeline
from etl.errors import SourceError
from etl.http import create_session
from etl.raw import PROVENANCE_SUFFIX
from etl.sources import kolada_groups
from labourmarket.core import paths, store
from labourmarket.core.catalog import load_catalog
from tests.http_server import Reply, Request, serve

FIXTURE = (
    Path(__file__).resolve().parent.parent / "fixtures" / "kolada" / "municipality_groups_v3.json"
)
CATALOG = load_catalog(paths.REPO_DIR / "data" / "reference")
GROUPS_PATH = "/v3/municipality_groups"


def read_fixture() -> dict[str, Any]:
    return json.loads(FIXTURE.read_bytes())


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def fast_session() -> Any:
    return create_session(total_retries=2, backoff_factor=0.01)


def test_parse_gives_one_row_per_member_with_the_edition_from_the_title() -> None:
    frame = kolada_groups.parse(FIXTURE.read_bytes(), {"file": FIXTURE.name}, CATALOG)
    assert list(frame.columns) == ["group_id", "title", "edition", "region_code"]
    first = frame[frame["group_id"] == "GTEST1"]
    assert list(first["region_code"]) == ["0181", "0126", "0127", "0380"]
    assert set(first["edition"]) == {"2023"}
    assert set(first["title"]) == {"Större stad, SKR:s kommungruppsindelning 2023"}
    assert frame.groupby("group_id")["edition"].first().to_dict() == {
        "GTEST1": "2023",
        "GTEST2": "2023",
        "GTEST3": "2017",
        "GTEST4": "",
    }
    assert len(frame) == 12


@pytest.mark.parametrize(
    ("title", "edition"),
    [
        ("Pendlingskommun nära storstad, SKR:s kommungruppsindelning 2023", "2023"),
        ("Kommungruppsindelning 2017: Storstäder", "2017"),
        ("Storstäder", ""),
        ("Grupp 12345", ""),
        ("2011 och 2023", "2023"),
    ],
)
def test_find_edition_takes_the_last_year_in_the_title(title: str, edition: str) -> None:
    assert kolada_groups.find_edition(title) == edition


def replace_member(document: dict, value: Any) -> None:
    document["values"][1]["members"][2] = value


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: replace_member(d, {"id": "9999", "title": "Ingenstans"}),
            r"group GTEST2 \(Storstäder, SKR:s kommungruppsindelning 2023\): members\[2\] id "
            r"'9999' is no region in regions.csv",
        ),
        (lambda d: replace_member(d, "1280"), r"group GTEST2 .*members\[2\] id None"),
        (lambda d: d["values"][0].pop("members"), r"group GTEST1 \(.*\): no 'members' list"),
        (lambda d: d["values"][2].update(id=17), r"values\[2\]\.id 17 is not a text"),
        (lambda d: d.pop("values"), r"no 'values' list at the top level"),
        (
            lambda d: d["values"][0]["members"].append({"id": "0181"}),
            r"group GTEST1: member 0181 twice",
        ),
    ],
    ids=["unknown-member", "member-not-object", "no-members", "id-not-text", "no-values", "twice"],
)
def test_parse_names_the_group_and_field_that_is_wrong(change: Any, message: str) -> None:
    document = read_fixture()
    change(document)
    with pytest.raises(SourceError, match=message) as caught:
        kolada_groups.parse(encode(document), {"file": "page.json"}, CATALOG)
    assert caught.value.location == "page.json"


@pytest.mark.parametrize("next_key", ["next_url", "next_page"])
def test_fetch_follows_each_page_and_saves_the_exact_bytes_with_provenance(
    data_tree: Path, next_key: str
) -> None:
    """Two pages, linked by v3's next_url or v2's next_page; the last link is null."""
    document = read_fixture()
    pages = [
        {"count": 2, "values": document["values"][:2], next_key: f"{GROUPS_PATH}?page=2"},
        {"count": 2, "values": document["values"][2:], next_key: None},
    ]

    def answer(request: Request) -> Reply:
        return Reply(body=encode(pages[1] if request.query == "page=2" else pages[0]))

    with serve({GROUPS_PATH: answer}) as server:
        saved = kolada_groups.fetch(fast_session(), f"{server.url}/v3", catalog=CATALOG)
    assert [r.query for r in server.requests] == ["", "page=2"]
    assert [path.read_bytes() for path in saved] == [encode(page) for page in pages]
    sidecars = [
        json.loads((path.parent / f"{path.stem}{PROVENANCE_SUFFIX}").read_text()) for path in saved
    ]
    assert [s["page"] for s in sidecars] == [1, 2]
    assert {s["source_id"] for s in sidecars} == {"kolada_groups"}
    assert {s["request_url"] for s in sidecars} == {f"{server.url}{GROUPS_PATH}"}
    assert len({s["fetch_id"] for s in sidecars}) == 1
    assert saved[0].parent == data_tree / "raw" / "kolada_groups"


def test_fetch_writes_nothing_when_a_page_does_not_parse(data_tree: Path) -> None:
    document = read_fixture()
    replace_member(document, {"id": "9999"})
    with (
        serve({GROUPS_PATH: Reply(body=encode(document))}) as server,
        pytest.raises(SourceError, match="GTEST2"),
    ):
        kolada_groups.fetch(fast_session(), f"{server.url}/v3", catalog=CATALOG)
    assert not list((data_tree / "raw" / "kolada_groups").glob("*.json"))


def test_the_build_checks_group_pages_but_adds_no_figures(data_tree: Path) -> None:
    """Registered in SOURCES for the raw-file checks; no observations come of it."""
    registered = {source.name: source.parse for source in pipeline.SOURCES}
    assert registered["kolada_groups"] is kolada_groups.parse_for_build
    with serve({GROUPS_PATH: Reply(body=FIXTURE.read_bytes())}) as server:
        kolada_groups.fetch(fast_session(), f"{server.url}/v3", catalog=CATALOG)
    frame = kolada_groups.parse_for_build(FIXTURE.read_bytes(), {"file": "x"}, CATALOG)
    assert frame.empty
    pipeline.build()
    observations = store.read_observations()
    assert "kolada_groups" not in set(observations["source_id"].astype(str))
