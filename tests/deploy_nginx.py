"""deploy/nginx.conf made runnable in a temporary prefix: loopback ports, a test certificate."""

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.server import find_free_port, list_listening_sockets
from labourmarket.core import paths

NGINX_CONF = paths.REPO_DIR / "deploy" / "nginx.conf"
APP_UPSTREAM = "http://127.0.0.1:8501"
TEST_USER, TEST_PASSWORD = "utredare", "hemligt"
START_TIMEOUT = 60  # seconds: a hang guard


def require_nginx() -> str:
    """Skip where nginx is not installed (`apt-get install nginx`), as with systemd-analyze."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).exists()), None
    )
    if found is None:
        pytest.skip("nginx not installed")
    return found


def make_certificate(root: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with openssl (skipped without it)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    cert, key = root / "test.pem", root / "test.key"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def write_prefix(root: Path, app_url: str) -> tuple[Path, int, int]:
    """The deployed site file with this machine's ports and files, inside a minimal main config.

    Returns the main config and the HTTPS and HTTP ports. Only addresses and file paths change;
    every location, header and filter is the file's own.
    """
    cert, key = make_certificate(root)
    (root / "htpasswd").write_text(f"{TEST_USER}:{{PLAIN}}{TEST_PASSWORD}\n", encoding="utf-8")
    https_port, http_port = find_free_port(), find_free_port()
    site = NGINX_CONF.read_text(encoding="utf-8")
    replacements = {
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "/etc/ssl/certs/arbetsmarknad.pem": str(cert),
        "/etc/ssl/private/arbetsmarknad.key": str(key),
        "/etc/nginx/arbetsmarknad.htpasswd": str(root / "htpasswd"),
        APP_UPSTREAM: app_url,
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx.conf no longer has {old!r}"
        site = site.replace(old, new)
    (root / "site.conf").write_text(site, encoding="utf-8")
    temp_paths = "\n".join(
        f"    {name}_temp_path {root / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root the workers would run as nobody, who cannot enter pytest's private tmp folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = root / "nginx.conf"
    main.write_text(
        f"{user}pid {root / 'nginx.pid'};\nerror_log {root / 'error.log'};\n"
        f"events {{}}\nhttp {{\n    access_log off;\n{temp_paths}\n"
        f"    include {root / 'site.conf'};\n}}\n",
        encoding="utf-8",
    )
    return main, https_port, http_port


def check_config(nginx: str, main: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [nginx, "-t", "-p", str(main.parent), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@contextmanager
def serve_nginx(root: Path, app_url: str) -> Iterator[str]:
    """Run deploy/nginx.conf in front of the app at app_url; yield its HTTPS address."""
    nginx = require_nginx()
    main, https_port, _ = write_prefix(root, app_url)
    server = subprocess.Popen(
        [nginx, "-p", str(root), "-c", str(main), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not list_listening_sockets(https_port):
            if server.poll() is not None or time.monotonic() > deadline:
                errors = server.stderr.read() if server.stderr else ""
                raise RuntimeError(f"nginx did not start: {errors}")
            time.sleep(0.1)
        yield f"https://127.0.0.1:{https_port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
