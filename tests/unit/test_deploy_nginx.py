"""deploy/nginx.conf: the WebSocket passes through, the HTML says Swedish, and nginx accepts it."""

import re

import pytest

from tests.deploy_nginx import NGINX_CONF, check_config, require_nginx, write_prefix

SITE = NGINX_CONF.read_text(encoding="utf-8")


def read_location(path: str) -> list[str]:
    """The directives of one `location <path> { ... }` block, one per line, comments dropped."""
    match = re.search(rf"\n    location {re.escape(path)} \{{\n(.*?)\n    \}}", SITE, re.DOTALL)
    assert match, f"deploy/nginx.conf has no location {path}"
    lines = (line.split("#", 1)[0].strip() for line in match.group(1).splitlines())
    return [line for line in lines if line]


@pytest.mark.parametrize(
    ("path", "directive"),
    [
        ("/_stcore/stream", "proxy_pass http://127.0.0.1:8501;"),
        ("/_stcore/stream", "proxy_http_version 1.1;"),
        ("/_stcore/stream", "proxy_set_header Upgrade $http_upgrade;"),
        ("/_stcore/stream", 'proxy_set_header Connection "upgrade";'),
        ("/_stcore/stream", "proxy_read_timeout 8h;"),
        ("/", "proxy_pass http://127.0.0.1:8501;"),
        ("/", "sub_filter '<html lang=\"en\">' '<html lang=\"sv\">';"),
        ("/", "sub_filter_once on;"),
        ("/", 'proxy_set_header Accept-Encoding "";'),
        # A location with a proxy_set_header of its own inherits none: each sets them all.
        ("/", "proxy_set_header Host $host;"),
        ("/_stcore/stream", "proxy_set_header Host $host;"),
        ("/", "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"),
        ("/_stcore/stream", "proxy_set_header X-Forwarded-Proto $scheme;"),
    ],
)
def test_the_proxy_passes_the_websocket_and_rewrites_the_language(path, directive):
    assert directive in read_location(path)


def test_the_app_is_reached_only_through_tls_and_a_login():
    assert "listen 443 ssl;" in SITE
    assert "return 301 https://$host$request_uri;" in SITE
    assert re.search(r"\n    auth_basic +\"Arbetsmarknadsläget\";", SITE)


def test_nginx_accepts_the_file(tmp_path):
    """`nginx -t` on the file as deployed, with test certificates in a temporary prefix."""
    nginx = require_nginx()
    main, _, _ = write_prefix(tmp_path, "http://127.0.0.1:8501")
    checked = check_config(nginx, main)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr
