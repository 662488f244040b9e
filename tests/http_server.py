"""A real HTTP server on 127.0.0.1 for fetch tests: scripted routes in, recorded requests out.

Usage:

    routes = {"/data": [Reply(429, {"Retry-After": "1"}), Reply(200, body=b"{}")]}
    with serve(routes) as server:
        fetch(..., base_url=server.url)
    assert [r.path for r in server.requests] == ["/data", "/data"]

A route key is a request path with its exact query string ("/data?page=2") or without one
("/data", matching any query); the exact key wins. Its value is one Reply (served every time), a
list of Replies (served in order, per key; the last one repeats), or a callable taking the
Request and returning a Reply. An unknown path gets 404. Routes are looked up per request, so a
test may add routes after the server has started (e.g. bodies that contain server.url).
"""

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Reply:
    """What the server sends: status, headers, body, and an optional delay before the body."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    # Seconds slept before answering, so a short read timeout trips; cut short when the server
    # stops, so a long delay costs nothing once the client has given up.
    delay: float = 0.0
    content_length: int | None = None  # overrides the real length, e.g. to send a cut-off body


@dataclass(frozen=True)
class Request:
    """One request the server saw."""

    method: str
    path: str  # without the query string
    query: str
    body: bytes
    headers: Mapping[str, str]


Route = Reply | Sequence[Reply] | Callable[[Request], Reply]


@dataclass
class Server:
    """A running server: its base URL (no trailing slash) and the requests it has seen so far."""

    url: str
    requests: list[Request] = field(default_factory=list)

    def paths(self) -> list[str]:
        """Return the paths requested, in order (the usual thing a test asserts on)."""
        return [request.path for request in self.requests]


def pick_reply(route: Route, served: int, request: Request) -> Reply:
    """Choose the reply for the n-th request (0-based) to one route."""
    if isinstance(route, Reply):
        return route
    if callable(route):
        return route(request)
    return route[min(served, len(route) - 1)]


def create_handler(
    routes: Mapping[str, Route], server: Server, stopping: threading.Event | None = None
) -> type[BaseHTTPRequestHandler]:
    """Build a handler class that answers from routes and records into server.requests.

    A reply's delay ends early when `stopping` is set (the server is shutting down).
    """
    stopping = stopping or threading.Event()
    served: dict[str, int] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parts.query,
                body=self.rfile.read(length) if length else b"",
                headers=dict(self.headers.items()),
            )
            exact = f"{parts.path}?{parts.query}" if parts.query else parts.path
            key = exact if exact in routes else parts.path
            with lock:
                server.requests.append(request)
                count = served.get(key, 0)
                served[key] = count + 1
            route = routes.get(key)
            reply = (
                Reply(404, body=b"not found")
                if route is None
                else pick_reply(route, count, request)
            )
            if reply.delay:
                stopping.wait(reply.delay)
            # A client that gave up (a timeout test) closes the socket; nothing left to tell it.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.send_reply(reply)

        def send_reply(self, reply: Reply) -> None:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            declared = len(reply.body) if reply.content_length is None else reply.content_length
            self.send_header("Content-Length", str(declared))
            if reply.content_length is not None:
                self.send_header("Connection", "close")  # the client must not wait for more
                self.close_connection = True
            self.end_headers()
            self.wfile.write(reply.body)
            self.wfile.flush()

        do_GET = answer  # noqa: N815 (name fixed by http.server)
        do_POST = answer  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

    return Handler


@contextmanager
def serve(routes: Mapping[str, Route]) -> Iterator[Server]:
    """Run a threaded HTTP server on a free port of 127.0.0.1 for the duration of the block."""
    server = Server(url="")
    stopping = threading.Event()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), create_handler(routes, server, stopping))
    httpd.daemon_threads = True
    host, port = httpd.server_address[:2]
    server.url = f"http://{host}:{port}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()  # a short poll interval keeps shutdown (and so each test) quick
    try:
        yield server
    finally:
        stopping.set()  # a delayed reply's handler goes on at once; server_close joins it
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
