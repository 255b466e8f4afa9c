"""A small, complete world for tests: two districts, the center, regulators, two banks, outlets, and one
user for every role. Tests build on it instead of inventing their own fixtures.

``world.users[role]`` is the user of that role in district A / bank A; ``world.other`` holds users of the
same roles in district B / bank B, for scoping tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ssc.accounts.choices import Role
from ssc.accounts.models import User
from ssc.registry.choices import DistrictKind, OrganisationKind, OutletStatus
from ssc.registry.models import Bank, CardService, District, Organisation, Outlet

PASSWORD = "Test-Passw0rd!"  # noqa: S105 - test fixture only

SERVICES = [
    ("apply", "申领"),
    ("instant_issuance", "即时制卡"),
    ("replacement", "补换卡"),
    ("loss_report", "挂失"),
    ("activation", "激活"),
    ("pin_reset", "密码重置"),
    ("info_change", "信息变更"),
]


@dataclass
class World:
    districts: dict[str, District] = field(default_factory=dict)
    orgs: dict[str, Organisation] = field(default_factory=dict)
    banks: dict[str, Bank] = field(default_factory=dict)
    outlets: dict[str, Outlet] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    other: dict[str, User] = field(default_factory=dict)
    services: dict[str, CardService] = field(default_factory=dict)


def make_user(username: str, role: str, organisation: Organisation, outlet: Outlet | None = None, **extra: Any) -> User:
    user = User(username=username, role=role, organisation=organisation, outlet=outlet, **extra)
    user.set_password(PASSWORD)
    user.full_clean()
    user.save()
    return user


def make_outlet(
    code: str,
    name: str,
    *,
    bank: Bank,
    sub_branch: Organisation,
    district: District,
    status: str = OutletStatus.ACTIVE,
    lat: float = 29.5573,
    lng: float = 106.5770,
    services: list[CardService] | None = None,
    **extra: Any,
) -> Outlet:
    outlet = Outlet.objects.create(
        code=code,
        name=name,
        bank=bank,
        sub_branch=sub_branch,
        district=district,
        address=extra.pop("address", f"{district.name}某路{code[-3:]}号"),
        latitude=lat,
        longitude=lng,
        weekday_hours="09:00-17:00",
        weekend_hours="09:00-12:00",
        consultation_phone="023-63000001",
        complaint_phone="023-63000002",
        status=status,
        **extra,
    )
    if services:
        outlet.services.set(services)
        outlet.instant_issuance = any(s.code == "instant_issuance" for s in services)
        outlet.save(update_fields=["instant_issuance"])
    return outlet


def build_world() -> World:
    w = World()
    for i, (code, name) in enumerate(SERVICES):
        w.services[code] = CardService.objects.create(code=code, name=name, sort_order=i)
    w.districts["A"] = District.objects.create(code="500103", name="渝中区", kind=DistrictKind.DISTRICT)
    w.districts["B"] = District.objects.create(code="500106", name="沙坪坝区", kind=DistrictKind.DISTRICT)
    w.orgs["center"] = Organisation.objects.create(
        code="center", name="重庆市社会保障卡服务中心", kind=OrganisationKind.CENTER
    )
    w.orgs["hrss"] = Organisation.objects.create(
        code="hrss", name="重庆市人力资源和社会保障局", kind=OrganisationKind.HRSS
    )
    w.orgs["nfra"] = Organisation.objects.create(
        code="nfra", name="国家金融监督管理总局重庆监管局", kind=OrganisationKind.NFRA
    )
    w.orgs["hotline"] = Organisation.objects.create(
        code="hotline-12345", name="12345政务服务热线", kind=OrganisationKind.HOTLINE
    )
    w.orgs["operator"] = Organisation.objects.create(
        code="operator", name="平台运维单位", kind=OrganisationKind.OPERATOR
    )
    for key in ("A", "B"):
        d = w.districts[key]
        w.orgs[f"agency{key}"] = Organisation.objects.create(
            code=f"agency-{d.code}",
            name=f"{d.name}社会保障卡管理机构",
            kind=OrganisationKind.DISTRICT_AGENCY,
            district=d,
            parent=w.orgs["center"],
        )
    w.banks["A"] = Bank.objects.create(code="icbc", name="中国工商银行", short_name="工商银行", hotline="95588")
    w.banks["B"] = Bank.objects.create(code="ccb", name="中国建设银行", short_name="建设银行", hotline="95533")
    for key in ("A", "B"):
        bank = w.banks[key]
        branch = Organisation.objects.create(
            code=f"{bank.code}-cq", name=f"{bank.name}重庆市分行", kind=OrganisationKind.BANK_BRANCH, bank=bank
        )
        w.orgs[f"branch{key}"] = branch
        w.orgs[f"sub{key}"] = Organisation.objects.create(
            code=f"{bank.code}-sub-{key}",
            name=f"{bank.name}重庆{w.districts[key].name}支行",
            kind=OrganisationKind.SUB_BRANCH,
            bank=bank,
            parent=branch,
            district=w.districts[key],
        )
    svc = [w.services["apply"], w.services["instant_issuance"], w.services["replacement"]]
    w.outlets["A"] = make_outlet(
        "OA-001",
        "中国工商银行重庆解放碑分理处",
        bank=w.banks["A"],
        sub_branch=w.orgs["subA"],
        district=w.districts["A"],
        services=svc,
    )
    w.outlets["B"] = make_outlet(
        "OB-001",
        "中国建设银行重庆沙坪坝支行营业部",
        bank=w.banks["B"],
        sub_branch=w.orgs["subB"],
        district=w.districts["B"],
        lat=29.5410,
        lng=106.4566,
        services=[w.services["apply"]],
    )
    # A second outlet of bank A in district B: visible to bank A, to district B, not to district A.
    w.outlets["AB"] = make_outlet(
        "OA-002",
        "中国工商银行重庆沙坪坝分理处",
        bank=w.banks["A"],
        sub_branch=w.orgs["subA"],
        district=w.districts["B"],
        lat=29.5500,
        lng=106.4600,
    )
    roles_a = {
        Role.BANK_APPLICANT: w.orgs["subA"],
        Role.OUTLET_STAFF: w.orgs["subA"],
        Role.BANK_HEAD_OFFICE: w.orgs["branchA"],
        Role.DISTRICT_OFFICER: w.orgs["agencyA"],
        Role.DISTRICT_LEADER: w.orgs["agencyA"],
        Role.CENTER_OFFICER: w.orgs["center"],
        Role.CENTER_LEADER: w.orgs["center"],
        Role.REGULATOR: w.orgs["hrss"],
        Role.HOTLINE_OPERATOR: w.orgs["hotline"],
        Role.SYSTEM_ADMIN: w.orgs["operator"],
        Role.SECURITY_ADMIN: w.orgs["operator"],
        Role.AUDIT_ADMIN: w.orgs["operator"],
    }
    for role, org in roles_a.items():
        outlet = w.outlets["A"] if role == Role.OUTLET_STAFF else None
        w.users[role] = make_user(f"{role}_a", role, org, outlet)
    roles_b = {
        Role.BANK_APPLICANT: w.orgs["subB"],
        Role.OUTLET_STAFF: w.orgs["subB"],
        Role.BANK_HEAD_OFFICE: w.orgs["branchB"],
        Role.DISTRICT_OFFICER: w.orgs["agencyB"],
        Role.DISTRICT_LEADER: w.orgs["agencyB"],
    }
    for role, org in roles_b.items():
        outlet = w.outlets["B"] if role == Role.OUTLET_STAFF else None
        w.other[role] = make_user(f"{role}_b", role, org, outlet)
    return w
