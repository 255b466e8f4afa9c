"""Idle timeout (等保 session timeout): a session left alone expires; each request extends it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from ssc.accounts.choices import Role
from ssc.core.testing import PASSWORD

pytestmark = pytest.mark.django_db
HOME = reverse("portal:home")


@pytest.fixture
def signed_in(client, world):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    user = world.users[Role.DISTRICT_OFFICER]
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return Session.objects.get(session_key=client.session.session_key)


def test_idle_timeout_is_configured():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 30 * 60


def test_session_expires_when_idle_for_longer_than_the_timeout(client, signed_in):
    assert client.get(HOME).status_code == 200
    # Pretend the user's last request was longer ago than the idle timeout.
    Session.objects.filter(pk=signed_in.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_activity_extends_the_session(client, signed_in):
    # The session has one minute left; a request pushes its end a full idle period into the future.
    Session.objects.filter(pk=signed_in.pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    started = timezone.now()
    assert client.get(HOME).status_code == 200
    expire = Session.objects.get(pk=signed_in.pk).expire_date
    assert expire >= started + timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)
    assert client.get(HOME).status_code == 200


def test_session_cookie_is_http_only_and_ends_with_the_browser(client, signed_in):
    client.get(HOME)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert not cookie["max-age"]  # no persistent cookie: closing the browser ends the session
