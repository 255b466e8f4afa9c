"""The database keeps the bank hierarchy sound, even for writes that bypass the ORM's validation."""

import pytest
from django.db import IntegrityError, transaction

from ssc.registry.models import Organisation, Outlet


def test_outlet_sub_branch_must_be_same_bank(world):
    outlet = world.outlets["A"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Outlet.objects.filter(pk=outlet.pk).update(sub_branch=world.orgs["subB"])
    outlet.refresh_from_db()
    assert outlet.sub_branch_id == world.orgs["subA"].pk


def test_outlet_sub_branch_must_be_a_sub_branch(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Outlet.objects.filter(pk=world.outlets["A"].pk).update(sub_branch=world.orgs["branchA"])


def test_sub_branch_parent_must_be_same_bank_branch(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(
            code="x", name="x", kind="sub_branch", bank=world.banks["A"], parent=world.orgs["branchB"]
        )


def test_agency_requires_district(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(code="y", name="y", kind="district_agency")
