"""Request context (request id, actor, client address) carried in context variables.

Set once by middleware (or by a management command / task) and read by the audit log, so no service
needs to pass it around.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    actor: Any = None  # accounts.User or None (system)
    client_ip: str = ""
    source: str = "system"  # web | api | command | system


_current: ContextVar[RequestContext] = ContextVar("ssc_request_context", default=RequestContext())  # noqa: B039


def current() -> RequestContext:
    return _current.get()


def new_request_id() -> str:
    """32 random hex digits (``uuid4().hex`` cost 3 times as much, which shows on the public fast path)."""
    return secrets.token_hex(16)


def request_id_from(incoming: str) -> str:
    """The request id to use: the client's ``X-Request-ID`` when it is sane (≤ 64 printable ASCII characters),
    else a new one. The middleware and the public API's WSGI fast path share this rule."""
    if incoming and len(incoming) <= 64 and incoming.isascii() and incoming.isprintable():
        return incoming
    return new_request_id()


@contextlib.contextmanager
def use(**changes: Any) -> Iterator[RequestContext]:
    """Temporarily change the context: ``with context.use(actor=user, source="command"): ...``."""
    ctx = replace(_current.get(), **changes)
    if not ctx.request_id:
        ctx = replace(ctx, request_id=new_request_id())
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def set_actor(actor: Any) -> None:
    _current.set(replace(_current.get(), actor=actor))


def set_context(ctx: RequestContext) -> Any:
    return _current.set(ctx)


def reset(token: Any) -> None:
    _current.reset(token)
