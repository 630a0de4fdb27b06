"""The HTTP fetch layer against a real local server on 127.0.0.1 (tests/sources/_server.py).

Reference for the retry rules: RFC 9110 §15.5.20/§10.2.3 (429 and Retry-After in seconds or as
an HTTP date), the issue's requirement "retries with backoff on 429/5xx, timeouts" (issue 5,
section 2) and issue 14 (requests + urllib3's Retry; a Retry-After beyond 300 s ends at once;
waits over 2 s announced before they start; a hanging server is one sentence within the
timeout). Backoff is urllib3's: no wait before the first retry, ``backoff * 2**(n-1)`` before
the n-th. Every exhausted retry ends in one clear sentence naming the host or URL
(:class:`~evaluation.sources.http.Unreachable`, a ``SourceUnavailable``: exit code 1).
"""

from __future__ import annotations

import email.utils
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from evaluation.errors import DataError, SourceUnavailable
from evaluation.sources import http
from evaluation.sources.http import RateLimiter, build_url, fetch, fetch_json
from ._server import LocalServer, Reply


class Sleeps(list):
    """Injected sleep: records waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_ok_answer_returns_status_headers_body_and_sends_params():
    with LocalServer({"/a": [Reply.json({"x": 1}, headers={"X-Test": "yes"})]}) as server:
        response = fetch_json(server.url("/a"), params={"kpi": ["N1", "N2"], "page": 1})
        recorded = server.requests[0]
    assert response.status == 200
    assert response.data == {"x": 1}
    assert response.body == b'{"x": 1}'
    assert response.headers["X-Test"] == "yes"
    assert response.url.endswith("/a?kpi=N1,N2&page=1")
    assert recorded.query == {"kpi": ["N1,N2"], "page": ["1"]}
    assert recorded.headers["Accept"] == "application/json"
    assert "evaluation" in recorded.headers["User-Agent"]
    datetime.fromisoformat(response.fetched_at)  # parseable UTC time stamp


def test_429_then_200_is_retried_and_retry_after_is_honoured():
    sleeps = Sleeps()
    replies = [Reply(429, {"Retry-After": "3"}, b"slow down"), Reply.json({"ok": True})]
    with LocalServer({"/a": replies}) as server:
        response = fetch_json(server.url("/a"), backoff=0.01, sleep=sleeps)
        hits = server.hits("/a")
    assert response.data == {"ok": True}
    assert hits == 2
    assert sleeps == [3.0]  # Retry-After (3 s) beats the 0.01 s backoff


def test_5xx_exhausts_retries_with_exponential_backoff_and_clear_error():
    sleeps = Sleeps()
    with LocalServer({"/a": [Reply(500, body=b"boom")]}) as server:
        with pytest.raises(SourceUnavailable) as info:
            fetch(server.url("/a"), retries=3, backoff=0.5, sleep=sleeps)
        hits = server.hits("/a")
    assert hits == 4
    assert sleeps == [1.0, 2.0]  # urllib3: none before the 1st retry, then 0.5 * 2, 0.5 * 4
    assert info.value.status == 500 and "efter 4 försök" in str(info.value)
    error = info.value
    assert server.url("/a") in str(error) and "--offline" in str(error)
    assert "HTTP 500" in error.text("en") and "try again later" in error.text("en")


def test_503_then_recovers():
    sleeps = Sleeps()
    with LocalServer({"/a": [Reply(503), Reply(502), Reply(200, body=b"fine")]}) as server:
        response = fetch(server.url("/a"), backoff=0.001, sleep=sleeps)
    assert response.body == b"fine"
    assert sleeps == [0.002]  # the first retry comes at once, the second after 0.001 * 2


def test_4xx_fails_at_once_without_retry():
    sleeps = Sleeps()
    with LocalServer({"/a": [Reply(400, body=b"bad request")]}) as server:
        with pytest.raises(DataError) as info:
            fetch(server.url("/a"), backoff=0.001, sleep=sleeps)
        hits = server.hits("/a")
    assert hits == 1 and sleeps == []
    assert "HTTP 400" in str(info.value)


def test_timeout_is_retried_then_fails_with_clear_error():
    sleeps = Sleeps()
    with LocalServer({"/a": [Reply(200, body=b"late", delay=0.6)]}) as server:
        with pytest.raises(SourceUnavailable) as info:
            fetch(server.url("/a"), timeout=0.15, retries=1, backoff=0.001, sleep=sleeps)
        hits = server.hits("/a")
    assert hits == 2
    assert "timeout" in info.value.text("en")


def test_timeout_then_fast_answer_succeeds():
    replies = [Reply(200, body=b"late", delay=0.6), Reply(200, body=b"fast")]
    with LocalServer({"/a": replies}) as server:
        response = fetch(server.url("/a"), timeout=0.15, backoff=0.001, sleep=Sleeps())
    assert response.body == b"fast"


def test_connection_cut_short_of_content_length_is_retried():
    body = b'{"values": [1, 2, 3]}'
    replies = [Reply(200, body=body, truncate_to=5), Reply(200, body=body)]
    with LocalServer({"/a": replies}) as server:
        response = fetch_json(server.url("/a"), backoff=0.001, sleep=Sleeps())
        hits = server.hits("/a")
    assert response.data == {"values": [1, 2, 3]}
    assert hits == 2


def test_connection_refused_exhausts_retries():
    server = LocalServer({})
    server.start()
    url = server.url("/a")
    server.stop()  # nothing listens on the port any more
    sleeps = Sleeps()
    with pytest.raises(SourceUnavailable) as info:
        fetch(url, retries=2, backoff=0.001, sleep=sleeps)
    assert sleeps == [0.002] and url in str(info.value)
    assert str(info.value).startswith("Kunde inte nå 127.0.0.1 (3 försök")


@pytest.mark.parametrize(
    "body, words",
    [
        (b'{"count": 3, "values": [{"kpi": "N0', "not valid JSON"),  # truncated document
        (b"<html>Service unavailable</html>", "not valid JSON"),
        (b"", "empty"),
    ],
)
def test_truncated_invalid_or_empty_json_is_a_clear_error(body, words):
    with LocalServer({"/a": [Reply(200, {"Content-Type": "application/json"}, body)]}) as server:
        with pytest.raises(DataError) as info:
            fetch_json(server.url("/a"), sleep=Sleeps())
        hits = server.hits("/a")
    assert hits == 1
    assert words in info.value.text("en") and server.url("/a") in str(info.value)


def test_answer_larger_than_max_bytes_is_refused():
    with LocalServer({"/a": [Reply(200, body=b"x" * 100)]}) as server:
        with pytest.raises(DataError) as info:
            fetch(server.url("/a"), max_bytes=10)
    assert "larger than 10 bytes" in info.value.text("en")


def test_retry_after_as_http_date_and_cap():
    later = datetime.now(UTC) + timedelta(seconds=120)
    header = email.utils.format_datetime(later, usegmt=True)
    assert 110 <= http._retry_after(header) <= 121
    assert http._retry_after("7") == 7.0
    assert http._retry_after("garbage") is None
    # beyond the cap (an hour, as a real server once asked): no silent wait, one sentence with
    # the time to try again, at once
    sleeps = Sleeps()
    with LocalServer({"/a": [Reply(429, {"Retry-After": "3600"}), Reply(200)]}) as server:
        with pytest.raises(SourceUnavailable,
                           match="ber om en paus på 60 minuter .* försök igen om 60"):
            fetch(server.url("/a"), backoff=0.001, sleep=sleeps)
    assert sleeps == []
    # within the cap: honoured, and announced first (a wait longer than 2 s is never silent)
    with LocalServer({"/a": [Reply(429, {"Retry-After": "30"}), Reply(200)]}) as server:
        fetch(server.url("/a"), backoff=0.001, sleep=sleeps)
    assert sleeps == [30.0]


def test_a_wait_longer_than_two_seconds_is_announced_before_it_starts(capsys):
    events = []

    def sleep(seconds):
        events.append(("sleep", seconds, capsys.readouterr().err))

    with LocalServer({"/a": [Reply(503, {"Retry-After": "5"}), Reply(200)]}) as server:
        fetch(server.url("/a"), backoff=0.001, sleep=sleep)
    (kind, seconds, said), = events
    assert seconds == 5.0 and "Väntar 5 s" in said and "HTTP 503" in said


def test_rate_limiter_spaces_calls_in_a_sliding_window():
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(3, 1.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        assert limiter.wait() == 0.0
    now[0] += 0.25
    assert limiter.wait() == pytest.approx(0.75)  # 4th call waits for the window to pass
    assert sleeps == [pytest.approx(0.75)]
    with pytest.raises(ValueError):
        RateLimiter(0, 1.0)


def test_rate_limiter_is_used_by_fetch():
    calls = []

    class Counting(RateLimiter):
        def wait(self) -> float:
            calls.append(1)
            return 0.0

    with LocalServer({"/a": [Reply(503), Reply(200)]}) as server:
        fetch(server.url("/a"), backoff=0.001, sleep=Sleeps(), rate_limiter=Counting(1, 1))
    assert len(calls) == 2  # every attempt, including the retry, waits on the limiter


def test_build_url():
    assert build_url("http://h/p", None) == "http://h/p"
    assert build_url("http://h/p?a=1", {"b": 2, "c": None}) == "http://h/p?a=1&b=2"
    assert build_url("http://h/p", {"q": "å ä"}) == "http://h/p?q=%C3%A5+%C3%A4"


# --------------------------------------------------------------------------- issue 14
def one_sentence(text: str) -> bool:
    """No line break and no second sentence (a full stop followed by a capital)."""
    return "\n" not in text and text.endswith(".") and len(
        re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])", text)) == 1


def test_429_with_retry_after_3_is_announced_before_the_wait_then_retried(capsys):
    """The injected sleep reads stderr when it is called: the notice is already there (stderr
    is not a terminal under capsys — waits are announced anyway), and nothing really sleeps."""
    events = []

    def sleep(seconds):
        events.append((seconds, capsys.readouterr().err))

    replies = [Reply(429, {"Retry-After": "3"}), Reply.json({"ok": True})]
    started = time.monotonic()
    with LocalServer({"/a": replies}) as server:
        response = fetch_json(server.url("/a"), backoff=0.001, sleep=sleep)
        hits = server.hits("/a")
    assert time.monotonic() - started < 2
    assert response.data == {"ok": True} and hits == 2
    assert events == [(3.0, "Väntar 3 s på 127.0.0.1 (HTTP 429, Retry-After), försök 2 av 5 …\n")]
    with LocalServer({"/a": replies}) as server, http.messages_in("en"):
        fetch_json(server.url("/a"), backoff=0.001, sleep=sleep)
    assert events[-1] == (3.0, "Waiting 3 s for 127.0.0.1 (HTTP 429, Retry-After), attempt 2 "
                               "of 5 …\n")


@pytest.mark.parametrize("retries", [4, 0])
def test_retry_after_of_an_hour_is_one_sentence_at_once_without_waiting(retries, capsys):
    sleeps = Sleeps()
    started = time.monotonic()
    with LocalServer({"/a": [Reply(429, {"Retry-After": "3600"}), Reply(200)]}) as server:
        with pytest.raises(SourceUnavailable) as info:
            fetch(server.url("/a"), retries=retries, sleep=sleeps)
        hits = server.hits("/a")
    assert sleeps == [] and hits == 1 and time.monotonic() - started < 2
    assert capsys.readouterr().err == ""  # no wait, so nothing announced
    error = info.value
    assert error.exit_code == 1 and error.status == 429
    assert one_sentence(error.text("sv")) and one_sentence(error.text("en"))
    assert error.text("sv").startswith("127.0.0.1 ber om en paus på 60 minuter")
    assert re.search(r"försök igen om 60 minuter \(kl\. \d\d:\d\d\)", error.text("sv"))
    assert re.search(r"try again in 60 minutes \(at \d\d:\d\d\)", error.text("en"))


def test_503_twice_then_200_succeeds():
    sleeps = Sleeps()
    with LocalServer({"/a": [Reply(503), Reply(503), Reply.json({"ok": 1})]}) as server:
        response = fetch_json(server.url("/a"), backoff=0.001, sleep=sleeps)
        hits = server.hits("/a")
    assert response.data == {"ok": 1} and hits == 3
    assert sleeps == [0.002]


def test_a_retry_after_that_is_no_time_is_ignored():
    """urllib3's Retry raises InvalidHeader on it; the backoff applies instead."""
    sleeps = Sleeps()
    with LocalServer({"/a": [Reply(503, {"Retry-After": "soon"}), Reply(200, body=b"ok")]}) as s:
        assert fetch(s.url("/a"), backoff=0.001, sleep=sleeps).body == b"ok"
    assert sleeps == []


def test_a_hanging_server_is_one_sentence_within_the_timeout():
    with LocalServer({"/a": [Reply(200, body=b"never", delay=5)]}) as server:
        started = time.monotonic()
        with pytest.raises(SourceUnavailable) as info:
            fetch(server.url("/a"), timeout=0.5, retries=0)
        elapsed = time.monotonic() - started
    assert 0.45 <= elapsed < 1.2
    error = info.value
    assert one_sentence(error.text("sv")) and one_sentence(error.text("en"))
    assert error.text("sv").startswith("127.0.0.1 svarade inte inom 0,5 s (1 försök; http://")
    assert "försök igen senare eller använd --offline" in error.text("sv")
    assert error.text("en").startswith("127.0.0.1 did not answer within 0.5 s (timeout, 1 "
                                       "attempt; ")


def test_connection_timeout_sentence_names_the_host_and_what_to_do():
    cause = MaxRetryError(None, "/x", ConnectTimeoutError("connect timed out"))
    attempts = http._Attempts(url="https://api.scb.se/x", host="api.scb.se", allowed=5,
                              timeout=30, backoff=1, sleep=Sleeps(), rate_limiter=None,
                              failures=5, error=requests.exceptions.ConnectTimeout(cause))
    error = http._gave_up(attempts)
    assert error.text("sv") == (
        "Kunde inte ansluta till api.scb.se inom 30 s (5 försök; https://api.scb.se/x): "
        "kontrollera nätverket (proxy, brandvägg, VPN) eller försök igen senare eller använd "
        "--offline för att arbeta med sparade data.")
    assert one_sentence(error.text("en")) and "api.scb.se within 30 s" in error.text("en")


def test_rate_limiter_wait_over_two_seconds_is_announced_first(capsys):
    now = [0.0]
    said = []

    def sleep(seconds):
        said.append((seconds, capsys.readouterr().err))
        now[0] += seconds

    limiter = RateLimiter(1, 5.0, clock=lambda: now[0], sleep=sleep)
    limiter.wait()
    now[0] += 1.0
    limiter.wait()
    assert said == [(4.0, "Väntar 4 s: källan tillåter högst 1 anrop per 5 s …\n")]


def test_progress_lines_only_on_a_terminal(capsys, monkeypatch):
    http.progress("sources.fetching", n=3, total=7, what="x (Kolada N03702)")
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(http, "_on_terminal", lambda: True)
    http.progress("sources.fetching", n=3, total=7, what="x (Kolada N03702)")
    assert capsys.readouterr().err == "Hämtar 3/7: x (Kolada N03702) …\n"
