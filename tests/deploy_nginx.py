"""deploy/nginx.conf made runnable in a temporary prefix for tests: loopback ports, a test cert."""

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from deploy import serve_replicas
from deploy.serve_replicas import (
    NGINX_CONF,
    REPLICA_COOKIE,
    Answer,
    Login,
    Prefix,
    check_config,
    read_access_log,
)

__all__ = ["NGINX_CONF", "REPLICA_COOKIE", "check_config", "read_access_log"]

TEST_USER, TEST_PASSWORD = "utredare", "hemligt"
LOGIN = Login(TEST_USER, TEST_PASSWORD)


def require_nginx() -> str:
    """Skip where nginx is not installed (`apt-get install nginx`), as with systemd-analyze."""
    found = serve_replicas.find_nginx()
    if found is None:
        pytest.skip("nginx not installed")
    return found


def require_openssl() -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")


def read_addresses(app_urls: str | Sequence[str]) -> list[str]:
    """Each app URL ("http://127.0.0.1:8501") as nginx names a server: "127.0.0.1:8501"."""
    urls = [app_urls] if isinstance(app_urls, str) else list(app_urls)
    return [url.removeprefix("http://").rstrip("/") for url in urls]


def write_prefix(root: Path, app_urls: str | Sequence[str]) -> Prefix:
    """The deployed site file with this machine's ports, replicas and files (see
    deploy/serve_replicas.py); returns the main config, ports and access log."""
    require_openssl()
    return serve_replicas.write_prefix(root, read_addresses(app_urls), LOGIN)


@contextmanager
def serve_nginx(root: Path, app_urls: str | Sequence[str]) -> Iterator[str]:
    """Run deploy/nginx.conf in front of the app (one URL or its replicas); yield its address."""
    with serve_proxy(root, app_urls) as prefix:
        yield prefix.url


@contextmanager
def serve_proxy(root: Path, app_urls: str | Sequence[str]) -> Iterator[Prefix]:
    """As serve_nginx, yielding the whole prefix (its access log says which replica served)."""
    nginx = require_nginx()
    require_openssl()
    with serve_replicas.serve_nginx(nginx, root, read_addresses(app_urls), LOGIN) as prefix:
        yield prefix


def fetch_through(url: str, cookie: str | None = None) -> Answer:
    """GET through the test nginx: its self-signed certificate, the test login, a replica cookie."""
    return serve_replicas.fetch_through(url, LOGIN, cookie)


def find_replica_cookies(prefix: Prefix, replicas: int) -> dict[str, str]:
    """A replica cookie value that nginx sends to each replica: {"127.0.0.1:port": value}."""
    return serve_replicas.find_replica_cookies(prefix, LOGIN, replicas)
