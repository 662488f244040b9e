"""`python -m etl`: import, fetch, status and help, each failing cleanly and losing nothing."""

import json

import pytest

from etl.__main__ import main
from etl.sources.kolada import parse_years
from labourmarket.core import paths
from tests.app.conftest import GAP, open_page, read_shown_table
from tests.http_server import Reply, serve

AF_CSV = (
    "Inskrivna arbetslösa som andel av den registerbaserade arbetskraften\r\n"
    "Oktober 2024\r\n"
    "\r\n"
    "Period;Kommunkod;Kommun;Totalt;Unga 18-24;Utrikes födda\r\n"
    "202410;0181;Södertälje;14,5;12,1;26,2\r\n"
    "202410;;Stockholms län;6,6;9,0;12,1\r\n"
).encode("cp1252")
KOLADA_PAGE = {
    "values": [
        {
            "kpi": "N03920",
            "municipality": "0181",
            "period": 2023,
            "values": [{"gender": "T", "count": 1, "status": "", "value": 11.1}],
        }
    ],
    "count": 1,
    "next_url": None,
}
KOLADA_PATH = "/v3/data/kpi/N03920/municipality/0181/year/2023"


def snapshot(directory):
    return {p.name: p.read_bytes() for p in directory.glob("*")} if directory.exists() else {}


def test_help_teaches_the_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for command in ("build", "fetch", "import", "status", "python -m etl fetch kolada"):
        assert command in text


@pytest.mark.parametrize(
    ("text", "years"),
    [("2023", [2023]), ("2020-2022", [2020, 2021, 2022]), ("2019,2021", [2019, 2021])],
)
def test_parse_years(text, years):
    assert parse_years(text) == years


def test_import_lands_the_file_and_the_page_shows_it(built_tree, tmp_path, capsys):
    download = tmp_path / "arbetslosa-2024-10.csv"
    download.write_bytes(AF_CSV)
    assert main(["import", str(download)]) == 0
    assert "arbetsformedlingen: raw/arbetsformedlingen/" in capsys.readouterr().out
    # A monthly download is the monthly reg measure, never a month in Tabell 1's quarterly one.
    at = open_page(GAP, measure="af_inskrivna_andel_reg", breakdown="birth_region", view="table")
    assert at.selectbox(key="period").value == "2024M10"
    row = read_shown_table(at)
    row = row[(row["Kommun"] == "Södertälje") & (row["Grupp"] == "Utrikes födda")].iloc[0]
    assert (row["Andel (%)"], row["Stockholms län (%)"]) == ("26,2", "12,1")


def test_import_of_a_bad_file_changes_nothing(built_tree, tmp_path, capsys):
    download = tmp_path / "trasig.csv"
    download.write_bytes(AF_CSV.replace(b"26,2", b"26,2 %"))
    before = snapshot(built_tree / "clean")
    assert main(["import", str(download)]) == 1
    error = capsys.readouterr().err
    assert "arbetsformedlingen: trasig.csv" in error and "'26,2 %'" in error
    assert snapshot(built_tree / "raw" / "arbetsformedlingen") == {}
    assert snapshot(built_tree / "clean") == before


def test_import_of_a_missing_file_says_so(built_tree, capsys):
    assert main(["import", "/nowhere/fil.xlsx"]) == 1
    assert "/nowhere/fil.xlsx" in capsys.readouterr().err


def test_fetch_kolada_saves_and_builds(built_tree, capsys):
    body = json.dumps(KOLADA_PAGE).encode()
    with serve({KOLADA_PATH: Reply(200, {"Content-Type": "application/json"}, body)}) as server:
        code = main(
            [
                "fetch",
                "kolada",
                "--kpis",
                "N03920",
                "--regions",
                "0181",
                "--years",
                "2023",
                "--base-url",
                f"{server.url}/v3",
            ]
        )
    assert code == 0, capsys.readouterr().err
    assert server.paths() == [KOLADA_PATH]
    out = capsys.readouterr().out
    assert "saved 1 response(s)" in out and "kolada: raw/kolada/" in out
    sidecar = json.loads(
        next((built_tree / "raw" / "kolada").glob("*.provenance.json")).read_text()
    )
    assert sidecar["http_status"] == 200 and sidecar["url"].endswith("year/2023?per_page=5000")


def test_fetch_error_leaves_raw_and_clean_untouched(built_tree, capsys):
    before = snapshot(built_tree / "clean")
    with serve({KOLADA_PATH: Reply(404, body=b"Not Found")}) as server:
        code = main(
            [
                "fetch",
                "kolada",
                "--kpis",
                "N03920",
                "--regions",
                "0181",
                "--years",
                "2023",
                "--base-url",
                f"{server.url}/v3",
            ]
        )
    assert code == 1
    assert "HTTP 404" in capsys.readouterr().err
    assert snapshot(built_tree / "raw" / "kolada") == {}
    assert snapshot(built_tree / "clean") == before


def test_unknown_region_group_is_refused(built_tree, capsys):
    assert main(["fetch", "kolada", "--regions", "norrort", "--years", "2023"]) == 1
    assert "unknown region or group 'norrort'" in capsys.readouterr().err


def test_status_lists_sources_and_notices_a_stale_build(built_tree, tmp_path, capsys):
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "seed" in out and "1 file(s)" in out and "sodertalje_2014_tabell1.txt" in out
    assert "out of date" not in out
    download = tmp_path / "ny.csv"
    download.write_bytes(AF_CSV)
    main(["import", str(download), "--no-build"])
    capsys.readouterr()
    main(["status"])
    assert "clean is out of date" in capsys.readouterr().out


def test_fetch_scb_reads_metadata_posts_query_and_builds(built_tree, capsys):
    fixtures = paths.REPO_DIR / "tests" / "fixtures" / "scb"
    routes = {
        "/api/v2/tables/TAB6260/metadata": Reply(
            200, body=(fixtures / "TAB6260_metadata.json").read_bytes()
        ),
        "/api/v2/tables/TAB6260/data": Reply(
            200, body=(fixtures / "TAB6260_data.json").read_bytes()
        ),
    }
    with serve(routes) as server:
        code = main(
            [
                "fetch",
                "scb",
                "--tables",
                "TAB6260",
                "--regions",
                "0181,01,00",
                "--periods",
                "2024M09,2024M10",
                "--base-url",
                f"{server.url}/api/v2",
            ]
        )
    assert code == 0, capsys.readouterr().err
    assert [r.method for r in server.requests] == ["GET", "POST"]
    out = capsys.readouterr().out
    assert "scb: raw/scb/" in out
    assert json.loads((built_tree / "clean" / "manifest.json").read_text())["superseded_rows"] > 0


def test_fetch_refuses_a_kpi_the_build_cannot_place_before_any_request(built_tree, capsys):
    with serve({}) as server:
        code = main(
            [
                "fetch",
                "kolada",
                "--kpis",
                "N01951",
                "--regions",
                "0181",
                "--years",
                "2023",
                "--base-url",
                f"{server.url}/v3",
            ]
        )
    assert code == 1
    assert "no mapping for N01951" in capsys.readouterr().err
    assert server.requests == []
    assert snapshot(built_tree / "raw" / "kolada") == {}


@pytest.mark.parametrize("years", ["2024-2015", "tjugo", ""])
def test_bad_year_ranges_are_refused(built_tree, years, capsys):
    with pytest.raises(SystemExit):
        main(["fetch", "kolada", "--years", years])
    assert "--years" in capsys.readouterr().err
