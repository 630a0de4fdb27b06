"""HTTP GET for the sources: ``requests`` with urllib3's ``Retry``, plus what ``Retry`` cannot do.

:func:`fetch` sends one GET through a :class:`requests.Session` whose ``HTTPAdapter`` carries a
:class:`urllib3.util.Retry`: connection errors, read timeouts and the statuses 429, 500, 502,
503 and 504 are retried (``retries`` in total, and at most that many of each kind) with
urllib3's exponential backoff (no wait before the first retry, ``backoff * 2**(n-1)`` seconds
before the n-th, at most 120 s), and a ``Retry-After`` header is honoured (when it asks for
longer than the backoff). Any other 4xx fails at once with :class:`HttpStatusError`; retries
used up, timeouts and unreachable hosts raise :class:`Unreachable` — one sentence (Swedish and
English) naming the host and what to do. :func:`fetch_json` also parses the body and turns
truncated or invalid JSON into a :class:`~evaluation.errors.DataError`. :class:`RateLimiter`
spaces calls for sources with a documented limit.

What urllib3's ``Retry`` cannot do, and this module does itself (``_Retry`` and :func:`fetch`):

a. **A long Retry-After ends the fetch at once.** ``Retry`` clips a ``Retry-After`` beyond its
   ``retry_after_max`` to that maximum and then sleeps that long in silence. Here a
   ``Retry-After`` beyond :data:`MAX_RETRY_AFTER` (300 s) raises :class:`Unreachable` at once
   with the time to try again; a ``Retry-After`` that is neither seconds nor an HTTP date is
   ignored (``Retry`` raises ``InvalidHeader``).
b. **Waits are announced.** ``Retry`` sleeps without a word; here every wait longer than
   :data:`NOTICE_AFTER` (2 s) — a retry's or the rate limiter's — is announced on stderr before
   it starts, saying what it waits for and how long ("Väntar 30 s på api.scb.se (HTTP 429,
   Retry-After) …"), whether or not stderr is a terminal. Progress lines (:func:`progress`)
   appear only when stderr is a terminal. The language is :func:`messages_in`'s (default sv).
c. **One sentence per failure.** ``requests`` raises ``ConnectTimeout``/``ConnectionError``
   wrapping urllib3's ``MaxRetryError``; they become one sentence naming the host: a host that
   cannot be reached, one that does not accept the connection within ``timeout``, and a server
   that hangs (no answer within ``timeout``) each say what to do.
d. **An injectable sleep.** ``Retry`` calls ``time.sleep`` itself; here every wait goes through
   the ``sleep`` given to :func:`fetch`, so a test proves the notice comes before the wait
   without waiting. The rate limiter is waited on before every attempt, urllib3's retries
   included.
e. **Failures while reading the body.** ``Retry`` stops once the headers have arrived; a body
   cut short of its ``Content-Length``, or a server that stalls in the middle of the body, is
   retried here within the same budget of ``retries``.

Nothing here writes to disk: the loader that calls :func:`fetch` saves every successful answer
with :func:`evaluation.data.store.save_raw`, which writes to a temporary file and renames it, so
a network failure never leaves a partial file.
"""

from __future__ import annotations

import email.utils
import json
import math
import socket
import sys
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from evaluation.errors import DataError, SourceUnavailable

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_RETRY_AFTER",
    "NOTICE_AFTER",
    "RETRY_STATUSES",
    "USER_AGENT",
    "HttpStatusError",
    "RateLimiter",
    "Response",
    "Unreachable",
    "build_url",
    "fetch",
    "fetch_json",
    "messages_in",
    "progress",
]

#: Largest answer accepted (bytes); a bigger one is an error, not a silent truncation.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: Longest wait honoured from a ``Retry-After`` header (seconds); a longer one ends the fetch at
#: once with a sentence saying when to try again.
MAX_RETRY_AFTER = 300.0
#: Waits longer than this (seconds) are announced on stderr before they start.
NOTICE_AFTER = 2.0
#: Statuses retried (with ``Retry-After`` honoured); any other 4xx/5xx fails at once.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: urllib3's longest backoff between two attempts (seconds).
BACKOFF_MAX = 120.0
USER_AGENT = f"evaluation (impact evaluation tool; python-requests {requests.__version__})"
_OFFLINE_HINT_SV = "försök igen senare eller använd --offline för att arbeta med sparade data"
_OFFLINE_HINT_EN = "try again later or use --offline to work with stored data"
_LANGUAGE: ContextVar[str] = ContextVar("evaluation_sources_language", default="sv")


# --------------------------------------------------------------------------- errors
class Unreachable(SourceUnavailable):
    """The source could not be reached or kept failing (exit code 1: nothing wrong with the
    input). ``status`` is the last HTTP status (``None`` for a network failure); ``reason``
    the short (sv, en) reason, e.g. ``("HTTP 503", "HTTP 503")``."""

    def __init__(self, sv: str, en: str, *, url: str, status: int | None = None,
                 reason: tuple[str, str] | None = None):
        super().__init__(sv, en)
        self.url = url
        self.status = status
        self.reason = reason or (sv, en)


class HttpStatusError(DataError):
    """The source refused the request (a 4xx other than 429): the request is wrong, and asking
    again gives the same answer. ``status`` is the HTTP status."""

    def __init__(self, sv: str, en: str, *, url: str, status: int):
        super().__init__(sv, en)
        self.url = url
        self.status = status
        self.reason = (f"HTTP {status}", f"HTTP {status}")


# --------------------------------------------------------------------------- messages
@contextmanager
def messages_in(language: str) -> Iterator[None]:
    """Write wait notices and progress lines in ``language`` ("sv" or "en") inside the block."""
    token = _LANGUAGE.set("en" if language == "en" else "sv")
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def _say(key: str, **kw: Any) -> str:
    from evaluation.report.text import t  # the text catalogue (imported when first needed)

    return t(key, _LANGUAGE.get(), **kw)


def _on_terminal() -> bool:
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):
        return False


def progress(key: str, **kw: Any) -> None:
    """Write the catalogue text ``key`` on stderr, only when stderr is a terminal."""
    if _on_terminal():
        print(_say(key, **kw), file=sys.stderr, flush=True)


def _announce(key: str, **kw: Any) -> None:
    """Write the catalogue text ``key`` on stderr, always (waits are never silent)."""
    print(_say(key, **kw), file=sys.stderr, flush=True)


def _seconds(value: float) -> str:
    """3 -> "3", 2.5 -> "2,5" (sv) / "2.5" (en), 30.4 -> "30"."""
    text = f"{value:.0f}" if value >= 10 or float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", ",") if _LANGUAGE.get() == "sv" else text


def _number(value: float, language: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if language == "sv" else text


# --------------------------------------------------------------------------- rate limiting
class RateLimiter:
    """Allow at most ``calls`` calls in any window of ``per_seconds`` seconds.

    Call :meth:`wait` before each request; it sleeps as long as needed and announces a wait
    longer than :data:`NOTICE_AFTER` on stderr first. Thread-safe. ``clock`` and ``sleep`` can
    be injected for tests.
    """

    def __init__(
        self,
        calls: int,
        per_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if calls < 1 or per_seconds <= 0:
            raise ValueError("RateLimiter needs calls >= 1 and per_seconds > 0")
        self.calls = int(calls)
        self.per_seconds = float(per_seconds)
        self._clock = clock
        self._sleep = sleep
        self._stamps: deque[float] = deque()
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until a call is allowed and record it; returns the time slept (seconds)."""
        slept = 0.0
        with self._lock:
            while True:
                now = self._clock()
                while self._stamps and now - self._stamps[0] >= self.per_seconds:
                    self._stamps.popleft()
                if len(self._stamps) < self.calls:
                    self._stamps.append(now)
                    return slept
                delay = self.per_seconds - (now - self._stamps[0])
                if delay > 0:
                    if delay > NOTICE_AFTER:
                        _announce("sources.wait_limit", seconds=_seconds(delay),
                                  calls=self.calls, window=_seconds(self.per_seconds))
                    self._sleep(delay)
                    slept += delay


# --------------------------------------------------------------------------- answers
@dataclass(frozen=True)
class Response:
    """One successful HTTP answer.

    ``data`` holds the parsed JSON when the answer came from :func:`fetch_json`.
    """

    status: int
    headers: dict[str, str]
    body: bytes
    url: str
    fetched_at: str
    data: Any = field(default=None, compare=False)

    def json(self) -> Any:
        """The body parsed as JSON; :class:`DataError` if it is truncated or invalid."""
        return _parse_json(self.body, self.url)


def build_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    """``url`` with ``params`` appended to its query string (lists become ``a,b``)."""
    if not params:
        return url
    pairs = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        pairs.append((str(key), str(value)))
    if not pairs:
        return url
    query = urllib.parse.urlencode(pairs, safe=",")
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date); ``None`` when
    absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# --------------------------------------------------------------------------- one fetch's state
@dataclass
class _Attempts:
    """What one :func:`fetch` has been through, shared by its ``Retry`` objects (urllib3 makes a
    new one at every retry) and the body-reading loop."""

    url: str
    host: str
    allowed: int
    timeout: float
    backoff: float
    sleep: Callable[[float], None]
    rate_limiter: RateLimiter | None
    failures: int = 0
    status: int | None = None
    error: BaseException | None = None

    def reason(self) -> tuple[str, str]:
        """The last failure in a few words (sv, en)."""
        if self.status is not None:
            return f"HTTP {self.status}", f"HTTP {self.status}"
        kind = _kind(self.error)
        t = _number(self.timeout, "sv"), _number(self.timeout, "en")
        return {
            "read_timeout": (f"timeout, inget svar inom {t[0]} s",
                             f"timeout, no answer within {t[1]} s"),
            "connect_timeout": (f"timeout, ingen anslutning inom {t[0]} s",
                                f"timeout, no connection within {t[1]} s"),
            "refused": ("ingen anslutning", "no connection"),
        }.get(kind, ("anslutningen bröts", "the connection broke"))

    def pause(self, seconds: float, *, retry_after: bool = False) -> None:
        """Wait before the next attempt (announced when longer than NOTICE_AFTER), then wait
        for the rate limiter."""
        if seconds > NOTICE_AFTER:
            sv, en = self.reason()
            why = (sv if _LANGUAGE.get() == "sv" else en) + (", Retry-After" if retry_after else "")
            _announce("sources.wait", seconds=_seconds(seconds), host=self.host, reason=why,
                      attempt=self.failures + 1, attempts=self.allowed)
        if seconds > 0:
            self.sleep(seconds)
        if self.rate_limiter is not None:
            self.rate_limiter.wait()


def _kind(error: BaseException | None) -> str:
    """"refused", "connect_timeout", "read_timeout" or "broken" for a failure of requests or
    urllib3 (the cause is looked for through the wrapping exceptions)."""
    seen = 0
    while error is not None and seen < 6:
        seen += 1
        if isinstance(error, NewConnectionError):  # refused, DNS: a ConnectTimeoutError subclass
            return "refused"
        if isinstance(error, (ConnectTimeoutError, requests.exceptions.ConnectTimeout)):
            return "connect_timeout"
        if isinstance(error, (ReadTimeoutError, requests.exceptions.ReadTimeout, TimeoutError,
                              socket.timeout)):
            return "read_timeout"
        if isinstance(error, MaxRetryError):
            error = error.reason
        elif error.args and isinstance(error.args[0], BaseException):
            error = error.args[0]
        else:
            error = error.__cause__ or error.__context__
    return "broken"


class _Retry(Retry):
    """urllib3's ``Retry`` whose waits go through :class:`_Attempts` (see the module docstring,
    a, b and d)."""

    attempts: _Attempts | None = None

    def new(self, **kw: Any) -> _Retry:
        retry = super().new(**kw)
        retry.attempts = self.attempts
        return retry

    def increment(self, method: str | None = None, url: str | None = None,
                  response: Any = None, error: Exception | None = None, _pool: Any = None,
                  _stacktrace: Any = None) -> _Retry:
        if self.attempts is not None:
            self.attempts.failures += 1
            self.attempts.status = getattr(response, "status", None) if error is None else None
            self.attempts.error = error
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: Any = None) -> None:
        if self.attempts is None:  # not one of fetch's: urllib3's own behaviour
            super().sleep(response)
            return
        asked = None
        if response is not None and self.respect_retry_after_header:
            asked = _retry_after(response.headers.get("Retry-After"))
            if asked is not None and asked > MAX_RETRY_AFTER:
                raise _pause_too_long(self.attempts.url, response.status, asked)
        backoff = self.get_backoff_time()
        self.attempts.pause(max(asked or 0.0, backoff),
                            retry_after=asked is not None and asked >= backoff)


def _session(retry: Retry) -> tuple[requests.Session, HTTPAdapter]:
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session, adapter


def _retry(attempts: _Attempts, left: int) -> _Retry:
    retry = _Retry(
        total=left, connect=left, read=left, status=left, other=0,
        backoff_factor=attempts.backoff, backoff_max=BACKOFF_MAX,
        status_forcelist=RETRY_STATUSES, allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True, raise_on_status=False,
    )
    retry.attempts = attempts
    return retry


# --------------------------------------------------------------------------- sentences
def _duration(seconds: float) -> tuple[str, str]:
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} minuter", f"{minutes} minutes"
    hours = math.ceil(seconds / 3600)
    return f"{hours} timmar", f"{hours} hours"


def _pause_too_long(url: str, status: int, asked: float) -> Unreachable:
    """The source asks for a longer pause than a run should wait: say when to try again."""
    sv, en = _duration(asked)
    when = ""
    if asked < 24 * 3600:
        when = (datetime.now().astimezone() + timedelta(seconds=asked)).strftime("%H:%M")
    at_sv, at_en = (f" (kl. {when})", f" (at {when})") if when else ("", "")
    host = urllib.parse.urlsplit(url).hostname or url
    return Unreachable(
        f"{host} ber om en paus på {sv} (HTTP {status}, Retry-After; {url}): försök igen om "
        f"{sv}{at_sv} eller använd --offline för att arbeta med sparade data.",
        f"{host} asks for a pause of {en} (HTTP {status}, Retry-After; {url}): try again in "
        f"{en}{at_en} or use --offline to work with stored data.",
        url=url, status=status, reason=(f"HTTP {status}, Retry-After {sv}",
                                        f"HTTP {status}, Retry-After {en}"),
    )


def _gave_up(attempts: _Attempts) -> Unreachable:
    """One sentence for a fetch whose retries are used up, naming the host and what to do."""
    url, host, n = attempts.url, attempts.host, attempts.failures
    t_sv, t_en = _number(attempts.timeout, "sv"), _number(attempts.timeout, "en")
    tries_sv = f"{n} försök"
    tries_en = f"{n} attempt{'s' if n != 1 else ''}"
    reason = attempts.reason()
    kind = None if attempts.status is not None else _kind(attempts.error)
    if kind == "read_timeout":
        sv = (f"{host} svarade inte inom {t_sv} s ({tries_sv}; {url}): servern är överbelastad "
              f"eller hänger – {_OFFLINE_HINT_SV}.")
        en = (f"{host} did not answer within {t_en} s (timeout, {tries_en}; {url}): the server "
              f"is overloaded or hanging – {_OFFLINE_HINT_EN}.")
    elif kind == "connect_timeout":
        sv = (f"Kunde inte ansluta till {host} inom {t_sv} s ({tries_sv}; {url}): kontrollera "
              f"nätverket (proxy, brandvägg, VPN) eller {_OFFLINE_HINT_SV}.")
        en = (f"Could not connect to {host} within {t_en} s (timeout, {tries_en}; {url}): check "
              f"the network (proxy, firewall, VPN) or {_OFFLINE_HINT_EN}.")
    elif kind == "refused":
        sv = (f"Kunde inte nå {host} ({tries_sv}; {url}): kontrollera nätverksanslutningen och "
              f"adressen, eller {_OFFLINE_HINT_SV}.")
        en = (f"Could not reach {host} ({tries_en}; {url}): check the network connection and "
              f"the address, or {_OFFLINE_HINT_EN}.")
    else:
        sv = (f"Kunde inte hämta {url} efter {tries_sv} (senast: {reason[0]}): "
              f"{_OFFLINE_HINT_SV}.")
        en = (f"Could not fetch {url} after {tries_en} (last: {reason[1]}): "
              f"{_OFFLINE_HINT_EN}.")
    return Unreachable(sv, en, url=url, status=attempts.status, reason=reason)


def _refused(url: str, status: int) -> Unreachable | HttpStatusError:
    if status >= 500:  # the server's fault, not the request's
        host = urllib.parse.urlsplit(url).hostname or url
        return Unreachable(
            f"{host} svarade HTTP {status} på {url}: {_OFFLINE_HINT_SV}.",
            f"{host} answered HTTP {status} to {url}: {_OFFLINE_HINT_EN}.",
            url=url, status=status, reason=(f"HTTP {status}", f"HTTP {status}"))
    return HttpStatusError(
        f"Servern svarade HTTP {status} på {url}: kontrollera frågan (id:n, år och parametrar) "
        "– ett nytt försök ger samma svar.",
        f"The server answered HTTP {status} to {url}: check the request (ids, years and "
        "parameters) – trying again gives the same answer.",
        url=url, status=status)



def _too_large(url: str, max_bytes: int) -> DataError:
    return DataError(
        f"Svaret från {url} är större än {max_bytes} byte: begränsa frågan (färre id:n eller "
        "år) och försök igen.",
        f"The answer from {url} is larger than {max_bytes} bytes: narrow the request (fewer "
        "ids or years) and try again.",
    )


# --------------------------------------------------------------------------- fetching
def _read_body(answer: requests.Response, url: str, max_bytes: int) -> bytes:
    announced = answer.headers.get("Content-Length", "").strip()
    if announced.isdigit() and int(announced) > max_bytes:
        raise _too_large(url, max_bytes)
    chunks, size = [], 0
    for chunk in answer.iter_content(1 << 16):
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(url, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    timeout: float = 30,
    retries: int = 4,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    max_bytes: int = DEFAULT_MAX_BYTES,
    headers: Mapping[str, str] | None = None,
    rate_limiter: RateLimiter | None = None,
) -> Response:
    """GET ``url`` (with ``params``) and return the answer; retry transient failures.

    Parameters
    ----------
    url
        The address; ``params`` are appended to its query string.
    timeout
        Seconds to wait for the connection, and for each read of the answer (a server that
        sends nothing for this long is "hanging").
    retries
        Extra attempts after the first on HTTP 429/500/502/503/504, timeouts, connection
        errors and answers cut short.
    backoff
        urllib3's backoff factor: no wait before the first retry, ``backoff * 2**(n-1)``
        seconds before the n-th (at most :data:`BACKOFF_MAX`). A ``Retry-After`` header is
        honoured when it asks for longer, up to :data:`MAX_RETRY_AFTER`.
    sleep
        Called with every wait in seconds (inject a recorder in tests). A wait longer than
        :data:`NOTICE_AFTER` is announced on stderr before it is called.
    max_bytes
        Largest body accepted.
    headers
        Extra request headers.
    rate_limiter
        Waited on before every attempt.

    Returns
    -------
    Response
        Status, headers, body, final URL and UTC fetch time of a 2xx answer.

    Raises
    ------
    HttpStatusError
        At once on a 4xx answer other than 429 (a :class:`DataError`: the request is wrong).
    Unreachable
        When the retries are used up, the host cannot be reached, the server hangs, or a
        ``Retry-After`` asks for more than :data:`MAX_RETRY_AFTER` (a
        :class:`~evaluation.errors.SourceUnavailable`).
    DataError
        When the answer is larger than ``max_bytes``.
    """
    full_url = build_url(url, params)
    request_headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    request_headers.update(headers or {})
    attempts = _Attempts(url=full_url, host=urllib.parse.urlsplit(full_url).hostname or full_url,
                         allowed=retries + 1, timeout=float(timeout), backoff=float(backoff),
                         sleep=sleep, rate_limiter=rate_limiter)
    session, adapter = _session(_retry(attempts, retries))
    if rate_limiter is not None:
        rate_limiter.wait()
    with session:
        while True:
            # urllib3 retries up to the headers; a failure while reading the body is retried
            # here, within the same budget (module docstring, e).
            adapter.max_retries = _retry(attempts, retries - attempts.failures)
            try:
                answer = session.get(full_url, headers=request_headers, stream=True,
                                     timeout=(timeout, timeout))
            except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                    requests.exceptions.InvalidSchema) as exc:
                raise DataError(
                    f"Adressen {full_url} är ogiltig ({exc}): rätta källans adress.",
                    f"The address {full_url} is invalid ({exc}): correct the source's address.",
                ) from exc
            except requests.exceptions.RequestException as exc:
                attempts.failures = max(attempts.failures, 1)
                attempts.status, attempts.error = None, exc
                raise _gave_up(attempts) from exc
            with answer:
                status = answer.status_code
                if status >= 400:
                    if status in RETRY_STATUSES:  # Retry used up its budget on these
                        asked = _retry_after(answer.headers.get("Retry-After"))
                        if asked is not None and asked > MAX_RETRY_AFTER:
                            raise _pause_too_long(full_url, status, asked)
                        raise _gave_up(attempts)
                    raise _refused(full_url, status)
                try:
                    body = _read_body(answer, full_url, max_bytes)
                except (requests.exceptions.ChunkedEncodingError,
                        requests.exceptions.ConnectionError,
                        requests.exceptions.ContentDecodingError) as exc:
                    attempts.failures += 1
                    attempts.status, attempts.error = None, exc
                    if attempts.failures > retries:
                        raise _gave_up(attempts) from exc
                    wait = 0.0 if attempts.failures <= 1 else min(
                        BACKOFF_MAX, backoff * 2 ** (attempts.failures - 1))
                    attempts.pause(wait)
                    continue
                return Response(
                    status=int(status),
                    headers=dict(answer.headers.items()),
                    body=body,
                    url=answer.url or full_url,
                    fetched_at=_now(),
                )


def _parse_json(body: bytes, url: str) -> Any:
    if not body.strip():
        raise DataError(
            f"Svaret från {url} var tomt (inget JSON-innehåll): {_OFFLINE_HINT_SV}.",
            f"The answer from {url} was empty (no JSON content): {_OFFLINE_HINT_EN}.",
        )
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(
            f"Svaret från {url} är inte giltig JSON (avbrutet eller trasigt, {exc}): "
            f"{_OFFLINE_HINT_SV}.",
            f"The answer from {url} is not valid JSON (truncated or broken, {exc}): "
            f"{_OFFLINE_HINT_EN}.",
        ) from exc


def fetch_json(url: str, **kwargs: Any) -> Response:
    """:func:`fetch` and parse the body as JSON into ``Response.data``.

    Takes the same keyword arguments as :func:`fetch`. Truncated, empty or invalid JSON raises
    :class:`DataError` at once (the server answered; retrying the same request rarely helps).
    """
    headers = dict(kwargs.pop("headers", None) or {})
    headers.setdefault("Accept", "application/json")
    response = fetch(url, headers=headers, **kwargs)
    data = _parse_json(response.body, response.url)
    return Response(
        status=response.status,
        headers=response.headers,
        body=response.body,
        url=response.url,
        fetched_at=response.fetched_at,
        data=data,
    )
