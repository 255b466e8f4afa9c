"""The P2 floor: a bare WSGI app that answers every request with the same bytes as a cached directory response.

Served by granian exactly like the real app (``bench/p1_p2.py`` starts it); the body and content type are read
once from the files named by ``BENCH_BARE_BODY`` and ``BENCH_BARE_TYPE``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

_BODY = Path(os.environ["BENCH_BARE_BODY"]).read_bytes()
_HEADERS = [
    ("Content-Type", os.environ.get("BENCH_BARE_TYPE", "application/json")),
    ("Content-Length", str(len(_BODY))),
]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", _HEADERS)
    return [_BODY]
