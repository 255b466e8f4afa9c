"""Demo agreements: framework agreements per bank, an agreement for every cooperating outlet (expiring soon,
renewed, expired unrenewed), made through the services; the daily job really reminds; idempotent."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from ssc.accounts.choices import Role
from ssc.agreements import selectors
from ssc.agreements.demo import MIX, seed_agreements, seed_framework_agreements
from ssc.agreements.models import Agreement, FrameworkAgreement
from ssc.audit.verification import verify_chain
from ssc.core.testing import make_outlet
from ssc.notifications.models import Notification
from ssc.registry.models import Outlet

TODAY = date(2026, 12, 3)
pytestmark = pytest.mark.django_db


@pytest.fixture
def many(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for i in range(60):
        key = "AB"[i % 2]
        make_outlet(
            f"DEMO-{i:03d}",
            f"演示网点{i:03d}",
            bank=world.banks[key],
            sub_branch=world.orgs[f"sub{key}"],
            district=world.districts[key],
            status="under_rectification" if i % 10 == 0 else "active",
        )
    make_outlet(
        "DEMO-T", "已退出网点", bank=world.banks["A"], sub_branch=world.orgs["subA"], district=world.districts["A"]
    )
    Outlet.objects.filter(code="DEMO-T").update(status="terminated")
    return world


def test_framework_agreements_for_every_bank(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = seed_framework_agreements()
    assert first.created == 2
    fas = list(FrameworkAgreement.objects.select_related("bank_organisation"))
    assert {fa.bank_id for fa in fas} == {world.banks["A"].pk, world.banks["B"].pk}
    assert all(fa.bank_organisation.bank_id == fa.bank_id and fa.signed_on > date(2025, 2, 24) for fa in fas)
    assert all(fa.sm3 and fa.document for fa in fas)
    again = seed_framework_agreements()
    assert (again.created, again.skipped) == (0, 2)


def test_every_cooperating_outlet_gets_an_agreement(many):
    result = seed_agreements(rng=random.Random(3), today=TODAY, documents_every=5)
    cooperating = Outlet.objects.filter(status__in=["active", "under_rectification"])
    assert set(Agreement.objects.values_list("outlet_id", flat=True)) == set(cooperating.values_list("pk", flat=True))
    assert not Agreement.objects.filter(outlet__code="DEMO-T").exists()
    assert result.created == cooperating.count() + result.renewed
    assert set(result.kinds) <= {"future", *MIX}
    statuses = Counter(Agreement.objects.values_list("status", flat=True))
    assert statuses["renewed"] == result.renewed == result.kinds["renewed"]
    assert statuses["expired"] == result.kinds["expired"]
    assert selectors.agreements_expired_unrenewed(today=TODAY).count() == result.kinds["expired"]
    for old in Agreement.objects.filter(status="renewed"):
        assert old.successor.term_start == date.fromordinal(old.term_end.toordinal() + 1)
    # The daily job ran: reminders for those ending within 90 days, Art 9(4) notices for the expired.
    soon = Agreement.objects.filter(status="in_force", term_end__lte=date(2027, 3, 3), renewed_by__isnull=True)
    reminded = Agreement.objects.filter(reminded_90_on=TODAY) | Agreement.objects.filter(reminded_30_on=TODAY)
    assert set(reminded) == set(soon)
    kinds = ["agreement.expiry_reminder_90", "agreement.expiry_reminder_30"]
    told = set(Notification.objects.filter(kind__in=kinds).values_list("case_id", flat=True))
    assert told == {a.pk for a in soon}
    expired = set(Notification.objects.filter(kind="agreement.expired").values_list("case_id", flat=True))
    assert expired == set(Agreement.objects.filter(status="expired").values_list("pk", flat=True))
    assert Notification.objects.filter(user=many.users[Role.DISTRICT_OFFICER], kind__in=kinds).exists()
    assert verify_chain().ok
    before = Agreement.objects.count()
    again = seed_agreements(rng=random.Random(3), today=TODAY)
    assert again.created == 0 and Agreement.objects.count() == before
