"""The HTTP server: real sockets on top of the pure `Router`, with caching, conditional GETs,
attempt counting and the fault plan.

A `ThreadingHTTPServer` speaking HTTP/1.1 with keep-alive; rendered responses are kept in a
bounded LRU so a crawler, not the replica, is the bottleneck. Two endpoints that no page links to
help tests: `/__replica__/requests` (every target requested so far, in order) and
`/__replica__/faults` (the fault plan).
"""

from __future__ import annotations

import functools
import hashlib
import json
import socket
import struct
import sys
import threading
import time
from collections import Counter
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from replica import datelines, faults
from replica.model import Site
from replica.routes import Response, Router

RESPONSE_CACHE_SIZE = 2048  # pages are 10–45 kB: at most ~90 MB


class ReplicaApp:
    """The state behind the sockets: router, fault plan, attempt counter and request log."""

    def __init__(self, site: Site, theme: str, fault_mode: str):
        self.site = site
        self.plan = faults.FaultPlan(site, enabled=fault_mode == "chaos")
        self.router = Router(site, theme, self.plan.hostile_posts())
        self._attempts: Counter[str] = Counter()
        self._log: list[str] = []
        self._lock = threading.Lock()
        self.respond = functools.lru_cache(maxsize=RESPONSE_CACHE_SIZE)(self._respond)

    def attempt(self, target: str) -> int:
        """Count one more request of `target` and return its number (from 1)."""
        with self._lock:
            self._attempts[target] += 1
            self._log.append(target)
            return self._attempts[target]

    def requests_log(self) -> list[str]:
        with self._lock:
            return list(self._log)

    def _respond(self, target: str, base: str) -> tuple[Response, str | None]:
        """The response to `target` with its ETag; page faults are applied here (they are permanent)."""
        response = self.router.respond(target, base)
        kind = self.plan.page_fault(response.post_id) if response.post_id else None
        if kind == "malformed":
            response.body = faults.malform(response.body.decode()).encode()
        elif kind == "windows-1256":
            response.body = faults.as_windows_1256(response.body.decode())
            response.content_type = "text/html"
        etag = None
        if response.status == 200:
            etag = '"' + hashlib.sha1(response.body).hexdigest()[:20] + '"'
        return response, etag


class ReplicaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""
    disable_nagle_algorithm = True
    app: ReplicaApp  # set on the subclass made by `make_server`

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        """Silence the per-request log (the crawler's log is the one worth reading)."""

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def _base(self) -> str:
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        return f"http://{host}"

    def _serve(self, send_body: bool) -> None:
        target = self.path
        if target.startswith("/__replica__/"):
            self._serve_introspection(target)
            return
        attempt = self.app.attempt(target)
        fault = self.app.plan.fault_for(target, attempt)
        if fault and fault.kind == "reset":
            self._reset_connection()
            return
        if fault and fault.kind == "slow":
            time.sleep(faults.SLOW_SECONDS)
        if fault and fault.status:
            body = f"<html><body><h1>{fault.status}</h1></body></html>".encode()
            headers = {"Retry-After": "1"} if fault.status == 503 else {}
            self._send(fault.status, "text/html; charset=UTF-8", body, headers, send_body)
            return
        response, etag = self.app.respond(target, self._base())
        headers = dict(response.headers)
        if etag:
            headers["ETag"] = etag
        if response.last_modified and response.status == 200:
            headers["Last-Modified"] = datelines.http_date(response.last_modified)
        if response.status == 200 and self._not_modified(etag, response):
            self._send(304, None, b"", headers, send_body)
            return
        body = response.body
        if fault and fault.kind == "truncated":
            self._send(response.status, response.content_type, body, headers, send_body, cut_at=len(body) // 2)
            return
        if fault and fault.kind == "cut-html":
            body = faults.cut_html(body)
        self._send(response.status, response.content_type, body, headers, send_body)

    def _not_modified(self, etag: str | None, response: Response) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return etag in tags or "*" in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since and response.last_modified:
            try:
                since = parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
            return response.last_modified.replace(second=0) <= since
        return False

    def _send(self, status: int, content_type: str | None, body: bytes, headers: dict, send_body: bool,
              cut_at: int | None = None) -> None:
        lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}", f"Server: {self.server_version}",
                 f"Date: {self.date_time_string()}"]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(body) if status != 304 else 0}")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if cut_at is not None or self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        payload = body if send_body and status != 304 else b""
        if cut_at is not None:
            payload = payload[:cut_at]
            self.close_connection = True
        self.wfile.write(head + payload)

    def _reset_connection(self) -> None:
        """Close the socket with an RST and no response, as a dropped connection looks."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True

    def _serve_introspection(self, target: str) -> None:
        if target == "/__replica__/requests":
            data = self.app.requests_log()
        elif target == "/__replica__/faults":
            data = self.app.plan.describe()
        else:
            self._send(404, "text/plain", b"not found", {}, True)
            return
        self._send(200, "application/json", json.dumps(data, ensure_ascii=False).encode(), {}, True)


class ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        """Clients that hang up mid-answer are normal (timeouts, load tools); say nothing of them."""
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def make_server(site: Site, host: str, port: int, theme: str = "classic", fault_mode: str = "none") -> ReplicaServer:
    """A bound, listening server for `site` (call `serve_forever()` on it)."""
    handler = type("BoundReplicaHandler", (ReplicaHandler,), {"app": ReplicaApp(site, theme, fault_mode)})
    return ReplicaServer((host, port), handler)
