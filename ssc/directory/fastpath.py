"""A WSGI fast path in front of Django for the public outlet API (公开网点查询接口), for P2 of PERFORMANCE.md.

The public API already caches its answers by roster generation (``ssc.directory.cache``), but a cached answer still
crosses every middleware, the URL resolver and DRF: about 1 ms of Python per request. Cardholders ask the same few
questions over and over, so this wrapper remembers, per worker process, the exact bytes Django answered for an
anonymous ``GET /api/v1/public/outlets/...`` (same path, query string, ``Accept-Encoding`` and
``Accept-Language``) under the current roster generation, and replays them without entering Django:

- only anonymous requests (no ``Cookie``, no ``Authorization``) and only 200 answers that are ``Cache-Control:
  public`` and set no cookie are remembered;
- a replay is valid only while the roster generation is the one it was produced under, so a published version or
  a hidden outlet (termination filed) is never served stale beyond the generation's own few seconds (read through
  ``ssc.directory.cache.recent_generation``);
- ``If-None-Match`` with the remembered ``ETag`` answers 304;
- the per-address rate limit still counts every replay; a client over its limit is handed to Django, which answers
  429 with ``Retry-After`` as usual;
- each replay gets its own ``X-Request-ID``.

``SSC_PUBLIC_FASTPATH=0`` switches it off.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

PREFIX = "/api/v1/public/outlets/"
MAX_ENTRIES = 1024  # a public page of 20 outlets is ~13 KB: ≤ ~13 MB per worker
StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class _Entry:
    generation: str
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str


class PublicFastPath:
    """WSGI middleware: replays remembered public API answers (see the module docstring)."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]], max_entries: int = MAX_ENTRIES):
        # Imported here, once Django is set up (config.wsgi wraps the application it made).
        from ssc.core.context import request_id_from
        from ssc.directory.cache import recent_generation
        from ssc.directory.throttling import page_wait

        self.app = app
        self.max_entries = max_entries
        self.memo: OrderedDict[tuple[str, ...], _Entry] = OrderedDict()
        self._request_id_from, self._generation, self._page_wait = request_id_from, recent_generation, page_wait

    def _eligible(self, environ: dict[str, Any]) -> bool:
        return (
            environ.get("REQUEST_METHOD") == "GET"
            and environ.get("PATH_INFO", "").startswith(PREFIX)
            and "HTTP_COOKIE" not in environ
            and "HTTP_AUTHORIZATION" not in environ
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not self._eligible(environ):
            return self.app(environ, start_response)
        key = (
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT_ENCODING", ""),
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
            environ.get("HTTP_HOST", ""),
        )
        gen = self._generation()
        entry = self.memo.get(key)
        if entry is not None and entry.generation == gen:
            if self._page_wait(SimpleNamespace(META=environ), "public") is not None:  # type: ignore[arg-type]
                return self.app(environ, start_response)  # over the limit: Django answers 429
            request_id = [("X-Request-ID", self._request_id_from(environ.get("HTTP_X_REQUEST_ID", "")))]
            if entry.etag and environ.get("HTTP_IF_NONE_MATCH") == entry.etag:
                keep = [(k, v) for k, v in entry.headers if k.lower() in ("etag", "cache-control", "vary")]
                start_response("304 Not Modified", keep + request_id)
                return [b""]
            start_response(entry.status, entry.headers + request_id)
            return [entry.body]
        return self._remember(key, gen, environ, start_response)

    def _remember(
        self, key: tuple[str, ...], gen: str, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, capture)
        status = captured.get("status", "")
        headers = captured.get("headers") or []
        names = {k.lower(): v for k, v in headers}
        if (
            not status.startswith("200")
            or "set-cookie" in names
            or not names.get("cache-control", "").startswith("public")
            or "HTTP_IF_NONE_MATCH" in environ
        ):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        stored = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
        self.memo[key] = _Entry(gen, status, stored, body, names.get("etag", ""))
        while len(self.memo) > self.max_entries:
            self.memo.popitem(last=False)
        return [body]
