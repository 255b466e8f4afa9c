"""The password change page: the policy's help texts, its errors beside the field, and a real change."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.core.testing import PASSWORD

pytestmark = pytest.mark.django_db
URL = reverse("accounts:password_change")
NEW = "Qiu-Shui-2025!x"


@pytest.fixture
def user(client, world):
    u = world.users[Role.BANK_APPLICANT]
    client.force_login(u)
    return u


def _change(client, old, new1, new2=None):
    return client.post(URL, {"old_password": old, "new_password1": new1, "new_password2": new2 or new1})


def test_page_shows_the_policy(client, user):
    html = client.get(URL).content.decode()
    assert "密码须包含小写字母、大写字母、数字、符号中的至少 3 类" in html
    assert "10" in html  # the minimum length, from Django's MinimumLengthValidator help text
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'<label for="id_{name}"' in html


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("Ab1!", "10"),  # too short (the length in the message)
        ("abcdefghijkl", "至少 3 类"),  # one character class only
        ("abcdefgh12", "至少 3 类"),  # two classes
        ("1234567890123", "至少 3 类"),  # entirely numeric (and one class)
    ],
)
def test_policy_errors_are_shown_beside_the_new_password(client, user, new, expected):
    response = _change(client, PASSWORD, new)
    assert response.status_code == 200
    form = response.context["form"]
    assert "new_password1" in form.errors
    assert any(expected in e for e in form.errors["new_password1"])
    assert expected in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_wrong_current_password(client, user):
    response = _change(client, "not-my-password", NEW)
    assert "当前密码不正确" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_mismatch(client, user):
    response = _change(client, PASSWORD, NEW, NEW + "y")
    assert "两次输入的新密码不一致" in response.content.decode()


def test_same_as_old_is_refused(client, user):
    response = _change(client, PASSWORD, PASSWORD)
    assert "新密码不能与当前密码相同" in response.content.decode()


def test_success_changes_password_keeps_session_and_is_audited(client, user):
    before = AuditEvent.objects.count()
    response = _change(client, PASSWORD, NEW)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert user.password_changed_at is not None
    assert client.session[SESSION_KEY] == str(user.pk)  # still signed in (session hash updated)
    assert "密码已修改" in client.get(reverse("portal:home")).content.decode()
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "user.password_change"
    assert event.actor_id == user.pk
    assert NEW not in event.after_json and "pbkdf2" not in event.after_json.lower()
