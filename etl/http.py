"""One requests.Session for every source: timeouts, retries with back-off, errors naming the URL.

Three environment variables tune it without a code change (tests make a failing fetch fail fast):
ARBETSMARKNAD_HTTP_TIMEOUT (read seconds, or "connect,read"), ARBETSMARKNAD_HTTP_RETRIES (how
often a 429/5xx, a refused connection or a timeout is retried) and ARBETSMARKNAD_HTTP_BACKOFF
(the back-off factor in seconds; a server's Retry-After is honoured regardless).

Inside `remember_validators(folder)` (what `python -m etl update` uses per source) every session
asks conditionally: a GET whose earlier 200 came with an `ETag` or `Last-Modified` is sent with
`If-None-Match` / `If-Modified-Since`, and a 304 Not Modified is answered from the body kept in
that folder, so an unchanged file is not downloaded again and callers still see its exact bytes.
"""

import hashlib
import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

USER_AGENT = "Arbetsmarknadslaget/0.1 (municipal labour-market dashboard; python-requests)"
TIMEOUT = (3.05, 30)  # (connect, read) seconds
RETRY_STATUSES = (429, 500, 502, 503, 504)
TOTAL_RETRIES = 4
BACKOFF_FACTOR = 1.0
TIMEOUT_ENV = "ARBETSMARKNAD_HTTP_TIMEOUT"
RETRIES_ENV = "ARBETSMARKNAD_HTTP_RETRIES"
BACKOFF_ENV = "ARBETSMARKNAD_HTTP_BACKOFF"


class HttpError(Exception):
    """A request that failed for good; the message names the method, URL and status or cause."""

    def __init__(self, method: str, url: str, detail: str, status: int | None = None) -> None:
        self.method, self.url, self.status, self.detail = method, url, status, detail
        shown = f"HTTP {status}" if status is not None else "no response"
        self.summary = f"{shown}: {detail}"  # what went wrong, without the request
        super().__init__(f"{method} {url}: {self.summary}")


@dataclass(frozen=True)
class Fetched:
    """Exact response bytes and what provenance needs to say about them."""

    method: str
    url: str
    status: int
    content: bytes
    content_type: str
    retrieved_at: datetime
    request_body: Any = None


class HttpSettingError(ValueError):
    """An HTTP setting from the environment that is not a number of the right kind."""


def read_number_setting(name: str, default: float, kind: type = float) -> float:
    """Read a non-negative number from the environment variable name, else default."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError as error:
        what = "a whole number" if kind is int else "a number"
        raise HttpSettingError(f"{name}={text!r}: not {what}") from error
    if value < 0:
        raise HttpSettingError(f"{name}={text!r}: must not be negative")
    return value


def read_timeout() -> tuple[float, float]:
    """The (connect, read) timeout: TIMEOUT unless ARBETSMARKNAD_HTTP_TIMEOUT says otherwise."""
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return TIMEOUT
    try:
        parts = [float(part) for part in text.split(",")]
    except ValueError as error:
        raise HttpSettingError(f"{TIMEOUT_ENV}={text!r}: not seconds") from error
    if len(parts) not in (1, 2) or min(parts) <= 0:
        raise HttpSettingError(f"{TIMEOUT_ENV}={text!r}: write read or connect,read seconds > 0")
    return (parts[0], parts[-1]) if len(parts) == 2 else (TIMEOUT[0], parts[0])


# --- conditional requests (ETag / Last-Modified) -------------------------------------------------

INDEX_FILE = "index.json"
MAX_KEPT_BODY = 32_000_000  # bigger answers are not kept (and so always downloaded whole)
REVALIDATED_HEADER = "X-Arbetsmarknad-Revalidated"  # set on a 200 rebuilt from a 304


@dataclass
class ValidatorCache:
    """ETag / Last-Modified and the exact body of each GET URL that sent one, kept in a folder.

    `index.json` maps a URL to its validators, content type and the sha256 of its body; the body
    is the file named by that sha256. Counts what this run downloaded and what a 304 spared.
    """

    directory: Path
    entries: dict[str, dict[str, str]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    downloaded: int = 0  # 200 answers to GETs, body sent
    not_modified: int = 0  # 304 answers, body taken from here

    @classmethod
    def load(cls, directory: Path) -> "ValidatorCache":
        """The folder's index; a missing or unreadable one is an empty cache (all downloaded)."""
        try:
            entries = json.loads((directory / INDEX_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entries = {}
        if not isinstance(entries, dict):
            entries = {}
        return cls(directory, {url: e for url, e in entries.items() if isinstance(e, dict)})

    def read_kept(self, url: str) -> tuple[dict[str, str], bytes] | None:
        """The entry and body kept for url, or None (also when the body is gone or altered)."""
        entry = self.entries.get(url)
        if not entry:
            return None
        try:
            body = (self.directory / entry["sha256"]).read_bytes()
        except (OSError, KeyError):
            return None
        if hashlib.sha256(body).hexdigest() != entry["sha256"]:
            return None
        return entry, body

    def remember(self, url: str, headers: Any, body: bytes) -> None:
        """Keep body and the validators the server sent with it."""
        validators = {
            "etag": headers.get("ETag", ""),
            "last_modified": headers.get("Last-Modified", ""),
        }
        digest = hashlib.sha256(body).hexdigest()
        write_atomic(self.directory / digest, body)
        self.entries[url] = {
            **{name: value for name, value in validators.items() if value},
            "content_type": headers.get("Content-Type", ""),
            "sha256": digest,
        }
        self.used.add(url)

    def forget_unused(self) -> None:
        """Drop entries this run did not ask for (after a complete run: the URLs it needs now)."""
        self.entries = {url: e for url, e in self.entries.items() if url in self.used}

    def save(self) -> None:
        """Write the index, then delete bodies no entry names."""
        if not self.entries and not self.directory.exists():
            return  # the server sent no validators: nothing to remember
        text = json.dumps(self.entries, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        write_atomic(self.directory / INDEX_FILE, text.encode("utf-8"))
        kept = {entry.get("sha256") for entry in self.entries.values()}
        for path in self.directory.iterdir():
            if path.name != INDEX_FILE and path.name not in kept:
                path.unlink(missing_ok=True)


def write_atomic(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_bytes(content)
    os.replace(temp, path)


def ask_conditionally(entry: dict[str, str]) -> dict[str, str]:
    headers = {}
    if entry.get("etag"):
        headers["If-None-Match"] = entry["etag"]
    if entry.get("last_modified"):
        headers["If-Modified-Since"] = entry["last_modified"]
    return headers


def is_small_enough(response: requests.Response, stream: bool) -> bool:
    """Whether reading the body now is safe: a streamed one only with a plain, small length.

    A caller that streams caps the body as it reads; here it is read before the caller sees it,
    so only a declared, uncompressed length within MAX_KEPT_BODY is read.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_KEPT_BODY:
        return False
    if not stream:
        return True  # requests reads the whole body right after send() anyway
    return declared.isdigit() and response.headers.get("Content-Encoding", "identity") == "identity"


class ConditionalAdapter(HTTPAdapter):
    """An HTTPAdapter that revalidates GETs against a ValidatorCache (retries as usual)."""

    def __init__(self, cache: ValidatorCache, **kwargs: Any) -> None:
        self.cache = cache
        super().__init__(**kwargs)

    def send(
        self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any
    ) -> requests.Response:
        url = request.url or ""
        kept = self.cache.read_kept(url) if request.method == "GET" else None
        if kept:
            request.headers.update(ask_conditionally(kept[0]))
        response = super().send(request, stream=stream, **kwargs)
        if request.method != "GET":
            return response
        if kept and response.status_code == 304:
            response.close()
            self.cache.not_modified += 1
            self.cache.used.add(url)
            return self.replay(request, *kept)
        if response.status_code != 200:
            return response
        self.cache.downloaded += 1
        has_validator = "ETag" in response.headers or "Last-Modified" in response.headers
        if has_validator and is_small_enough(response, stream):
            self.cache.remember(url, response.headers, response.content)
        return response

    def replay(
        self, request: requests.PreparedRequest, entry: dict[str, str], body: bytes
    ) -> requests.Response:
        """A 200 with the kept body, as if the server had sent it again."""
        headers = {
            "Content-Type": entry.get("content_type", ""),
            "Content-Length": str(len(body)),
            REVALIDATED_HEADER: "304",
        }
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(body),
            headers=headers,
            status=200,
            reason="OK",
            preload_content=False,
            decode_content=False,
            request_url=request.url,
        )
        return self.build_response(request, raw)


# The cache sessions made now should revalidate against; set by remember_validators.
ACTIVE_CACHE: ContextVar[ValidatorCache | None] = ContextVar("validator_cache", default=None)


@contextmanager
def remember_validators(directory: Path) -> Iterator[ValidatorCache]:
    """Make every session created inside the block revalidate GETs against directory's cache.

    The index is saved on the way out, also after an error: a body that arrived is kept with its
    validators even if the fetch it belonged to failed later.
    """
    cache = ValidatorCache.load(directory)
    token = ACTIVE_CACHE.set(cache)
    try:
        yield cache
    finally:
        ACTIVE_CACHE.reset(token)
        cache.save()


def create_session(
    total_retries: int | None = None,
    backoff_factor: float | None = None,
    user_agent: str = USER_AGENT,
) -> requests.Session:
    """A session that retries 429/5xx with exponential back-off and honours Retry-After.

    Unset arguments come from ARBETSMARKNAD_HTTP_RETRIES / _BACKOFF, else the defaults above.
    """
    if total_retries is None:
        total_retries = int(read_number_setting(RETRIES_ENV, TOTAL_RETRIES, int))
    if backoff_factor is None:
        backoff_factor = read_number_setting(BACKOFF_ENV, BACKOFF_FACTOR)
    retry = Retry(
        total=total_retries,
        connect=total_retries,
        read=total_retries,
        status=total_retries,
        backoff_factor=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "POST"}),  # our POSTs are read-only queries
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    cache = ACTIVE_CACHE.get()
    adapter = (
        ConditionalAdapter(cache, max_retries=retry) if cache else HTTPAdapter(max_retries=retry)
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
    return session


def is_timeout(error: requests.exceptions.RequestException) -> bool:
    """True for a timeout, also when retries wrapped it in a ConnectionError(MaxRetryError)."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    # urllib3 2.x derives NewConnectionError (refused, unknown host) from ConnectTimeoutError.
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return False
    if isinstance(error, requests.exceptions.ConnectTimeout | requests.exceptions.ReadTimeout):
        return True
    return isinstance(reason, TimeoutError | urllib3.exceptions.TimeoutError)


def describe_failure(error: requests.exceptions.RequestException, timeout: tuple) -> str:
    if is_timeout(error):
        return f"timed out ({timeout[0]} s connect, {timeout[1]} s read), retries spent"
    reason = getattr(error.args[0], "reason", None) if error.args else None
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        # urllib3's own text repeats the whole URL and a connection object's repr.
        cause = reason.__context__ or reason
        return f"ConnectionError: could not connect ({cause}), retries spent"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        # requests wraps urllib3's ProtocolError("Connection broken: IncompleteRead(...)", ...).
        inner = error.args[0] if error.args else error
        cause = inner.args[0] if isinstance(inner, Exception) and inner.args else inner
        return f"response body cut off ({cause})"
    return f"{type(error).__name__}: {error}"


def request_bytes(
    session: requests.Session,
    method: str,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    json_body: Any = None,
    timeout: tuple[float, float] | None = None,
) -> Fetched:
    """Send one request (retried by the session) and return its bytes, or raise HttpError.

    timeout None means read_timeout(): TIMEOUT or what the environment says.
    """
    timeout = timeout or read_timeout()
    # The URL as sent, query included, for messages about a request that got no answer.
    full_url = requests.Request(method, url, params=params).prepare().url or url
    try:
        response = session.request(method, url, params=params, json=json_body, timeout=timeout)
        content = response.content  # reading the body here turns a cut-off body into an error
    except requests.exceptions.RetryError as error:
        raise HttpError(method, full_url, f"gave up after retries: {error}") from error
    except requests.exceptions.RequestException as error:
        raise HttpError(method, full_url, describe_failure(error, timeout)) from error
    if response.status_code != 200:
        snippet = response.text[:200].replace("\n", " ")
        raise HttpError(method, response.url, snippet or response.reason, response.status_code)
    return Fetched(
        method=method,
        url=response.url,
        status=response.status_code,
        content=content,
        content_type=response.headers.get("Content-Type", ""),
        retrieved_at=datetime.now(UTC).replace(microsecond=0),
        request_body=json_body,
    )
