"""One requests.Session for every source: timeouts, retries with back-off, errors naming the URL."""

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


class HttpError(Exception):
    """A request that failed for good; the message names the method, URL and status or cause."""

    def __init__(self, method: str, url: str, detail: str, status: int | None = None) -> None:
        self.method, self.url, self.status, self.detail = method, url, status, detail
        shown = f"HTTP {status}" if status is not None else "no response"
        super().__init__(f"{method} {url}: {shown}: {detail}")


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


def create_session(
    total_retries: int = 4, backoff_factor: float = 1.0, user_agent: str = USER_AGENT
) -> requests.Session:
    """A session that retries 429/5xx with exponential back-off and honours Retry-After."""
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
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return f"response body cut off: {error}"
    return f"{type(error).__name__}: {error}"


def request_bytes(
    session: requests.Session,
    method: str,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    json_body: Any = None,
    timeout: tuple[float, float] = TIMEOUT,
) -> Fetched:
    """Send one request (retried by the session) and return its bytes, or raise HttpError."""
    try:
        response = session.request(method, url, params=params, json=json_body, timeout=timeout)
        content = response.content  # reading the body here turns a cut-off body into an error
    except requests.exceptions.RetryError as error:
        raise HttpError(method, url, f"gave up after retries: {error}") from error
    except requests.exceptions.RequestException as error:
        raise HttpError(method, url, describe_failure(error, timeout)) from error
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
