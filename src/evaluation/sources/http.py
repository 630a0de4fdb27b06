"""A small, robust HTTP GET layer on the standard library (``urllib``).

:func:`fetch` retries with exponential backoff on HTTP 429 (honouring ``Retry-After``), on 5xx
and on timeouts and connection errors; any other 4xx fails at once. When the retries are used up
it raises :class:`~evaluation.errors.DataError` with one sentence (Swedish and English) naming the
URL and what to do. :func:`fetch_json` also parses the body and turns truncated or invalid JSON
into a ``DataError``. :class:`RateLimiter` spaces calls for loaders with a documented limit.

Nothing here writes to disk: the loader that calls :func:`fetch` saves every successful answer
with :func:`evaluation.data.store.save_raw`.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import math
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from evaluation.errors import DataError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_RETRY_AFTER",
    "USER_AGENT",
    "RateLimiter",
    "Response",
    "build_url",
    "fetch",
    "fetch_json",
]

#: Largest answer accepted (bytes); a bigger one is an error, not a silent truncation.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: Longest wait honoured from a ``Retry-After`` header (seconds); a longer one ends the fetch at
#: once with a sentence saying when to try again.
MAX_RETRY_AFTER = 300.0
#: Waits longer than this (seconds) are announced on stderr before they start.
NOTICE_AFTER = 2.0
USER_AGENT = "evaluation (impact evaluation tool; python urllib)"
_OFFLINE_HINT_SV = "försök igen senare eller använd --offline för att arbeta med sparade data"
_OFFLINE_HINT_EN = "try again later or use --offline to work with stored data"


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


class RateLimiter:
    """Allow at most ``calls`` calls in any window of ``per_seconds`` seconds.

    Call :meth:`wait` before each request; it sleeps as long as needed. Thread-safe.
    ``clock`` and ``sleep`` can be injected for tests.
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
                    self._sleep(delay)
                    slept += delay


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
    return datetime.now(UTC).isoformat(timespec="seconds")


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _read(handle: Any, max_bytes: int, url: str) -> bytes:
    body = handle.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise DataError(
            f"Svaret från {url} är större än {max_bytes} byte: begränsa frågan (färre id:n eller "
            "år) och försök igen.",
            f"The answer from {url} is larger than {max_bytes} bytes: narrow the request (fewer "
            "ids or years) and try again.",
        )
    expected = handle.headers.get("Content-Length") if handle.headers else None
    if expected is not None and expected.strip().isdigit() and len(body) < int(expected):
        # The connection closed before the announced length: a transient failure, retried.
        raise http.client.IncompleteRead(body, int(expected) - len(body))
    return body


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
        Seconds to wait for the connection and for each read.
    retries
        Extra attempts after the first on HTTP 429, 5xx, timeouts and connection errors.
    backoff
        First wait in seconds; it doubles on each retry (``backoff * 2**attempt``). A
        ``Retry-After`` header on a 429 or 503 answer is honoured when it asks for longer
        (capped at :data:`MAX_RETRY_AFTER`).
    sleep
        Called with the wait in seconds (inject a recorder in tests).
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
    DataError
        At once on a 4xx answer other than 429; after the last retry otherwise.
    """
    full_url = build_url(url, params)
    request_headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    request_headers.update(headers or {})
    last = ""
    for attempt in range(retries + 1):
        if rate_limiter is not None:
            rate_limiter.wait()
        wait = backoff * (2**attempt)
        request = urllib.request.Request(full_url, headers=request_headers, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as handle:
                body = _read(handle, max_bytes, full_url)
                return Response(
                    status=int(handle.status),
                    headers={k: v for k, v in handle.headers.items()},
                    body=body,
                    url=handle.geturl() or full_url,
                    fetched_at=_now(),
                )
        except urllib.error.HTTPError as exc:
            status = exc.code
            try:
                exc.read()
            except (OSError, http.client.HTTPException):
                pass
            finally:
                exc.close()
            if status == 429 or status >= 500:
                last = f"HTTP {status}"
                asked = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                if asked is not None and asked > MAX_RETRY_AFTER:
                    # the source asks for a longer pause than a run should wait silently: say
                    # when to try again, at once
                    minutes = math.ceil(asked / 60)
                    raise DataError(
                        f"{full_url} ber om en paus på {minutes} minuter (HTTP {status}, "
                        f"Retry-After): försök igen om {minutes} minuter eller använd --offline "
                        "för att arbeta med sparade data.",
                        f"{full_url} asks for a pause of {minutes} minutes (HTTP {status}, "
                        f"Retry-After): try again in {minutes} minutes or use --offline to work "
                        "with stored data.",
                    ) from exc
                if asked is not None:
                    wait = max(wait, asked)
            else:
                raise DataError(
                    f"Servern svarade HTTP {status} på {full_url}: kontrollera frågan (id:n, år "
                    "och parametrar) – ett nytt försök ger samma svar.",
                    f"The server answered HTTP {status} to {full_url}: check the request (ids, "
                    "years and parameters) – trying again gives the same answer.",
                ) from exc
        except (TimeoutError, socket.timeout) as exc:
            last = f"timeout efter {timeout} s / timeout after {timeout} s ({exc})"
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                last = f"timeout efter {timeout} s / timeout after {timeout} s"
            else:
                last = f"{type(reason).__name__}: {reason}"
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            # IncompleteRead (body shorter than Content-Length), reset connections, ...
            last = f"{type(exc).__name__}: {exc}"
        if attempt < retries:
            if wait > NOTICE_AFTER:  # a wait the user would notice is announced first
                print(f"Väntar {wait:.0f} s på {full_url} ({last}), försök {attempt + 2} av "
                      f"{retries + 1} …", file=sys.stderr, flush=True)
            sleep(wait)
    raise DataError(
        f"Kunde inte hämta {full_url} efter {retries + 1} försök (senast: {last}): "
        f"{_OFFLINE_HINT_SV}.",
        f"Could not fetch {full_url} after {retries + 1} attempts (last: {last}): "
        f"{_OFFLINE_HINT_EN}.",
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
