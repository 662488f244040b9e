"""A real `streamlit run app.py` on a free loopback port: for benchmarks, load runs, e2e tests."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from labourmarket.core import paths

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")  # Debian's; never a download
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


START_ATTEMPTS = 3  # another process (a parallel test worker) may take the port first
START_TIMEOUT = 180  # seconds: a hang guard; a cold start on a busy 2-core machine is far less


class PortTakenError(RuntimeError):
    """Another process listens on the port picked for the server."""


def find_free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def list_listening_sockets(port: int) -> set[str]:
    """Socket inodes listening on 127.0.0.1:port (Linux /proc/net/tcp)."""
    local = f"0100007F:{port:04X}"
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return {row[9] for row in rows if row[1] == local and row[3] == "0A"}


def listens_on(pid: int, port: int) -> bool:
    """Whether process pid holds a socket listening on 127.0.0.1:port."""
    inodes = {f"socket:[{inode}]" for inode in list_listening_sockets(port)}
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if str(fd.readlink()) in inodes:
                return True
        except OSError:
            continue  # closed while looking
    return False


def wait_until_healthy(
    url: str, server: subprocess.Popen, port: int, timeout: float = START_TIMEOUT
) -> None:
    """Wait for our server's health answer (not another process's on the same port)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            if list_listening_sockets(port):
                raise PortTakenError(f"port {port} taken by another process")
            raise RuntimeError(f"streamlit exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
                if response.read() == b"ok":
                    if listens_on(server.pid, port):
                        return
                    raise PortTakenError(f"port {port} answered by another process")
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit at {url} not healthy after {timeout} s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@contextmanager
def serve_app(
    data_dir: Path, log: IO[str] | None = None, script: str = "app.py", **env: str
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Serve `script` from the repository on 127.0.0.1 (never another interface) with data_dir.

    The port is a free one; should another process take it before streamlit does, another
    port is tried.
    """
    for attempt in range(1, START_ATTEMPTS + 1):
        port = find_free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_streamlit(data_dir, port, log, script, env)
        try:
            wait_until_healthy(url, server, port)
        except PortTakenError:
            stop(server)
            if attempt == START_ATTEMPTS:
                raise
            continue
        except BaseException:
            stop(server)
            raise
        break
    try:
        yield url, server
    finally:
        stop(server)


def start_streamlit(
    data_dir: Path, port: int, log: IO[str] | None, script: str, env: dict[str, str]
) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=paths.REPO_DIR,
        env={**os.environ, paths.DATA_DIR_ENV: str(data_dir), **env},
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


def read_rss_mb(pid: int) -> float:
    """Resident memory of one process in MB, read from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
