"""Wrongly typed payload values never crash an action (400 naming the field, never 500): every field of every
action's form gets a list, an object, a number, a boolean and an over-long string."""

from __future__ import annotations

import pytest
from django.db import transaction

from ssc.admission.workflow import ADMISSION
from ssc.core.tests.api import bearer_client
from ssc.workflow.api.testing import post_action

from .conftest import payloads, walk

BAD_VALUES = [["x", {"y": 1}], {"nested": {"deep": [1]}}, 12345678901234567890, True, "字" * 5000, None]


def _step(world, action):
    return next((s for s in payloads(world) if s[0] == action), None)


@pytest.mark.parametrize("action", [t.action for t in ADMISSION.transitions if t.form is not None])
def test_wrong_types_are_400_not_500(world, draft, action):
    step = _step(world, action)
    t = ADMISSION.get(action)
    # withdraw / return are off the scenario path: try them on a submitted application.
    app = walk(world, draft, until=action if step else "record_site_verification")
    role = step[1] if step else sorted(t.roles)[0]
    client = bearer_client(world.users[role])
    base = dict(step[3]) if step else {}
    checked = 0
    for name in t.form.base_fields:
        for value in BAD_VALUES:
            data = {**base, name: value}
            files = dict(step[4]) if step and step[4] else None
            if files and name in files:
                files.pop(name)
            with transaction.atomic():  # a tolerated value acts: undo it, the next request starts from the same state
                resp = post_action(client, "applications", app.pk, action, data, files)
                transaction.set_rollback(True)
            assert resp.status_code in (200, 400), (action, name, value, resp.status_code, resp.content[:300])
            if resp.status_code == 400:
                assert resp.json()["errors"], resp.content
            checked += 1
    assert checked == len(t.form.base_fields) * len(BAD_VALUES)
