"""A real HTTP server on 127.0.0.1 for loader tests, answering from a script.

``routes`` maps a path to a list of :class:`Reply`; a key with a query string
(``/p?page=2``) matches that exact target first, else the path alone. Each request takes the
route's next reply, and the last one repeats. Every request is recorded (path, query,
headers). A reply can send fewer body bytes than its ``Content-Length`` (``truncate_to``) or
wait before answering (``delay``) to provoke client timeouts.

    with LocalServer({"/v3/data": [Reply(429, {"Retry-After": "2"}), Reply.json({...})]}) as s:
        fetch(s.url("/v3/data"))
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    #: Send only this many body bytes but announce the full length (connection then closes).
    truncate_to: int | None = None

    @classmethod
    def json(cls, payload: Any, status: int = 200, **kwargs: Any) -> Reply:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        headers.update(kwargs.pop("headers", {}))
        return cls(status=status, headers=headers, body=body, **kwargs)


@dataclass
class Recorded:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    time: float


class LocalServer:
    """ThreadingHTTPServer on an ephemeral loopback port, serving scripted replies."""

    def __init__(self, routes: dict[str, list[Reply]] | None = None):
        self.routes: dict[str, list[Reply]] = {k: list(v) for k, v in (routes or {}).items()}
        self.requests: list[Recorded] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._base: str | None = None

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                return None

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                owner._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        self._base = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # ------------------------------------------------------------------ helpers
    @property
    def base(self) -> str:
        assert self._base is not None, "server not started"
        return self._base

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def set(self, path: str, replies: list[Reply]) -> None:
        with self._lock:
            self.routes[path] = list(replies)
            self._counts[path] = 0

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        with self._lock:
            self.requests.append(
                Recorded(parts.path, parse_qs(parts.query), dict(handler.headers.items()),
                         time.monotonic())
            )
            route = handler.path if handler.path in self.routes else parts.path
            replies = self.routes.get(route)
            if not replies:
                reply = Reply(404, {"Content-Type": "text/plain"}, b"not found")
            else:
                index = self._counts.get(route, 0)
                self._counts[route] = index + 1
                reply = replies[min(index, len(replies) - 1)]
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.body
        try:
            handler.send_response(reply.status)
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(body)))
            if reply.truncate_to is not None:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            handler.wfile.write(body if reply.truncate_to is None else body[: reply.truncate_to])
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
