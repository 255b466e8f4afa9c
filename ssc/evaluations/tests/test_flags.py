"""Failing grades: two consecutive failing years flag the outlet for the center (selector, notification, page), and
a finalised 差 offers a rectification (page button to the rectification issue form, API offer, issued → shown)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.evaluations import selectors
from ssc.notifications.models import Notification
from ssc.registry.models import Outlet
from ssc.workflow.models import CaseEvent

from .conftest import FULL, POOR, finalise_with, start, walk

R = Role
pytestmark = pytest.mark.django_db


def _flagged(user=None):
    return {(o.pk, o.flag_year) for o in selectors.outlets_flagged_two_failing_years(user)}


def _center_notes(world):
    return list(Notification.objects.filter(user=world.users[R.CENTER_OFFICER], kind="evaluation.two_failing_years"))


def test_two_consecutive_failing_years_flag_the_outlet_and_tell_the_center(world):
    a = world.outlets["A"]
    finalise_with(world, "A", "2025", POOR)
    assert _flagged() == set()
    assert _center_notes(world) == []
    second = finalise_with(world, "A", "2026", POOR, day="2026-12-01")
    assert _flagged() == {(a.pk, 2026)}
    notes = _center_notes(world)
    assert len(notes) == 1
    assert "连续两年" in notes[0].title and "2025、2026" in notes[0].title
    assert notes[0].url == reverse("evaluations:flagged")
    leader = world.users[R.CENTER_LEADER]
    assert not Notification.objects.filter(user=leader, kind="evaluation.two_failing_years").exists()
    event = CaseEvent.objects.get(case_type="evaluation", case_id=second.pk, action="finalise")
    assert event.payload["two_failing_years"] == [2025, 2026]


def test_the_pair_is_found_whichever_year_is_finalised_last(world):
    later = start(world, period="2026", day="2026-12-01")
    finalise_with(world, "A", "2025", POOR)
    assert _center_notes(world) == []
    walk(world, later, scores=POOR, day="2026-12-02")
    assert _flagged() == {(world.outlets["A"].pk, 2026)}
    assert len(_center_notes(world)) == 1


@pytest.mark.parametrize(
    ("periods", "flagged"),
    [
        ([("2024", POOR), ("2026", POOR)], False),  # not consecutive
        ([("2025", POOR), ("2026", FULL)], False),  # the second year passed
        ([("2026H1", POOR), ("2026H2", POOR)], False),  # half-years do not make failing years
        ([("2025H2", POOR), ("2026", POOR)], False),
        ([("2024", POOR), ("2025", POOR), ("2026", POOR)], True),
    ],
)
def test_what_counts_as_two_failing_years(world, periods, flagged):
    for period, scores in periods:
        finalise_with(world, "A", period, scores)
    assert bool(_flagged()) is flagged
    assert bool(_center_notes(world)) is flagged


def test_only_finalised_evaluations_count(world):
    finalise_with(world, "A", "2025", POOR)
    walk(world, start(world, period="2026", day="2026-12-01"), until="finalise", scores=POOR, day="2026-12-01")
    assert _flagged() == set()


def test_three_failing_years_flag_the_latest_pair(world):
    for period in ("2024", "2025", "2026"):
        finalise_with(world, "A", period, POOR)
    assert _flagged() == {(world.outlets["A"].pk, 2026)}
    years = selectors.failing_years_by_outlet([world.outlets["A"].pk])
    assert [y for y, _pk in years[world.outlets["A"].pk]] == [2024, 2025, 2026]


def test_flagged_is_scoped(world):
    finalise_with(world, "B", "2025", POOR)
    finalise_with(world, "B", "2026", POOR)
    b = world.outlets["B"].pk
    assert _flagged(world.users[R.CENTER_OFFICER]) == {(b, 2026)}
    assert _flagged(world.users[R.REGULATOR]) == {(b, 2026)}
    assert _flagged(world.other[R.DISTRICT_LEADER]) == {(b, 2026)}
    assert _flagged(world.users[R.DISTRICT_LEADER]) == set()
    assert _flagged(world.users[R.HOTLINE_OPERATOR]) == set()


def test_flagged_page(client, world):
    finalise_with(world, "B", "2025", POOR)
    finalise_with(world, "B", "2026", POOR)
    url = reverse("evaluations:flagged")
    expect = {
        R.CENTER_OFFICER: True,
        R.CENTER_LEADER: True,
        R.REGULATOR: True,
        R.DISTRICT_OFFICER: False,  # district A: in the list's scope, but no flagged outlet there
        R.DISTRICT_LEADER: False,
    }
    for role, user in world.users.items():
        client.force_login(user)
        resp = client.get(url)
        if role not in expect:
            assert resp.status_code == 403, role
            continue
        assert resp.status_code == 200
        html = resp.content.decode()
        assert (world.outlets["B"].name in html) is expect[role], role
        if expect[role]:
            assert "2025" in html and "2026" in html
    client.force_login(world.other[R.DISTRICT_LEADER])
    assert world.outlets["B"].name in client.get(url).content.decode()


# --- a failing grade offers a rectification ----------------------------------------------------------------------


def _page(client, user, ev):
    client.force_login(user)
    resp = client.get(reverse("evaluations:detail", args=[ev.pk]))
    assert resp.status_code == 200
    return resp.content.decode()


def test_failing_grade_offers_a_rectification_to_the_district_officer(client, world):
    ev = finalise_with(world, "A", "2026H1", POOR)
    html = _page(client, world.users[R.DISTRICT_OFFICER], ev)
    assert 'data-offer="rectification"' in html
    issue = reverse("rectification:issue", args=[world.outlets["A"].pk])
    assert f"{issue}?source=evaluation&amp;source_ref={ev.pk}" in html
    assert "群众满意度：得分 4 / 15" in html  # the suggested items: the indicators that lost points
    for role in (R.DISTRICT_LEADER, R.CENTER_OFFICER, R.OUTLET_STAFF):
        assert 'data-offer="rectification"' not in _page(client, world.users[role], ev), role
    assert Notification.objects.filter(user=world.users[R.DISTRICT_OFFICER], kind="evaluation.failing").count() == 1
    # The rectification form the button opens is pre-filled with the source.
    client.force_login(world.users[R.DISTRICT_OFFICER])
    form = client.get(issue, {"source": "evaluation", "source_ref": ev.pk})
    assert form.status_code == 200
    assert form.context["form"].initial["source"] == "evaluation"
    assert form.context["form"].initial["source_ref"] == str(ev.pk)


def test_no_offer_for_a_passing_grade(client, world):
    ev = finalise_with(world, "A", "2026H1", FULL)
    assert 'data-offer="rectification"' not in _page(client, world.users[R.DISTRICT_OFFICER], ev)
    assert not Notification.objects.filter(kind="evaluation.failing").exists()


def test_once_issued_the_rectification_is_listed_and_not_offered_again(client, world):
    from ssc.rectification import services as rectification

    ev = finalise_with(world, "A", "2026H1", POOR)
    rect = rectification.issue(
        actor=world.users[R.DISTRICT_OFFICER],
        outlet_id=world.outlets["A"].pk,
        data={"items": ["群众满意度偏低"], "issued_on": "2026-06-30", "source": "evaluation", "source_ref": str(ev.pk)},
    )
    assert Outlet.objects.get(pk=world.outlets["A"].pk).status == "under_rectification"
    assert list(selectors.rectifications_from(ev)) == [rect]
    html = _page(client, world.users[R.DISTRICT_OFFICER], ev)
    assert 'data-offer="rectification"' not in html
    assert reverse("rectification:detail", args=[rect.pk]) in html
    from ssc.core.tests.api import bearer_client

    body = bearer_client(world.users[R.DISTRICT_OFFICER]).get(f"/api/v1/evaluations/{ev.pk}/").json()
    assert body["rectification_offer"] is None
    assert [r["id"] for r in body["rectifications"]] == [rect.pk]
    assert body["rectifications"][0]["due_on"] == "2026-09-30"  # SCENARIOS B.2


def test_no_offer_when_the_outlet_can_no_longer_be_ordered_to_rectify(client, world):
    ev = finalise_with(world, "A", "2026H1", POOR)
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="terminating")
    ev.refresh_from_db()
    assert not selectors.offers_rectification(ev, world.users[R.DISTRICT_OFFICER])


def test_the_case_page_shows_the_two_year_flag(client, world):
    finalise_with(world, "A", "2025", POOR)
    ev = finalise_with(world, "A", "2026", POOR, day="2026-12-01")
    html = _page(client, world.users[R.DISTRICT_LEADER], ev)
    assert 'data-flag="two-failing-years"' in html and "2025、2026" in html
