"""Token authentication: obtain, use, revoke, lockout, throttling, and who-am-I for every role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from ssc.accounts.choices import Role
from ssc.accounts.models import ApiToken, User
from ssc.audit.models import AuditEvent
from ssc.core.testing import PASSWORD
from ssc.core.tests.api import assert_problem, bearer_client

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/auth/me/"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def obtain(username: str, password: str = PASSWORD, **extra):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json", **extra)


def test_token_obtained_and_used(world):
    user = world.users[Role.DISTRICT_OFFICER]
    resp = obtain(user.username)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["token_type"] == "Bearer" and len(body["token"]) >= 40
    assert "+08:00" in body["expires_at"]
    assert resp["Cache-Control"] == "no-store"
    # Only the digest is stored.
    token = ApiToken.objects.get(user=user)
    assert body["token"] not in (token.key_digest, token.prefix) and body["token"].startswith(token.prefix)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    me = client.get(ME_URL)
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    assert AuditEvent.objects.filter(action="api_token.issue", actor_id=user.pk).exists()


def test_wrong_password_is_401_problem(world):
    resp = obtain(world.users[Role.REGULATOR].username, "wrong-password")
    body = assert_problem(resp, 401, "invalid_credentials")
    assert body["detail"] == "用户名或密码错误。"
    assert not ApiToken.objects.exists()


def test_unknown_user_answers_like_a_wrong_password(db):
    body = assert_problem(obtain("nobody", "whatever"), 401, "invalid_credentials")
    assert body["detail"] == "用户名或密码错误。"


def test_missing_fields_are_400_naming_them(db):
    resp = APIClient().post(TOKEN_URL, {"username": ""}, format="json")
    body = assert_problem(resp, 400, "validation_failed")
    assert set(body["errors"]) == {"username", "password"}


def test_stale_bearer_header_does_not_block_login(world):
    user = world.users[Role.CENTER_OFFICER]
    resp = obtain(user.username, HTTP_AUTHORIZATION="Bearer revoked-or-garbage")
    assert resp.status_code == 200


def test_lockout_after_five_failures_then_unlock(world, settings, monkeypatch):
    settings.SSC_LOGIN_MAX_FAILURES = 5
    settings.SSC_LOGIN_LOCKOUT_MINUTES = 15
    user = world.users[Role.BANK_APPLICANT]
    for _ in range(4):
        assert_problem(obtain(user.username, "wrong"), 401, "invalid_credentials")
    body = assert_problem(obtain(user.username, "wrong"), 403, "account_locked")
    assert "锁定至" in body["detail"]
    assert body["locked_until"].endswith("+08:00")
    # Locked: even the right password is refused, and no token is issued.
    resp = obtain(user.username)
    body = assert_problem(resp, 403, "account_locked")
    assert 0 < int(resp["Retry-After"]) <= 15 * 60
    assert not ApiToken.objects.filter(user=user).exists()
    user.refresh_from_db()
    assert user.locked_until is not None
    # After the lock period the right password works again and the failure count is reset.
    later = timezone.now() + timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert obtain(user.username).status_code == 200
    user.refresh_from_db()
    assert user.failed_login_count == 0 and user.locked_until is None


def test_success_resets_the_failure_count(world):
    user = world.users[Role.BANK_APPLICANT]
    for _ in range(4):
        obtain(user.username, "wrong")
    assert obtain(user.username).status_code == 200
    for _ in range(4):
        assert_problem(obtain(user.username, "wrong"), 401)
    assert obtain(user.username).status_code == 200


def test_inactive_user_gets_no_token(world):
    user = world.users[Role.HOTLINE_OPERATOR]
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_problem(obtain(user.username), 401, "invalid_credentials")


def test_token_endpoint_is_throttled_with_retry_after(world, settings):
    settings.SSC_THROTTLE_RATES = {"auth_token": "3/min"}
    user = world.users[Role.CENTER_OFFICER]
    for _ in range(3):
        assert obtain(user.username).status_code == 200
    resp = obtain(user.username)
    body = assert_problem(resp, 429, "throttled")
    assert 1 <= int(resp["Retry-After"]) <= 60
    assert resp["Retry-After"] in body["detail"]


def test_forged_forwarded_for_does_not_dodge_the_throttle(world, settings):
    settings.SSC_THROTTLE_RATES = {"auth_token": "2/min"}
    user = world.users[Role.CENTER_OFFICER]
    for i in range(2):
        assert obtain(user.username, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code == 200
    assert_problem(obtain(user.username, HTTP_X_FORWARDED_FOR="10.0.0.99"), 429)


def test_revoke_the_token_used(world):
    user = world.users[Role.DISTRICT_OFFICER]
    client = bearer_client(user)
    other = bearer_client(user)
    assert client.get(ME_URL).status_code == 200
    resp = client.delete(TOKEN_URL)
    assert resp.status_code == 204
    assert_problem(client.get(ME_URL), 401, "not_authenticated")
    assert_problem(client.delete(TOKEN_URL), 401)
    # Only the token used is revoked.
    assert other.get(ME_URL).status_code == 200
    assert AuditEvent.objects.filter(action="api_token.revoke", actor_id=user.pk).count() == 1


def test_revoke_without_a_token_is_400(world):
    client = APIClient()
    client.force_login(world.users[Role.CENTER_OFFICER])
    body = assert_problem(client.delete(TOKEN_URL), 400, "validation_failed")
    assert "Authorization" in body["errors"]


def test_revoke_unauthenticated_is_401(db):
    assert_problem(APIClient().delete(TOKEN_URL), 401)


def test_expired_and_garbage_tokens_are_401(world):
    user = world.users[Role.REGULATOR]
    client = bearer_client(user)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    body = assert_problem(client.get(ME_URL), 401)
    assert "令牌" in body["detail"]
    garbage = APIClient()
    garbage.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_problem(garbage.get(ME_URL), 401)
    malformed = APIClient()
    malformed.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert_problem(malformed.get(ME_URL), 401)


def test_token_of_deactivated_user_is_401(world):
    user = world.users[Role.REGULATOR]
    client = bearer_client(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_problem(client.get(ME_URL), 401)


def _expected_me(world, role, user):
    org = user.organisation
    district = world.districts["A"].pk if role in (Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER) else None
    bank = world.banks["A"].pk if role in (Role.BANK_APPLICANT, Role.OUTLET_STAFF, Role.BANK_HEAD_OFFICE) else None
    sub_branch = world.orgs["subA"].pk if role in (Role.BANK_APPLICANT, Role.OUTLET_STAFF) else None
    outlet = world.outlets["A"].pk if role == Role.OUTLET_STAFF else None
    return org, district, bank, sub_branch, outlet


@pytest.mark.parametrize("role", list(Role))
def test_me_for_every_role(world, role):
    user = world.users[role]
    resp = bearer_client(user).get(ME_URL)
    assert resp.status_code == 200
    body = resp.json()
    org, district, bank, sub_branch, outlet = _expected_me(world, role, user)
    assert body["role"] == role.value
    assert body["role_display"] == str(role.label)
    assert body["organisation"]["id"] == org.pk and body["organisation"]["kind"] == org.kind
    assert body["district_id"] == district
    assert body["bank_id"] == bank
    assert body["sub_branch_id"] == sub_branch
    assert body["outlet_id"] == outlet
    assert body["token_expires_at"]


def test_me_with_a_session_has_no_token_expiry(world):
    client = APIClient()
    client.force_login(world.users[Role.CENTER_LEADER])
    body = client.get(ME_URL).json()
    assert body["role"] == Role.CENTER_LEADER and body["token_expires_at"] is None


def test_me_unauthenticated_is_401(db):
    assert_problem(APIClient().get(ME_URL), 401, "not_authenticated")
