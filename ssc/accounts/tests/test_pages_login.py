"""Log-in, lock-out and log-out through the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from ssc.accounts.choices import Role
from ssc.accounts.models import User
from ssc.core.testing import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def _login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_login_page_renders_with_labelled_fields(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username"' in html
    assert '<label for="id_password"' in html
    assert 'autocomplete="current-password"' in html


def test_right_password_logs_in_and_goes_home(client, world):
    user = world.users[Role.DISTRICT_OFFICER]
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.session[SESSION_KEY] == str(user.pk)


def test_login_honours_safe_next_only(client, world):
    user = world.users[Role.DISTRICT_OFFICER]
    response = _login(client, user.username, PASSWORD, next="/outlets/")
    assert response["Location"] == "/outlets/"
    client.logout()
    response = _login(client, user.username, PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("portal:home")


def test_wrong_password_gives_the_generic_error(client, world):
    user = world.users[Role.DISTRICT_OFFICER]
    response = _login(client, user.username, "wrong-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "用户名或密码错误" in html
    assert "锁定，请于" not in html
    assert SESSION_KEY not in client.session


def test_unknown_user_gives_the_same_generic_error(client, world):
    response = _login(client, "nobody-here", "wrong-password")
    assert "用户名或密码错误" in response.content.decode()


def test_five_failures_lock_the_account_and_the_page_says_until_when(client, world):
    user = world.users[Role.DISTRICT_OFFICER]
    for _ in range(settings.SSC_LOGIN_MAX_FAILURES - 1):
        html = _login(client, user.username, "wrong-password").content.decode()
        assert "用户名或密码错误" in html
    response = _login(client, user.username, "wrong-password")
    user.refresh_from_db()
    assert user.is_locked
    until = timezone.localtime(user.locked_until).strftime("%H:%M")
    html = response.content.decode()
    assert f"账户已被锁定，请于 {until} 后重试或联系安全管理员" in html
    assert "用户名或密码错误" not in html

    # While locked even the right password is refused, with the same clear message.
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 200
    assert f"账户已被锁定，请于 {until} 后重试" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get(reverse("portal:home")).status_code == 302


def test_after_the_lock_ends_the_right_password_works(client, world):
    user = world.users[Role.DISTRICT_OFFICER]
    for _ in range(settings.SSC_LOGIN_MAX_FAILURES):
        _login(client, user.username, "wrong-password")
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.failed_login_count == 0 and user.locked_until is None


def test_inactive_account_is_refused(client, world):
    user = world.users[Role.DISTRICT_OFFICER]
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_signed_in_user_is_sent_home_from_login(client, world):
    client.force_login(world.users[Role.CENTER_OFFICER])
    assert client.get(LOGIN)["Location"] == reverse("portal:home")


def test_logout_is_post_only(client, world):
    client.force_login(world.users[Role.CENTER_OFFICER])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert SESSION_KEY in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert SESSION_KEY not in client.session
    assert client.get(reverse("portal:home")).status_code == 302


def test_header_shows_organisation_role_user_language_and_logout(client, world):
    user = world.users[Role.DISTRICT_OFFICER]
    client.force_login(user)
    html = client.get(reverse("portal:home")).content.decode()
    assert user.organisation.name in html
    assert "区县社保卡管理机构经办人" in html
    assert user.username in html
    assert reverse("set_language") in html
    assert 'value="en"' in html
    assert f'action="{reverse("accounts:logout")}"' in html


def test_language_switch_to_english_and_back(client, world):
    client.force_login(world.users[Role.DISTRICT_OFFICER])
    response = client.post(reverse("set_language"), {"language": "en", "next": "/outlets/"})
    assert response.status_code == 302 and response["Location"] == "/outlets/"
    assert '<html lang="en">' in client.get("/outlets/").content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()
