"""deploy/nginx.conf made runnable in a temporary prefix for tests: loopback ports, a test cert."""

import base64
import shutil
import ssl
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy import serve_replicas
from deploy.serve_replicas import NGINX_CONF, REPLICA_COOKIE, Login, Prefix, check_config

__all__ = ["NGINX_CONF", "REPLICA_COOKIE", "check_config"]

TEST_USER, TEST_PASSWORD = "utredare", "hemligt"
LOGIN = Login(TEST_USER, TEST_PASSWORD)
LOG_TIMEOUT = 10  # seconds: a hang guard
PROBES = 64  # cookie values tried to find one per replica: a miss is 2**-64 likely for two


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


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: str


def fetch_through(url: str, cookie: str | None = None) -> Answer:
    """GET through the test nginx: its self-signed certificate, the test login, a replica cookie."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    login = base64.b64encode(f"{TEST_USER}:{TEST_PASSWORD}".encode()).decode()
    headers = {"Authorization": f"Basic {login}"}
    if cookie is not None:
        headers["Cookie"] = f"{REPLICA_COOKIE}={cookie}"
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, context=context, timeout=60) as response:
        return Answer(response.status, response.getheaders(), response.read().decode("utf-8"))


def read_access_log(prefix: Prefix) -> list[list[str]]:
    """nginx's access lines so far: upstream address, replica cookie ("-": none), status, URI."""
    if not prefix.access_log.exists():
        return []
    return [line.split() for line in prefix.access_log.read_text().splitlines()]


def wait_for_access_line(prefix: Prefix, index: int) -> list[str]:
    """The index-th access line: nginx writes it once the answer is sent, maybe after we read."""
    deadline = time.monotonic() + LOG_TIMEOUT
    while (lines := read_access_log(prefix))[index:] == []:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{prefix.access_log} has no line {index + 1}")
        time.sleep(0.05)
    return lines[index]


def find_replica_cookies(prefix: Prefix, replicas: int) -> dict[str, str]:
    """A replica cookie value that nginx sends to each replica: {"127.0.0.1:port": value}.

    Asks nginx (a health check per value) rather than computing its hash, which is nginx's own.
    """
    found: dict[str, str] = {}
    for index in range(PROBES):
        value = f"probe{index:02d}"
        seen = len(read_access_log(prefix))
        fetch_through(f"{prefix.url}/_stcore/health", cookie=value)
        upstream = wait_for_access_line(prefix, seen)[0]
        found.setdefault(upstream, value)
        if len(found) == replicas:
            return found
    raise LookupError(f"{PROBES} cookie values reached only {sorted(found)}")
