"""The WSGI fast path of the public outlet API (``ssc.directory.fastpath``): replays only what Django answered for the
same anonymous request under the same roster generation; publish/hide, cookies, tokens, 304 and the rate limit."""

from __future__ import annotations

import json
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from ssc.accounts.choices import Role
from ssc.directory import cache as dircache
from ssc.directory.fastpath import PublicFastPath
from ssc.registry.models import Outlet
from ssc.roster import services as roster

LIST = "/api/v1/public/outlets/"


@pytest.fixture(autouse=True)
def _clear_cache():
    dircache.invalidate()
    cache.clear()
    yield
    dircache.invalidate()
    cache.clear()


class Counting:
    """The Django WSGI app, counting the requests that reach it."""

    def __init__(self):
        self.app = get_wsgi_application()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


@pytest.fixture
def stack(world):
    # Like Django's test client: a finished request must not close the test transaction's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield _stack(world)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _stack(world):
    roster.publish(outlet_ids=list(Outlet.objects.values_list("pk", flat=True)), actor=world.users[Role.CENTER_OFFICER])
    inner = Counting()
    return PublicFastPath(inner), inner


def call(app, path=LIST, query="", **extra):
    environ = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": "GET", "SERVER_NAME": "testserver"}
    environ.update(extra)
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return int(seen["status"][:3]), seen["headers"], body


def test_a_repeated_question_is_answered_without_django(stack):
    app, inner = stack
    first = call(app, query="q=gsyh")
    second = call(app, query="q=gsyh")
    assert inner.calls == 1
    assert first[0] == second[0] == 200 and first[2] == second[2]
    assert json.loads(second[2])["count"] == 2
    assert second[1]["ETag"] == first[1]["ETag"] and second[1]["Cache-Control"].startswith("public")
    assert second[1]["X-Request-ID"] != first[1]["X-Request-ID"]
    # A client's own request id is echoed, as Django's middleware does; an unusable one is replaced.
    assert call(app, query="q=gsyh", HTTP_X_REQUEST_ID="trace-42")[1]["X-Request-ID"] == "trace-42"
    assert len(call(app, query="q=gsyh", HTTP_X_REQUEST_ID="x" * 65)[1]["X-Request-ID"]) == 32
    # Another question, language or encoding is another entry.
    call(app, query="q=jfb")
    call(app, query="q=gsyh", HTTP_ACCEPT_LANGUAGE="en")
    assert inner.calls == 3


def test_if_none_match_answers_304(stack):
    app, inner = stack
    _, headers, _ = call(app, query="q=gsyh")
    status, h304, body = call(app, query="q=gsyh", HTTP_IF_NONE_MATCH=headers["ETag"])
    assert (status, body, inner.calls) == (304, b"", 1) and h304["ETag"] == headers["ETag"]


def test_publish_and_hide_are_never_served_stale(stack, world):
    app, inner = stack
    assert json.loads(call(app, query="q=gsyh")[2])["count"] == 2
    roster.hide(outlet=world.outlets["A"], actor=world.users[Role.CENTER_OFFICER], reason="解除合作已报备")
    dircache.invalidate()  # what the roster_published signal does on commit (the test transaction never commits)
    after = json.loads(call(app, query="q=gsyh")[2])
    assert after["count"] == 1 and world.outlets["A"].pk not in [r["id"] for r in after["results"]]
    assert inner.calls == 2


@pytest.mark.parametrize("extra", [{"HTTP_COOKIE": "sessionid=x"}, {"HTTP_AUTHORIZATION": "Bearer x"}])
def test_signed_in_or_cookie_requests_always_reach_django(stack, extra):
    app, inner = stack
    call(app, query="q=gsyh", **extra)
    call(app, query="q=gsyh", **extra)
    assert inner.calls == 2 and not app.memo


def test_only_public_outlet_gets_and_only_200_are_remembered(stack):
    app, inner = stack
    call(app, path="/api/v1/public/roster/", query="format=json")
    call(app, path="/api/v1/public/roster/", query="format=json")
    assert inner.calls == 2
    bad = call(app, query="near=abc")
    assert bad[0] == 400
    call(app, query="near=abc")
    assert inner.calls == 4 and not app.memo


def test_the_rate_limit_still_counts_every_replay(stack, settings):
    settings.SSC_PUBLIC_RATE_LIMIT = "3/min"
    app, inner = stack
    statuses = [call(app, query="q=gsyh")[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    status, headers, body = call(app, query="q=gsyh")
    assert status == 429 and int(headers["Retry-After"]) >= 1 and json.loads(body)["status"] == 429
    # Another address has its own budget and is still served from memory.
    calls = inner.calls
    assert call(app, query="q=gsyh", REMOTE_ADDR="10.1.2.3")[0] == 200
    assert inner.calls == calls


def test_recent_generation_is_read_again_after_half_a_second_or_an_invalidation(stack, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(dircache.time, "monotonic", lambda: clock[0])
    first = dircache.recent_generation()
    cache.set(dircache.GENERATION_KEY, "elsewhere", 60)  # another process published (the shared Redis cache)
    assert dircache.recent_generation() == first  # remembered for RECENT_SECONDS
    clock[0] += dircache.RECENT_SECONDS
    assert dircache.recent_generation() == "elsewhere"
    cache.set(dircache.GENERATION_KEY, "again", 60)
    dircache.invalidate()  # this process published: dropped at once
    assert dircache.recent_generation() == dircache.generation() != "again"


def test_a_generation_read_before_an_invalidation_is_not_remembered_after_it(stack, monkeypatch):
    real = dircache.generation

    def read_then_publish_elsewhere():
        old = real()
        dircache.invalidate()  # another thread's publish lands while this one holds the old value
        return old

    monkeypatch.setattr(dircache, "generation", read_then_publish_elsewhere)
    dircache.recent_generation()
    monkeypatch.setattr(dircache, "generation", real)
    cache.set(dircache.GENERATION_KEY, "published", 60)
    assert dircache.recent_generation() == "published"  # read again, not the value from before the publish
