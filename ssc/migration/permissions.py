"""Who may open the supervision reports (rows are then scoped by ``Outlet.objects.restrict``)."""

from __future__ import annotations

from ssc.accounts.choices import CITYWIDE_ROLES, DISTRICT_ROLES, Role

# Jinyu Net migration: the center and the regulators (NFRA-CQ runs the platform), the districts, the banks' head
# offices that plan their outlets' migration.
MIGRATION_REPORT_ROLES = frozenset(CITYWIDE_ROLES | DISTRICT_ROLES | {Role.BANK_HEAD_OFFICE})
# Disclosure check: the same, and the sub-branches that keep their outlets' numbers up to date.
DISCLOSURE_REPORT_ROLES = frozenset(MIGRATION_REPORT_ROLES | {Role.BANK_APPLICANT})
