"""Wrongly typed input never crashes (400 naming the field, never 500): every field of every action's form, of
``POST /evaluations/`` and of ``POST /indicator_sets/`` gets lists, objects, huge numbers, booleans, long text; and
the scores object gets wrongly typed points."""

from __future__ import annotations

import pytest
from django.db import transaction

from ssc.accounts.choices import Role
from ssc.core.tests.api import bearer_client
from ssc.evaluations.workflow import EVALUATION
from ssc.workflow.api.testing import post_action

from .conftest import FULL, put_in_state, score
from .test_api import NEW_SET

BAD_VALUES = [["x", {"y": 1}], {"nested": {"deep": [1]}}, 12345678901234567890, True, "字" * 5000, None, -1.5]
STATE_FOR = {"start": "draft", "score": "draft", "submit": "draft", "return": "submitted", "finalise": "submitted"}
pytestmark = pytest.mark.django_db


def _post(client, ev, action, data):
    with transaction.atomic():  # a tolerated value acts: undo it, the next request starts from the same state
        resp = post_action(client, "evaluations", ev.pk, action, data)
        transaction.set_rollback(True)
    return resp


@pytest.mark.parametrize("action", EVALUATION.actions)
def test_wrong_types_in_action_payloads(world, action):
    t = EVALUATION.get(action)
    ev = put_in_state(world, STATE_FOR[action])
    if action == "submit":
        ev = score(world, ev, FULL)
    client = bearer_client(world.users[sorted(t.roles)[0]])
    for name in t.form.base_fields:
        for value in BAD_VALUES:
            resp = _post(client, ev, action, {name: value})
            assert resp.status_code in (200, 400, 409), (action, name, value, resp.status_code, resp.content[:300])
            if resp.status_code == 400:
                assert resp.json()["errors"], resp.content


def test_wrong_points_in_the_scores_object(world):
    ev = put_in_state(world, "draft")
    client = bearer_client(world.users[Role.DISTRICT_OFFICER])
    for value in [*BAD_VALUES, "NaN", "Infinity", "1e400", "", " 9 ", "9.99"]:
        for key in ("premises", "complaints", "字" * 300, ""):
            resp = _post(client, ev, "score", {"scores": {key: value}, "notes": {key: value}})
            assert resp.status_code in (200, 400), (key, value, resp.status_code, resp.content[:300])
    resp = _post(client, ev, "score", {"scores": {"premises": " 9 "}})
    assert resp.status_code == 200 and resp.json()["scores"]["premises"] == 9


def test_wrong_types_when_starting_and_creating_sets(world):
    officer = bearer_client(world.users[Role.DISTRICT_OFFICER])
    center = bearer_client(world.users[Role.CENTER_OFFICER])
    good_start = {"outlet": world.outlets["A"].pk, "period": "2026H1"}
    for name in ("outlet", "period", "note"):
        for value in BAD_VALUES:
            with transaction.atomic():
                resp = officer.post("/api/v1/evaluations/", {**good_start, name: value}, format="json")
                transaction.set_rollback(True)
            assert resp.status_code in (201, 400), (name, value, resp.status_code, resp.content[:300])
    for name in NEW_SET:
        for value in BAD_VALUES:
            with transaction.atomic():
                resp = center.post("/api/v1/indicator_sets/", {**NEW_SET, name: value}, format="json")
                transaction.set_rollback(True)
            assert resp.status_code in (201, 400), (name, value, resp.status_code, resp.content[:300])
    for row_field in NEW_SET["indicators"][1]:
        for value in BAD_VALUES:
            rows = [NEW_SET["indicators"][0], {**NEW_SET["indicators"][1], row_field: value}]
            with transaction.atomic():
                resp = center.post("/api/v1/indicator_sets/", {**NEW_SET, "indicators": rows}, format="json")
                transaction.set_rollback(True)
            assert resp.status_code in (201, 400), (row_field, value, resp.status_code, resp.content[:300])
    assert officer.post("/api/v1/evaluations/", "not json", content_type="application/json").status_code == 400
