"""The English catalogue: the login page switches to English by cookie, Accept-Language or the language switch."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

MO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"

pytestmark = pytest.mark.skipif(
    not MO_FILE.exists(),
    reason=f"English catalogue not compiled: {MO_FILE} is missing (run `manage.py compilemessages` or `bin/setup`)",
)

LOGIN = "/accounts/login/"


def _assert_english(resp):
    assert resp.status_code == 200
    assert resp["Content-Language"] == "en"
    html = resp.content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html
    assert "Username" in html and "Password" in html
    assert "If you have forgotten your password or your account is locked" in html
    assert "Chongqing Social Security Card Cooperating Bank Outlet Service Management Platform" in html
    # No untranslated Chinese text from the login form itself.
    for chinese in ("登录", "用户名", "密码", "忘记密码"):
        assert chinese not in html, chinese


def test_login_page_is_chinese_by_default(client, db):
    resp = client.get(LOGIN)
    assert resp.status_code == 200
    assert resp["Content-Language"] == "zh-hans"
    html = resp.content.decode()
    assert "登录" in html and "忘记密码或账户被锁定" in html
    assert "Sign in" not in html


def test_login_page_in_english_with_language_cookie(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _assert_english(client.get(LOGIN))


def test_login_page_in_english_with_accept_language(client, db):
    _assert_english(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en"))


def test_language_switch_sets_cookie_and_login_page_follows(client, db):
    resp = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    assert resp.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    _assert_english(client.get(LOGIN))


def test_login_error_message_is_english(client, db):
    resp = client.post(LOGIN, {"username": "nobody", "password": "wrong-password"}, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    assert "Incorrect username or password" in resp.content.decode()
