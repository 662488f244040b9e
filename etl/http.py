"""One requests.Session for every source: timeouts, retries with back-off, errors naming the URL.

Three environment variables tune it without a code change (tests make a failing fetch fail fast):
ARBETSMARKNAD_HTTP_TIMEOUT (read seconds, or "connect,read"), ARBETSMARKNAD_HTTP_RETRIES (how
often a 429/5xx, a refused connection or a timeout is retried) and ARBETSMARKNAD_HTTP_BACKOFF
(the back-off factor in seconds; a server's Retry-After is honoured regardless).
"""

import os
from dataclasses import dataclass
from datetime import UTC, datetime
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
    adapter = HTTPAdapter(max_retries=retry)
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
