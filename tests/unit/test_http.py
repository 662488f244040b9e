"""The shared HTTP session against a real local server: retries, back-off, clear failures."""

import pytest

from etl.http import USER_AGENT, HttpError, create_session, request_bytes
from tests.http_server import Reply, serve

FAST = {"total_retries": 3, "backoff_factor": 0.01}


@pytest.mark.parametrize(
    ("replies", "attempts"),
    [
        ([Reply(429, {"Retry-After": "1"}), Reply(200, body=b'{"ok": 1}')], 2),
        ([Reply(500), Reply(200, body=b'{"ok": 1}')], 2),
        ([Reply(502), Reply(503), Reply(200, body=b'{"ok": 1}')], 3),
    ],
    ids=["429-retry-after", "500", "502-then-503"],
)
def test_transient_errors_are_retried_until_success(replies, attempts):
    with serve({"/data": replies}) as server:
        fetched = request_bytes(create_session(**FAST), "GET", f"{server.url}/data")
    assert fetched.content == b'{"ok": 1}' and fetched.status == 200
    assert len(server.requests) == attempts


def test_retry_after_is_honoured():
    """Untimed: the retry policy waits as the server says, and the 429 is retried."""
    session = create_session(**FAST)
    retry = session.get_adapter("http://").max_retries
    assert retry.respect_retry_after_header and 429 in retry.status_forcelist
    with serve({"/data": [Reply(429, {"Retry-After": "1"}), Reply(200, body=b"{}")]}) as server:
        fetched = request_bytes(session, "GET", f"{server.url}/data")
    assert fetched.status == 200 and len(server.requests) == 2


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(503, body=b"Service Unavailable"), "HTTP 503: Service Unavailable"),
        (Reply(404, body=b"Table not found"), "HTTP 404: Table not found"),
        (Reply(200, body=b'{"values": [', content_length=400), "response body cut off"),
        (Reply(200, body=b"{}", delay=1.5), "timed out"),
    ],
    ids=["persistent-503", "404", "truncated", "timeout"],
)
def test_failures_name_the_url(reply, message):
    with serve({"/data": reply}) as server, pytest.raises(HttpError) as error:
        request_bytes(create_session(**FAST), "GET", f"{server.url}/data", timeout=(1.0, 0.5))
    assert message in str(error.value)
    assert f"GET {server.url}/data" in str(error.value)


def test_requests_carry_the_user_agent_and_post_body():
    with serve({"/data": Reply(200, body=b"{}")}) as server:
        request_bytes(create_session(), "POST", f"{server.url}/data", json_body={"q": 1})
    [seen] = server.requests
    assert seen.headers["User-Agent"] == USER_AGENT
    assert seen.body == b'{"q": 1}'


def test_persistent_server_error_is_tried_once_plus_retries():
    with serve({"/data": Reply(500)}) as server, pytest.raises(HttpError, match="HTTP 500"):
        request_bytes(create_session(**FAST), "GET", f"{server.url}/data")
    assert len(server.requests) == 1 + FAST["total_retries"]


def test_refused_connection_is_not_called_a_timeout():
    with serve({}) as server:
        closed_url = server.url
    with pytest.raises(HttpError) as error:
        request_bytes(create_session(**FAST), "GET", f"{closed_url}/data")
    assert "timed out" not in str(error.value)
    assert "ConnectionError" in str(error.value)
