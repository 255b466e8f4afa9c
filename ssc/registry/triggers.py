"""Database-kept hierarchy rules: bank → head office/branch → sub-branch → outlet, same bank throughout."""

from ssc.core.triggers import Trigger

TRIGGERS = [
    Trigger(
        name="registry_outlet_same_bank",
        table="registry_outlet",
        events=("INSERT", "UPDATE"),
        message="outlet sub_branch must be a sub-branch of the same bank",
        when=(
            "NOT EXISTS (SELECT 1 FROM registry_organisation o WHERE o.id = NEW.sub_branch_id "
            "AND o.kind = 'sub_branch' AND o.bank_id = NEW.bank_id)"
        ),
    ),
    Trigger(
        name="registry_sub_branch_parent_same_bank",
        table="registry_organisation",
        events=("INSERT", "UPDATE"),
        message="a sub-branch must hang under the head office or Chongqing branch of the same bank",
        when=(
            "NEW.kind = 'sub_branch' AND NOT EXISTS (SELECT 1 FROM registry_organisation p "
            "WHERE p.id = NEW.parent_id AND p.kind = 'bank_branch' AND p.bank_id = NEW.bank_id)"
        ),
    ),
]
