"""deploy/nginx.conf: sticky replicas, the WebSocket passes through, the HTML says Swedish."""

import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from deploy.serve_replicas import FIRST_PORT, write_upstream
from tests.deploy_nginx import (
    NGINX_CONF,
    REPLICA_COOKIE,
    check_config,
    fetch_through,
    require_nginx,
    serve_proxy,
    write_prefix,
)
from tests.http_server import Reply, Server, serve

SITE = NGINX_CONF.read_text(encoding="utf-8")
STREAMLIT_HTML = b'<!doctype html><html lang="en"><head></head><body>app</body></html>'
SET_COOKIE = re.compile(
    rf"^{REPLICA_COOKIE}=[0-9a-f]{{32}}; Path=/; Secure; HttpOnly; SameSite=Lax$"
)


def read_block(opening: str) -> list[str]:
    """The directives of one block opened by `opening` at 0 or 4 spaces, comments dropped."""
    match = re.search(rf"\n( *){re.escape(opening)} \{{\n(.*?)\n\1\}}", SITE, re.DOTALL)
    assert match, f"deploy/nginx.conf has no {opening} block"
    lines = (line.split("#", 1)[0].strip() for line in match.group(2).splitlines())
    return [line for line in lines if line]


def read_location(path: str) -> list[str]:
    return read_block(f"location {path}")


@pytest.mark.parametrize(
    ("path", "directive"),
    [
        ("/_stcore/stream", "proxy_pass http://arbetsmarknad;"),
        ("/_stcore/stream", "proxy_http_version 1.1;"),
        ("/_stcore/stream", "proxy_set_header Upgrade $http_upgrade;"),
        ("/_stcore/stream", 'proxy_set_header Connection "upgrade";'),
        ("/_stcore/stream", "proxy_read_timeout 8h;"),
        ("/", "proxy_pass http://arbetsmarknad;"),
        ("/", "sub_filter '<html lang=\"en\">' '<html lang=\"sv\">';"),
        ("/", "sub_filter_once on;"),
        ("/", 'proxy_set_header Accept-Encoding "";'),
        ("/", "add_header Set-Cookie $arbetsmarknad_set_replica;"),
        # A location with a proxy_set_header of its own inherits none: each sets them all.
        ("/", "proxy_set_header Host $host;"),
        ("/_stcore/stream", "proxy_set_header Host $host;"),
        ("/", "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"),
        ("/_stcore/stream", "proxy_set_header X-Forwarded-Proto $scheme;"),
    ],
)
def test_the_proxy_passes_the_websocket_and_rewrites_the_language(path, directive):
    assert directive in read_location(path)


def test_the_replicas_are_hashed_on_a_cookie_of_each_browser_not_its_address():
    """Behind a municipal NAT every desk has one address: ip_hash would pick one replica."""
    upstream = read_block("upstream arbetsmarknad")
    assert upstream[0] == "hash $arbetsmarknad_replica consistent;"
    assert upstream[1:] == [f"server 127.0.0.1:{FIRST_PORT + i};" for i in range(4)]
    assert not re.search(r"^\s*ip_hash", SITE, re.MULTILINE)
    key = read_block(f"map $cookie_{REPLICA_COOKIE} $arbetsmarknad_replica")
    assert key == ['""      $remote_addr;', f"default $cookie_{REPLICA_COOKIE};"]


def test_the_printed_upstream_block_is_the_files_own_with_these_replicas():
    assert write_upstream(["127.0.0.1:8501", "127.0.0.1:8502"]) == (
        "upstream arbetsmarknad {\n"
        "    hash $arbetsmarknad_replica consistent;\n"
        "    server 127.0.0.1:8501;\n"
        "    server 127.0.0.1:8502;\n"
        "}\n"
    )


def test_the_app_is_reached_only_through_tls_and_a_login():
    assert "listen 443 ssl;" in SITE
    assert "return 301 https://$host$request_uri;" in SITE
    assert re.search(r"\n    auth_basic +\"Arbetsmarknadsläget\";", SITE)


def test_nginx_accepts_the_file(tmp_path):
    """`nginx -t` on the file as deployed, with test certificates in a temporary prefix."""
    nginx = require_nginx()
    prefix = write_prefix(tmp_path, ["http://127.0.0.1:8501", "http://127.0.0.1:8502"])
    checked = check_config(nginx, prefix.main)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


@pytest.fixture
def two_replicas(tmp_path: Path) -> Iterator[tuple[str, list[Server]]]:
    """deploy/nginx.conf in front of two plain HTTP servers that answer like Streamlit's page."""
    require_nginx()
    routes = {"/": Reply(200, {"Content-Type": "text/html"}, STREAMLIT_HTML)}
    with ExitStack() as stack:
        replicas = [stack.enter_context(serve(routes)) for _ in range(2)]
        prefix = stack.enter_context(serve_proxy(tmp_path, [r.url for r in replicas]))
        yield prefix.url, replicas


def count_requests(replicas: list[Server]) -> list[int]:
    return [len(replica.requests) for replica in replicas]


def test_a_browser_without_the_cookie_gets_one_and_keeps_to_one_replica(two_replicas):
    url, replicas = two_replicas
    first = fetch_through(f"{url}/")
    cookies = [value for name, value in first.headers if name == "Set-Cookie"]
    assert len(cookies) == 1 and SET_COOKIE.match(cookies[0]), cookies
    # The cookie's owner: every later request reaches one replica, and no new cookie is set.
    value = cookies[0].split(";")[0].split("=", 1)[1]
    before = count_requests(replicas)
    answers = [fetch_through(f"{url}/", cookie=value) for _ in range(10)]
    assert all(name != "Set-Cookie" for answer in answers for name, _ in answer.headers)
    added = [after - was for after, was in zip(count_requests(replicas), before, strict=True)]
    assert sorted(added) == [0, 10]


def test_browsers_with_different_cookies_are_spread_over_the_replicas(two_replicas):
    url, replicas = two_replicas
    for index in range(32):
        fetch_through(f"{url}/", cookie=f"browser{index}")
    assert all(count > 0 for count in count_requests(replicas)), count_requests(replicas)


def test_a_browser_refusing_cookies_stays_on_one_replica_by_its_address(two_replicas):
    url, replicas = two_replicas
    for _ in range(10):
        fetch_through(f"{url}/")
    assert sorted(count_requests(replicas)) == [0, 10]


def test_every_replica_serves_the_page_as_swedish(two_replicas):
    url, _ = two_replicas
    for index in range(8):
        html = fetch_through(f"{url}/", cookie=f"browser{index}").body
        assert '<html lang="sv">' in html and 'lang="en"' not in html


def test_the_replica_template_serves_the_ports_nginx_lists_on_loopback_only():
    """arbetsmarknad-app@8501.service .. @8504: the instance is the port of an upstream line."""
    template = (NGINX_CONF.parent / "arbetsmarknad-app@.service").read_text(encoding="utf-8")
    start = next(line for line in template.splitlines() if line.startswith("ExecStart="))
    assert "-m streamlit run app.py" in start
    assert "--server.address 127.0.0.1 --server.port %i " in start
    assert "Conflicts=arbetsmarknad-app.service\n" in template  # the single app, on 8501 too
    # One browser profile per replica (chart images): two chromiums never share one.
    assert "Environment=HOME=%C/arbetsmarknadslaget/%i\n" in template
    ports = [line.split(":")[1].rstrip(";") for line in read_block("upstream arbetsmarknad")[1:]]
    assert template.count("{8501..8504}") == 1 and ports == ["8501", "8502", "8503", "8504"]
