"""The admin: writes made there are in the audit trail; only the admin duties use it; audit events are
read-only there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ssc.accounts.choices import Role
from ssc.accounts.models import ApiToken, User
from ssc.audit import services
from ssc.audit.models import AuditEvent
from ssc.registry.models import Bank, CardService, District, Outlet

pytestmark = pytest.mark.django_db
EDITORS = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}


def staff(user: User) -> User:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def sysadmin(client, world):
    client.force_login(staff(world.users[Role.SYSTEM_ADMIN]))
    return world.users[Role.SYSTEM_ADMIN]


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


def form_data(response) -> dict:
    """The change form's current values, as the browser would post them back."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    return data


# --- admin writes are audited ---------------------------------------------------------------------------


def test_admin_create_is_audited(client, sysadmin):
    url = reverse("admin:registry_district_add")
    response = client.post(url, {"code": "500105", "name": "江北区", "kind": "district", "_save": "1"})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    district = District.objects.get(code="500105")
    e = last_event("district.admin_create")
    assert e is not None and e.object_id == str(district.pk) and e.object_type == "registry.district"
    assert e.before is None and e.after["name"] == "江北区" and e.after["overlaps"] == []
    assert e.actor_username == sysadmin.username and e.actor_role == Role.SYSTEM_ADMIN


def test_admin_update_records_only_what_changed(client, sysadmin, world):
    bank = world.banks["A"]
    url = reverse("admin:registry_bank_change", args=[bank.pk])
    data = form_data(client.get(url))
    data.update(hotline="95588-1", _save="1")
    assert client.post(url, data).status_code == 302
    e = last_event("bank.admin_update")
    assert e.before == {"hotline": "95588"} and e.after == {"hotline": "95588-1"}
    assert e.object_repr == bank.name


def test_admin_update_of_outlet_services_bumps_version(client, sysadmin, world):
    outlet = world.outlets["B"]  # offers "apply" only
    url = reverse("admin:registry_outlet_change", args=[outlet.pk])
    data = form_data(client.get(url))
    data["services"] = [str(world.services["apply"].pk), str(world.services["instant_issuance"].pk)]
    data["_save"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    outlet.refresh_from_db()
    assert outlet.version == 2 and outlet.instant_issuance
    e = last_event("outlet.admin_update")
    assert sorted(e.after["services"]) == sorted(int(s) for s in data["services"])
    assert e.before["services"] == [world.services["apply"].pk]
    assert e.before["version"] == 1 and e.after["version"] == 2
    assert e.after["instant_issuance"] is True


def test_admin_delete_is_audited(client, sysadmin):
    svc = CardService.objects.create(code="temp", name="临时服务")
    response = client.post(reverse("admin:registry_cardservice_delete", args=[svc.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not CardService.objects.filter(pk=svc.pk).exists()
    e = last_event("cardservice.admin_delete")
    assert e.object_id == str(svc.pk) and e.object_repr == "临时服务"
    assert e.before["code"] == "temp" and e.after is None


def test_bulk_delete_action_records_one_event_per_object(client, sysadmin):
    a = Bank.objects.create(code="tmp1", name="临时银行一", short_name="一")
    b = Bank.objects.create(code="tmp2", name="临时银行二", short_name="二")
    before = AuditEvent.objects.filter(action="bank.admin_delete").count()
    response = client.post(
        reverse("admin:registry_bank_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk, b.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Bank.objects.filter(pk__in=[a.pk, b.pk]).exists()
    events = AuditEvent.objects.filter(action="bank.admin_delete").order_by("seq")
    assert events.count() == before + 2
    assert {e.object_repr for e in events} >= {"临时银行一", "临时银行二"}


def test_outlets_are_not_deleted_in_the_admin(client, sysadmin, world):
    url = reverse("admin:registry_outlet_delete", args=[world.outlets["A"].pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Outlet.objects.filter(pk=world.outlets["A"].pk).exists()


def test_user_admin_create_update_and_password_change(client, world):
    client.force_login(staff(world.users[Role.SECURITY_ADMIN]))
    add = reverse("admin:accounts_user_add")
    response = client.post(
        add,
        {
            "username": "new_officer",
            "usable_password": "true",
            "password1": "Xy7-long-enough-pass",
            "password2": "Xy7-long-enough-pass",
            "last_name": "王",
            "first_name": "五",
            "role": Role.DISTRICT_OFFICER,
            "organisation": world.orgs["agencyA"].pk,
            "_save": "1",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new_officer")
    e = last_event("user.admin_create")
    assert e.object_id == str(user.pk) and e.after["role"] == Role.DISTRICT_OFFICER
    assert e.after["password"].startswith("sm3:") and user.password not in e.after_json

    change = reverse("admin:accounts_user_change", args=[user.pk])
    data = {
        "username": "new_officer",
        "last_name": "王",
        "first_name": "五",
        "email": "",
        "phone": "",
        "role": Role.DISTRICT_LEADER,
        "organisation": world.orgs["agencyA"].pk,
        "locked_until_0": "",
        "locked_until_1": "",
        "is_active": "on",
        "is_staff": "",
        "date_joined_0": "",
        "_save": "1",
    }
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    e = last_event("user.admin_update")
    assert e.before == {"role": Role.DISTRICT_OFFICER} and e.after == {"role": Role.DISTRICT_LEADER}

    old_hash = User.objects.get(pk=user.pk).password
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "Another-Pass-123", "password2": "Another-Pass-123", "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password != old_hash
    e = last_event("user.admin_update")
    assert set(e.after) == {"password"} and e.after["password"].startswith("sm3:")
    assert old_hash not in e.before_json and user.password not in e.after_json


def test_non_superuser_cannot_grant_superuser(client, world):
    client.force_login(staff(world.users[Role.SYSTEM_ADMIN]))
    target = world.users[Role.CENTER_OFFICER]
    url = reverse("admin:accounts_user_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields


def test_unlock_action_is_audited(client, world):
    client.force_login(staff(world.users[Role.SECURITY_ADMIN]))
    target = world.users[Role.BANK_APPLICANT]
    User.objects.filter(pk=target.pk).update(locked_until=timezone.now() + timedelta(minutes=10), failed_login_count=5)
    response = client.post(
        reverse("admin:accounts_user_changelist"), {"action": "unlock_users", "_selected_action": [target.pk]}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.locked_until is None and target.failed_login_count == 0
    e = last_event("user.admin_update")
    assert e.object_id == str(target.pk) and e.before["failed_login_count"] == 5 and e.after["locked_until"] is None


def test_token_revoke_action_is_audited(client, world):
    client.force_login(staff(world.users[Role.SECURITY_ADMIN]))
    token, _raw = ApiToken.issue(world.users[Role.BANK_APPLICANT], name="bank system")
    response = client.post(
        reverse("admin:accounts_apitoken_changelist"), {"action": "revoke_tokens", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    e = last_event("apitoken.admin_update")
    assert e.before == {"revoked_at": None} and e.after["revoked_at"]
    assert token.key_digest not in e.after_json
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403


def test_failed_admin_save_records_nothing(client, sysadmin):
    before = AuditEvent.objects.count()
    response = client.post(reverse("admin:registry_district_add"), {"code": "", "name": "", "kind": "x"})
    assert response.status_code == 200  # the form with its errors
    assert AuditEvent.objects.count() == before


# --- who may use the admin ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_registry_admin_per_role(client, world, role):
    client.force_login(staff(world.users[role]))
    changelist = client.get(reverse("admin:registry_district_changelist"))
    add = client.post(reverse("admin:registry_district_add"), {"code": "500199", "name": "某区", "kind": "district"})
    if role in EDITORS:
        assert changelist.status_code == 200 and add.status_code == 302
    else:
        assert changelist.status_code == 403 and add.status_code == 403
        assert not District.objects.filter(code="500199").exists()


@pytest.mark.parametrize("role", list(Role))
def test_user_admin_per_role(client, world, role):
    client.force_login(staff(world.users[role]))
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == (200 if role in EDITORS else 403)


@pytest.mark.parametrize("role", list(Role))
def test_audit_event_admin_per_role(client, world, role):
    services.record(action="x.y", object_repr="某事件")
    client.force_login(staff(world.users[role]))
    response = client.get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == (200 if role == Role.AUDIT_ADMIN else 403)


def test_admin_index_lists_only_what_the_role_may_use(client, world):
    client.force_login(staff(world.users[Role.AUDIT_ADMIN]))
    apps = {a["app_label"] for a in client.get(reverse("admin:index")).context["app_list"]}
    assert apps == {"audit"}
    client.force_login(staff(world.users[Role.SYSTEM_ADMIN]))
    apps = {a["app_label"] for a in client.get(reverse("admin:index")).context["app_list"]}
    assert {"registry", "accounts"} <= apps and "audit" not in apps


def test_non_staff_admin_role_is_sent_to_admin_log_in(client, world):
    client.force_login(world.users[Role.SYSTEM_ADMIN])  # not staff
    response = client.get(reverse("admin:registry_district_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_superuser_may_use_the_admin(client, world):
    root = User.objects.create_superuser("root", password="Root-Passw0rd!")
    client.force_login(root)
    assert client.get(reverse("admin:registry_district_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200


def test_audit_events_are_read_only_in_the_admin(client, world):
    e = services.record(action="outlet.update", object_repr="某网点", before={"a": 1}, after={"a": 2})
    client.force_login(staff(world.users[Role.AUDIT_ADMIN]))
    change = reverse("admin:audit_auditevent_change", args=[e.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert not page.context["has_change_permission"] and not page.context["has_delete_permission"]
    assert client.post(change, {"action": "x"}).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[e.pk]), {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [e.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert AuditEvent.objects.filter(pk=e.pk, action="outlet.update").exists()
    listing = client.get(reverse("admin:audit_auditevent_changelist"), {"q": "某网点"})
    assert listing.status_code == 200 and e in listing.context["cl"].result_list


def test_admins_cannot_touch_superusers_or_widen_their_own_powers(client, world):
    root = User.objects.create_superuser("root", password="Root-Passw0rd!")
    me = staff(world.users[Role.SYSTEM_ADMIN])
    client.force_login(me)
    assert client.get(reverse("admin:auth_user_password_change", args=[root.pk])).status_code == 403
    response = client.post(reverse("admin:accounts_user_change", args=[root.pk]), {"username": "root2"})
    assert response.status_code == 403
    assert client.post(reverse("admin:accounts_user_delete", args=[root.pk]), {"post": "yes"}).status_code == 403
    form = client.get(reverse("admin:accounts_user_change", args=[me.pk])).context["adminform"].form
    assert "role" not in form.fields and "is_staff" not in form.fields and "is_active" not in form.fields
    assert client.post(reverse("admin:accounts_user_delete", args=[me.pk]), {"post": "yes"}).status_code == 403
