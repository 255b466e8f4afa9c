"""Notification pages: own only, unread first, mark read / all read; the unread count for the header."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.notifications import services
from ssc.notifications.context_processors import unread
from ssc.notifications.models import Notification

from .conftest import walk

R = Role
pytestmark = pytest.mark.django_db


def _notify(user, title, url=""):
    services.notify([user], kind="test", title=title, url=url, email=False)
    return Notification.objects.filter(user=user).latest("id")


def test_list_unread_first_and_own_only(client, world):
    me, other = world.users[R.DISTRICT_OFFICER], world.other[R.DISTRICT_OFFICER]
    old = _notify(me, "旧通知")
    read = _notify(me, "已读通知")
    read.read_at = read.created_at
    read.save()
    new = _notify(me, "新通知", url="/applications/")
    _notify(other, "别人的通知")
    client.force_login(me)
    response = client.get(reverse("notifications:list"))
    assert [n.pk for n in response.context["notifications"]] == [new.pk, old.pk, read.pk]
    html = response.content.decode()
    assert "别人的通知" not in html and "2 条未读" in html and 'href="/applications/"' in html
    only = client.get(reverse("notifications:list"), {"unread": "1"})
    assert [n.pk for n in only.context["notifications"]] == [new.pk, old.pk]


def test_mark_read_and_all_read(client, world):
    me, other = world.users[R.BANK_APPLICANT], world.other[R.BANK_APPLICANT]
    a, b = _notify(me, "甲"), _notify(me, "乙")
    theirs = _notify(other, "丙")
    client.force_login(me)
    assert client.get(reverse("notifications:read", args=[a.pk])).status_code == 405  # POST only
    response = client.post(reverse("notifications:read", args=[a.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    a.refresh_from_db()
    assert a.read_at is not None
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("notifications:read_all"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications:list")  # no open redirect
    b.refresh_from_db()
    theirs.refresh_from_db()
    assert b.read_at is not None and theirs.read_at is None


def test_context_processor_counts_lazily(world, django_assert_num_queries):
    me = world.users[R.CENTER_OFFICER]
    _notify(me, "甲")
    _notify(me, "乙")
    request = RequestFactory().get("/")
    request.user = me
    ctx = unread(request)
    with django_assert_num_queries(1):
        assert ctx["unread_notifications"]() == 2
        assert ctx["unread_notifications"]() == 2
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert unread(request) == {}


def test_workflow_notifies_next_actor_and_case_page_reads_it(client, world, draft):
    app = walk(world, draft, until="record_site_verification")
    officer = world.users[R.DISTRICT_OFFICER]
    n = Notification.objects.get(user=officer, case_type="application", case_id=app.pk)
    assert n.read_at is None and n.url == reverse("admission:application_detail", args=[app.pk])
    client.force_login(officer)
    assert "提交申请" in client.get(reverse("notifications:list")).content.decode()
    client.get(n.url)
    n.refresh_from_db()
    assert n.read_at is not None
