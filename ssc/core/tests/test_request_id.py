"""Every response carries ``X-Request-ID``: the client's own when it is sane, else a new random one."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ssc.core import context


@pytest.mark.django_db
def test_request_id_is_echoed_or_made():
    c = Client()
    assert c.get("/healthz", HTTP_X_REQUEST_ID="trace-42")["X-Request-ID"] == "trace-42"
    for bad in ("x" * 65, "naïve", "a\tb"):
        assert re.fullmatch(r"[0-9a-f]{32}", c.get("/healthz", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]), bad
    made = {c.get("/healthz")["X-Request-ID"] for _ in range(3)}
    assert len(made) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", r) for r in made)


def test_request_id_rule():
    assert context.request_id_from("abc") == "abc"
    assert context.request_id_from("") != context.request_id_from("")
    assert len(context.request_id_from("\x00")) == 32
