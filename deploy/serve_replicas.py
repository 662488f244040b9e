"""N Streamlit replicas on loopback ports behind deploy/nginx.conf, run from a temporary prefix.

`make serve-replicas N=4` (or `python -m deploy.serve_replicas --replicas 4`) starts
`streamlit run app.py` on 127.0.0.1:8501..8504 and nginx in front on https://127.0.0.1:8443
with a self-signed certificate and a login printed at start; Ctrl-C stops them all. Every
replica reads the same data tree; a build (`python -m etl build`) reaches them all without a
restart. `--print-upstream` only prints the upstream block for the system nginx.

The same functions run deploy/nginx.conf for the tests (tests/deploy_nginx.py) and for
`python -m bench.load --proxy`: only addresses and file paths change, every location, header
and filter is the file's own.
"""

import argparse
import base64
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.server import (
    find_free_port,
    list_listening_sockets,
    start_streamlit,
    stop,
    wait_until_healthy,
)
from labourmarket.core import paths

NGINX_CONF = paths.REPO_DIR / "deploy" / "nginx.conf"
REPLICA_COOKIE = "arbetsmarknad_replica"  # set by deploy/nginx.conf; the replica is its hash
FIRST_PORT = 8501
TRIAL_HTTPS_PORT = 8443
TRIAL_USER = "utredare"
START_TIMEOUT = 60  # seconds for nginx to listen: a hang guard
LOG_TIMEOUT = 10  # seconds for nginx to write an access line: a hang guard
PROBES = 64  # cookie values tried to find one per replica: a miss is 2**-64 likely for two
UPSTREAM_BLOCK = re.compile(
    r"(upstream arbetsmarknad \{\n(?:    (?!server ).*\n)*)((?:    server .*\n)+)"
)
# nginx's access log in a trial prefix: which replica served which request, for which cookie.
ACCESS_FORMAT = f"'$upstream_addr $cookie_{REPLICA_COOKIE} $status $request_uri'"


@dataclass(frozen=True)
class Login:
    """The basic-auth user nginx lets in."""

    username: str
    password: str


@dataclass(frozen=True)
class Prefix:
    """deploy/nginx.conf made runnable in a folder: its main config, ports and access log."""

    main: Path
    https_port: int
    http_port: int
    access_log: Path

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"


def find_nginx() -> str | None:
    """nginx on PATH, or Debian's /usr/sbin/nginx (not on a normal user's PATH)."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).exists()), None
    )


def write_upstream(addresses: Sequence[str]) -> str:
    """The upstream block of deploy/nginx.conf with one `server` line per "host:port"."""
    site = NGINX_CONF.read_text(encoding="utf-8")
    match = UPSTREAM_BLOCK.search(site)
    if match is None:
        raise LookupError(f"{NGINX_CONF} has no `upstream arbetsmarknad` block with servers")
    servers = "".join(f"    server {address};\n" for address in addresses)
    return f"{match.group(1)}{servers}}}\n"


def adapt_site(
    site: str,
    addresses: Sequence[str],
    https_port: int,
    http_port: int,
    files: dict[str, Path],
) -> str:
    """The site file with loopback listeners, these replicas, and this certificate and login."""
    replacements = {
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "/etc/ssl/certs/arbetsmarknad.pem": str(files["cert"]),
        "/etc/ssl/private/arbetsmarknad.key": str(files["key"]),
        "/etc/nginx/arbetsmarknad.htpasswd": str(files["htpasswd"]),
    }
    for old, new in replacements.items():
        if old not in site:
            raise LookupError(f"{NGINX_CONF} no longer has {old!r}")
        site = site.replace(old, new)
    servers = "".join(f"    server {address};\n" for address in addresses)
    site, count = UPSTREAM_BLOCK.subn(lambda match: f"{match.group(1)}{servers}", site)
    if count != 1:
        raise LookupError(f"{NGINX_CONF} has no `upstream arbetsmarknad` block with servers")
    return site


def make_certificate(root: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, valid for a day, made with openssl."""
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


def write_prefix(
    root: Path, addresses: Sequence[str], login: Login, https_port: int | None = None
) -> Prefix:
    """deploy/nginx.conf inside a minimal main config in root, in front of `addresses`."""
    cert, key = make_certificate(root)
    htpasswd = root / "htpasswd"
    htpasswd.write_text(f"{login.username}:{{PLAIN}}{login.password}\n", encoding="utf-8")
    https_port, http_port = https_port or find_free_port(), find_free_port()
    files = {"cert": cert, "key": key, "htpasswd": htpasswd}
    site = adapt_site(
        NGINX_CONF.read_text(encoding="utf-8"), addresses, https_port, http_port, files
    )
    (root / "site.conf").write_text(site, encoding="utf-8")
    temp_paths = "\n".join(
        f"    {name}_temp_path {root / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root the workers would run as nobody, who cannot enter a private temporary folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    access_log = root / "access.log"
    main = root / "nginx.conf"
    main.write_text(
        f"{user}pid {root / 'nginx.pid'};\nerror_log {root / 'error.log'};\n"
        f"events {{}}\nhttp {{\n    log_format replicas {ACCESS_FORMAT};\n"
        f"    access_log {access_log} replicas;\n{temp_paths}\n"
        f"    include {root / 'site.conf'};\n}}\n",
        encoding="utf-8",
    )
    return Prefix(main, https_port, http_port, access_log)


def check_config(nginx: str, main: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on a prefix's main config."""
    return subprocess.run(
        [nginx, "-t", "-p", str(main.parent), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@contextmanager
def serve_nginx(
    nginx: str, root: Path, addresses: Sequence[str], login: Login, https_port: int | None = None
) -> Iterator[Prefix]:
    """Run deploy/nginx.conf from root in front of the replicas at `addresses` ("host:port")."""
    prefix = write_prefix(root, addresses, login, https_port)
    server = subprocess.Popen(
        [nginx, "-p", str(root), "-c", str(prefix.main), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not list_listening_sockets(prefix.https_port):
            if server.poll() is not None or time.monotonic() > deadline:
                errors = server.stderr.read() if server.stderr else ""
                raise RuntimeError(f"nginx did not start: {errors}")
            time.sleep(0.1)
        yield prefix
    finally:
        server.terminate()
        server.wait(timeout=30)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: str


def fetch_through(url: str, login: Login, cookie: str | None = None) -> Answer:
    """GET through a trial nginx: its self-signed certificate, the login, a replica cookie."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    token = base64.b64encode(f"{login.username}:{login.password}".encode()).decode()
    headers = {"Authorization": f"Basic {token}"}
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


def find_replica_cookies(prefix: Prefix, login: Login, replicas: int) -> dict[str, str]:
    """A replica cookie value that nginx sends to each replica: {"127.0.0.1:port": value}.

    Asks nginx (a health check per value, read back from its access log) rather than
    computing its hash, which is nginx's own.
    """
    found: dict[str, str] = {}
    for index in range(PROBES):
        value = f"probe{index:02d}"
        seen = len(read_access_log(prefix))
        fetch_through(f"{prefix.url}/_stcore/health", login, cookie=value)
        found.setdefault(wait_for_access_line(prefix, seen)[0], value)
        if len(found) == replicas:
            return found
    raise LookupError(f"{PROBES} cookie values reached only {sorted(found)}")


@contextmanager
def serve_replicas(
    data_dir: Path, ports: Sequence[int], log_dir: Path, **env: str
) -> Iterator[list[subprocess.Popen]]:
    """`streamlit run app.py` on each of 127.0.0.1:ports, all reading data_dir; logs in log_dir."""
    with ExitStack() as stack:
        servers = []
        for port in ports:
            log = stack.enter_context((log_dir / f"replica-{port}.log").open("w"))
            server = start_streamlit(data_dir, port, log, "app.py", env)
            stack.callback(stop, server)
            servers.append(server)
        for port, server in zip(ports, servers, strict=True):
            wait_until_healthy(f"http://127.0.0.1:{port}", server, port)
        yield servers


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m deploy.serve_replicas", description=__doc__)
    parser.add_argument("--replicas", type=int, default=4, help="how many (1-16)")
    parser.add_argument("--first-port", type=int, default=FIRST_PORT, help="the first replica's")
    parser.add_argument("--https-port", type=int, default=TRIAL_HTTPS_PORT, help="nginx's")
    parser.add_argument("--data-dir", type=Path, help="the data tree (default: the repository's)")
    parser.add_argument(
        "--print-upstream",
        action="store_true",
        help="print the upstream block for these replicas and exit",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= 16:
        parser.error("--replicas must be 1-16")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    ports = [args.first_port + index for index in range(args.replicas)]
    addresses = [f"127.0.0.1:{port}" for port in ports]
    if args.print_upstream:
        print(write_upstream(addresses), end="")
        return 0
    nginx = find_nginx()
    if nginx is None:
        print("nginx is not installed (apt-get install nginx)", file=sys.stderr)
        return 1
    taken = [port for port in [*ports, args.https_port] if list_listening_sockets(port)]
    if taken:
        print(f"port(s) {taken} on 127.0.0.1 are already in use", file=sys.stderr)
        return 1
    data_dir = args.data_dir or paths.data_dir()
    login = Login(TRIAL_USER, secrets.token_urlsafe(12))
    with tempfile.TemporaryDirectory(prefix="serve-replicas-") as temp:
        root = Path(temp)
        with (
            serve_replicas(data_dir, ports, root),
            serve_nginx(nginx, root, addresses, login, args.https_port) as prefix,
        ):
            print(
                f"{args.replicas} replica(s) on {', '.join(addresses)}, reading {data_dir}\n"
                f"open {prefix.url}/ (self-signed certificate), login {login.username} / "
                f"{login.password}\nlogs and nginx's access log in {root}; Ctrl-C stops",
                flush=True,
            )
            try:
                signal.signal(signal.SIGTERM, stop_on_signal)  # `kill`: stop them all too
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return 0


def stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
