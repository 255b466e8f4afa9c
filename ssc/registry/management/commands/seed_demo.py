"""``manage.py seed_demo [--outlets N] [--password P]`` — the demo world (演示数据).

Loads the reference data, then for every bank a first-level sub-branch (一级支行) in each area it serves
(two in the busiest urban districts for the large banks), N outlets spread over the 41 areas in proportion
to bank size and population, system accounts for operating outlets, and one user for every role in
several organisations. Everything is generated from a fixed random seed, so two runs with the same N
produce the same world; rows that already exist (by code / username) are left alone, so running the
command twice changes nothing. One audit event summarises what a run created.

The admission workflow arrives later (issue 2); outlet statuses are set directly here.
"""

from __future__ import annotations

import os
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.accounts.models import User
from ssc.audit import services as audit
from ssc.core import context
from ssc.registry import reference as ref
from ssc.registry.choices import AccountType, InterconnectionMode, OrganisationKind, OutletStatus
from ssc.registry.imports import insert_service_links, search_fields
from ssc.registry.models import INSTANT_ISSUANCE_CODE, Bank, CardService, District, Organisation, Outlet, SystemAccount

DEFAULT_OUTLETS = 3000
DEFAULT_PASSWORD = "Demo-2026!"  # noqa: S105 - documented demo password, overridable by SSC_DEMO_PASSWORD
RANDOM_SEED = 20260302

# Large banks keep a second first-level sub-branch in the busiest districts.
SECOND_SUB_BRANCH_BANKS = frozenset({"icbc", "abc", "boc", "ccb", "cqrcb"})
SECOND_SUB_BRANCH_AREAS = frozenset({"500103", "500105", "500106", "500107", "500108", "500112"})

# Outlets the demo users work at; they exist whatever N is.
ANCHORS = [
    # (code, bank, district, sub-branch code, name)
    ("ICBC-500103-0001", "icbc", "500103", "icbc-500103", "中国工商银行重庆较场口分理处"),
    ("CQRCB-500106-0001", "cqrcb", "500106", "cqrcb-500106", "重庆农村商业银行沙坪坝支行营业部"),
]
# Names kept free for the walk-through of SCENARIOS.md A (the applicant registers it).
RESERVED_NAMES = frozenset({"中国工商银行重庆解放碑分理处"})

STATUS_WEIGHTS = [
    (OutletStatus.ACTIVE, 78),
    (OutletStatus.UNDER_RECTIFICATION, 4),
    (OutletStatus.TERMINATING, 1),
    (OutletStatus.TERMINATED, 5),
    (OutletStatus.APPLYING, 6),
    (OutletStatus.PREPARING, 5),
    (OutletStatus.REJECTED, 1),
]
# Outlets that operate (or operated) have system accounts; a terminated outlet's are closed.
OPERATING = {OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION, OutletStatus.TERMINATING}

OUTLET_SUFFIXES = ["分理处", "支行", "分理处", "支行", "储蓄所"]
ROAD_SUFFIXES = ["正街", "路", "大道", "中路", "北路", "南路", "新街", "大街"]
GENERIC_PLACES = frozenset({"城东", "城南", "城西", "东城", "南城", "西城", "江南", "江北"})
WEEKDAY_HOURS = ["09:00-17:00", "09:00-17:00", "08:30-17:30", "09:00-17:30", "08:30-17:00"]
WEEKEND_HOURS = ["", "09:00-17:00", "09:30-16:30", "10:00-16:00", "09:00-12:00"]
HOURS_NOTES = ["", "", "", "", "法定节假日营业时间另行公告", "中午不休息", "每月最后一个工作日下午盘点暂停服务"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    org_code: str
    label: str
    outlet_code: str | None = None


DEMO_USERS = [
    DemoUser("center_officer", Role.CENTER_OFFICER, ref.CENTER_CODE, "市社保卡服务中心经办人"),
    DemoUser("center_leader", Role.CENTER_LEADER, ref.CENTER_CODE, "市社保卡服务中心负责人"),
    DemoUser("regulator_hrss", Role.REGULATOR, ref.HRSS_CODE, "市人社局监管人员"),
    DemoUser("regulator_nfra", Role.REGULATOR, ref.NFRA_CODE, "重庆金融监管局监管人员"),
    DemoUser("hotline_12333", Role.HOTLINE_OPERATOR, ref.HOTLINE_12333_CODE, "12333 坐席"),
    DemoUser("hotline_12345", Role.HOTLINE_OPERATOR, ref.HOTLINE_12345_CODE, "12345 坐席"),
    DemoUser("hotline_icbc", Role.HOTLINE_OPERATOR, "icbc-cq", "工商银行 95588 坐席"),
    DemoUser("sysadmin", Role.SYSTEM_ADMIN, ref.OPERATOR_CODE, "系统管理员"),
    DemoUser("secadmin", Role.SECURITY_ADMIN, ref.OPERATOR_CODE, "安全管理员"),
    DemoUser("auditadmin", Role.AUDIT_ADMIN, ref.OPERATOR_CODE, "审计管理员"),
    DemoUser("yuzhong_officer", Role.DISTRICT_OFFICER, "agency-500103", "渝中区经办人"),
    DemoUser("yuzhong_leader", Role.DISTRICT_LEADER, "agency-500103", "渝中区负责人"),
    DemoUser("shapingba_officer", Role.DISTRICT_OFFICER, "agency-500106", "沙坪坝区经办人"),
    DemoUser("shapingba_leader", Role.DISTRICT_LEADER, "agency-500106", "沙坪坝区负责人"),
    DemoUser("wanzhou_officer", Role.DISTRICT_OFFICER, "agency-500101", "万州区经办人"),
    DemoUser("wanzhou_leader", Role.DISTRICT_LEADER, "agency-500101", "万州区负责人"),
    DemoUser("liangjiang_officer", Role.DISTRICT_OFFICER, "agency-500190", "两江新区经办人"),
    DemoUser("liangjiang_leader", Role.DISTRICT_LEADER, "agency-500190", "两江新区负责人"),
    DemoUser("icbc_head", Role.BANK_HEAD_OFFICE, "icbc-cq", "工商银行重庆市分行"),
    DemoUser("icbc_applicant", Role.BANK_APPLICANT, "icbc-500103", "工商银行渝中支行申请人"),
    DemoUser("icbc_staff", Role.OUTLET_STAFF, "icbc-500103", "工商银行较场口分理处", "ICBC-500103-0001"),
    DemoUser("cqrcb_head", Role.BANK_HEAD_OFFICE, "cqrcb-cq", "重庆农商行总行"),
    DemoUser("cqrcb_applicant", Role.BANK_APPLICANT, "cqrcb-500106", "重庆农商行沙坪坝支行申请人"),
    DemoUser("cqrcb_staff", Role.OUTLET_STAFF, "cqrcb-500106", "重庆农商行沙坪坝支行营业部", "CQRCB-500106-0001"),
]


@dataclass
class SeedResult:
    reference: ref.LoadResult = field(default_factory=ref.LoadResult)
    sub_branches: int = 0
    outlets: int = 0
    service_links: int = 0
    system_accounts: int = 0
    users: int = 0
    passwords_reset: int = 0
    status_counts: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.reference.changed or self.sub_branches or self.outlets or self.users or self.passwords_reset)


def outlet_code(bank: Bank, district: District, seq: int) -> str:
    return f"{bank.code.upper()}-{district.code}-{seq:04d}"


def largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` that add up exactly to ``total``."""
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * len(weights)
    raw = [total * w / s for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - counts[i], -i), reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def ensure_sub_branches(districts: list[District], banks: list[Bank]) -> tuple[dict[tuple[str, str], list], int]:
    """One sub-branch per bank and area it serves (two in busy districts for large banks); returns them by
    (bank code, district code) and how many were created."""
    branches = {o.bank_id: o for o in Organisation.objects.filter(kind=OrganisationKind.BANK_BRANCH)}
    existing = {o.code: o for o in Organisation.objects.filter(kind=OrganisationKind.SUB_BRANCH)}
    wanted: list[tuple[tuple[str, str], Organisation]] = []
    for bank in banks:
        info = ref.BANKS.get(bank.name)
        if info is None or bank.pk not in branches:
            continue
        for d in districts:
            area = ref.AREAS[d.code]
            if not ref.bank_operates_in(info, d.code, d.kind):
                continue
            units = [(f"{bank.code}-{d.code}", ref.sub_branch_name(bank, area.short))]
            if bank.code in SECOND_SUB_BRANCH_BANKS and d.code in SECOND_SUB_BRANCH_AREAS:
                units.append((f"{bank.code}-{d.code}-2", f"{ref.unit_prefix(bank)}{area.places[0]}支行"))
            for code, name in units:
                org = existing.get(code) or Organisation(
                    code=code,
                    name=name,
                    kind=OrganisationKind.SUB_BRANCH,
                    bank=bank,
                    parent=branches[bank.pk],
                    district=d,
                    address=f"重庆市{d.name}{area.places[0]}{ROAD_SUFFIXES[0]}{sum(map(ord, code)) % 300 + 1}号",
                )
                wanted.append(((bank.code, d.code), org))
    new = [org for _key, org in wanted if org.pk is None]
    Organisation.objects.bulk_create(new, batch_size=500)
    if new and new[0].pk is None:  # a backend without RETURNING: read the ids back
        ids = dict(Organisation.objects.filter(code__in=[o.code for o in new]).values_list("code", "pk"))
        for o in new:
            o.pk = ids[o.code]
    by_pair: dict[tuple[str, str], list[Organisation]] = defaultdict(list)
    for key, org in wanted:
        by_pair[key].append(org)
    return by_pair, len(new)


class OutletFactory:
    """Plausible outlets for one seeded run (names, addresses, hours, services, phones, statuses)."""

    def __init__(self, rng: random.Random, services: dict[str, CardService], used_names: set[str]):
        self.rng = rng
        self.services = services
        self.used_names = used_names | set(RESERVED_NAMES)

    def name(self, bank: Bank, district: District, area: ref.Area) -> tuple[str, str]:
        """An unused outlet name and the place it is named after."""
        prefix = ref.unit_prefix(bank)
        rng = self.rng
        for _attempt in range(12):
            place = rng.choice(area.places)
            label = area.short + place if place in GENERIC_PLACES else place
            name = f"{prefix}{label}{rng.choice(OUTLET_SUFFIXES)}"
            if bank.code not in ("psbc", "abc", "cqrcb") and name.endswith("储蓄所"):
                name = name[: -len("储蓄所")] + "分理处"
            if name not in self.used_names:
                self.used_names.add(name)
                return name, place
        place = rng.choice(area.places)
        n = 2
        while True:
            road = rng.choice(ROAD_SUFFIXES)
            name = f"{prefix}{area.short}{place}{road}分理处" if n == 2 else f"{prefix}{place}第{n}分理处"
            if name not in self.used_names:
                self.used_names.add(name)
                return name, place
            n += 1

    def address(self, district: District, place: str) -> str:
        rng = self.rng
        number = rng.randint(1, 399)
        street = place if place.endswith(("路", "街")) else place + rng.choice(ROAD_SUFFIXES)
        extra = rng.choice(["", "", "", f"附{rng.randint(1, 9)}号", f"{rng.randint(1, 3)}楼"])
        return f"重庆市{district.name}{street}{number}号{extra}"

    def phone(self) -> str:
        return f"023-{self.rng.choice('4678')}{self.rng.randint(0, 9_999_999):07d}"

    def service_codes(self) -> list[str]:
        rng = self.rng
        codes = list(ref.BASIC_SERVICE_CODES)
        for code, p in (
            ("unblock", 0.8),
            ("info_change", 0.7),
            ("financial_account", 0.6),
            ("query", 0.5),
            ("e_card", 0.4),
            (INSTANT_ISSUANCE_CODE, 0.35),
            ("cancellation", 0.2),
        ):
            if rng.random() < p:
                codes.append(code)
        return [c for c in codes if c in self.services]

    def build(
        self,
        *,
        code: str,
        bank: Bank,
        district: District,
        sub_branch: Organisation,
        name: str | None = None,
        status: str | None = None,
    ) -> tuple[Outlet, list[str]]:
        rng = self.rng
        area = ref.AREAS[district.code]
        if name is None:
            name, place = self.name(bank, district, area)
        else:
            self.used_names.add(name)
            place = rng.choice(area.places)
        lat, lng = ref.random_point(area, rng)
        if status is None:
            status = rng.choices([s for s, _w in STATUS_WEIGHTS], weights=[w for _s, w in STATUS_WEIGHTS])[0]
        legacy = rng.random() < 0.15
        planned = None
        if legacy and rng.random() < 0.7:
            planned = date(2026, 3, 1) + timedelta(days=rng.randint(0, 480))
        codes = self.service_codes()
        outlet = Outlet(
            code=code,
            name=name,
            bank=bank,
            sub_branch=sub_branch,
            district=district,
            address=self.address(district, place),
            latitude=lat,
            longitude=lng,
            weekday_hours=rng.choice(WEEKDAY_HOURS),
            weekend_hours=rng.choice(WEEKEND_HOURS),
            hours_note=rng.choice(HOURS_NOTES),
            consultation_phone=self.phone(),
            complaint_phone=bank.hotline if bank.hotline and rng.random() < 0.5 else self.phone(),
            interconnection_mode=InterconnectionMode.LEGACY if legacy else InterconnectionMode.JINYU,
            jinyu_migration_planned_on=planned,
            status=status,
            instant_issuance=INSTANT_ISSUANCE_CODE in codes,
        )
        outlet.name_pinyin, outlet.name_initials = search_fields(name)  # bulk_create skips save()
        return outlet, codes


CHUNK = 5000


def seed_outlets(
    n: int, rng: random.Random, sub_branches: dict[tuple[str, str], list[Organisation]], result: SeedResult
) -> None:
    """Create the outlets that do not exist yet, in chunks (constant memory even for 100,000 outlets)."""
    banks = {b.code: b for b in Bank.objects.all()}
    districts = {d.code: d for d in District.objects.all()}
    services = {s.code: s for s in CardService.objects.all()}
    existing_codes = set(Outlet.objects.values_list("code", flat=True))
    factory = OutletFactory(rng, services, set(Outlet.objects.values_list("name", flat=True)))
    # Account dates come from their own generator, so the outlets do not depend on the chunk size.
    account_rng = random.Random(rng.random())  # noqa: S311 - demo data
    pairs = sorted(sub_branches)
    weights = [ref.BANKS[banks[b].name].weight * ref.AREAS[d].weight for b, d in pairs]
    counts = largest_remainder(max(n - len(ANCHORS), 0), weights)
    # The codes depend only on the allocation: when all exist, there is nothing to generate.
    wanted = {a[0] for a in ANCHORS}
    for (bank_code, district_code), count in zip(pairs, counts, strict=True):
        first = 2 if any(a[1] == bank_code and a[2] == district_code for a in ANCHORS) else 1
        wanted.update(
            outlet_code(banks[bank_code], districts[district_code], seq) for seq in range(first, first + count)
        )
    if wanted <= existing_codes:
        return

    def planned() -> Iterator[tuple[Outlet, list[str]]]:
        taken_seq: dict[tuple[str, str], int] = defaultdict(int)
        for code, bank_code, district_code, sub_code, name in ANCHORS:
            bank, district = banks[bank_code], districts[district_code]
            sub = next(o for o in sub_branches[(bank_code, district_code)] if o.code == sub_code)
            taken_seq[(bank_code, district_code)] += 1
            yield factory.build(
                code=code, bank=bank, district=district, sub_branch=sub, name=name, status=OutletStatus.ACTIVE
            )
        for (bank_code, district_code), count in zip(pairs, counts, strict=True):
            bank, district = banks[bank_code], districts[district_code]
            subs = sub_branches[(bank_code, district_code)]
            for i in range(count):
                seq = taken_seq[(bank_code, district_code)] + 1
                taken_seq[(bank_code, district_code)] = seq
                yield factory.build(
                    code=outlet_code(bank, district, seq), bank=bank, district=district, sub_branch=subs[i % len(subs)]
                )

    status_counts: dict[str, int] = defaultdict(int)
    chunk: list[tuple[Outlet, list[str]]] = []
    for item in planned():
        if item[0].code not in existing_codes:
            chunk.append(item)
        if len(chunk) >= CHUNK:
            _write_outlets(chunk, services, account_rng, result, status_counts)
            chunk = []
    if chunk:
        _write_outlets(chunk, services, account_rng, result, status_counts)
    result.status_counts = dict(sorted(status_counts.items()))


def _write_outlets(
    new: list[tuple[Outlet, list[str]]],
    services: dict[str, CardService],
    rng: random.Random,
    result: SeedResult,
    status_counts: dict[str, int],
) -> None:
    Outlet.objects.bulk_create([o for o, _codes in new], batch_size=1000)
    if new[0][0].pk is None:
        ids = dict(Outlet.objects.filter(code__in=[o.code for o, _codes in new]).values_list("code", "pk"))
        for o, _codes in new:
            o.pk = ids[o.code]
    links = [(o.pk, services[c].pk) for o, codes in new for c in codes]
    insert_service_links(links)

    accounts = []
    for o, _codes in new:
        status_counts[o.status] += 1
        if o.status not in OPERATING and o.status != OutletStatus.TERMINATED:
            continue
        opened = date(2021, 1, 4) + timedelta(days=rng.randint(0, 1700))
        closed = opened + timedelta(days=rng.randint(200, 400)) if o.status == OutletStatus.TERMINATED else None
        for account_type, suffix, holder in (
            (AccountType.OPERATOR, "OP01", "柜员一"),
            (AccountType.OPERATOR, "OP02", "柜员二"),
            (AccountType.TERMINAL, "T01", ""),
        ):
            accounts.append(
                SystemAccount(
                    outlet_id=o.pk,
                    account_type=account_type,
                    identifier=f"{o.code}-{suffix}",
                    holder=holder,
                    opened_on=opened,
                    closed_on=closed,
                )
            )
    SystemAccount.objects.bulk_create(accounts, batch_size=2000)
    result.outlets += len(new)
    result.service_links += len(links)
    result.system_accounts += len(accounts)


def seed_users(password: str, reset_passwords: bool, result: SeedResult) -> list[tuple[DemoUser, User]]:
    orgs = {o.code: o for o in Organisation.objects.filter(code__in={u.org_code for u in DEMO_USERS})}
    outlets = {o.code: o for o in Outlet.objects.filter(code__in={u.outlet_code for u in DEMO_USERS if u.outlet_code})}
    existing = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
    hashed = make_password(password)  # hashed once, shared by every demo user (fast)
    now = timezone.now()
    out = []
    for spec in DEMO_USERS:
        user = existing.get(spec.username)
        if user is None:
            user = User(
                username=spec.username,
                role=spec.role,
                organisation=orgs[spec.org_code],
                outlet=outlets[spec.outlet_code] if spec.outlet_code else None,
                first_name=spec.label,
                password=hashed,
                password_changed_at=now,
                # The system and security administrators work in the admin site (三员分立: accounts/config, roles).
                is_staff=spec.role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN),
            )
            try:
                user.full_clean()
            except ValidationError as exc:  # a programming error in DEMO_USERS, never user input
                raise CommandError(f"demo user {spec.username} is invalid: {exc.messages}") from exc
            user.save()
            result.users += 1
        elif reset_passwords:
            User.objects.filter(pk=user.pk).update(password=hashed, password_changed_at=now, locked_until=None)
            user.password = hashed
            result.passwords_reset += 1
        out.append((spec, user))
    return out


@transaction.atomic
def seed(*, outlets: int = DEFAULT_OUTLETS, password: str = DEFAULT_PASSWORD, reset_passwords: bool = False,
         random_seed: int = RANDOM_SEED) -> tuple[SeedResult, list[tuple[DemoUser, User]]]:  # fmt: skip
    """Create the demo world (see the module docstring); returns what was created and the demo users."""
    result = SeedResult()
    result.reference = ref.load_reference(audit_event=False)
    districts = list(District.objects.order_by("code"))
    banks = list(Bank.objects.order_by("sort_order", "code"))
    sub_branches, result.sub_branches = ensure_sub_branches(districts, banks)
    rng = random.Random(random_seed)  # noqa: S311 - reproducible demo data, not security
    seed_outlets(outlets, rng, sub_branches, result)
    users = seed_users(password, reset_passwords, result)
    if result.changed:
        audit.record(
            action="registry.seed_demo",
            object_type="registry.outlet",
            object_repr="演示数据",
            after={
                "reference_created": result.reference.created,
                "reference_updated": result.reference.updated,
                "sub_branches": result.sub_branches,
                "outlets": result.outlets,
                "outlet_statuses": result.status_counts,
                "service_links": result.service_links,
                "system_accounts": result.system_accounts,
                "users": result.users,
                "passwords_reset": result.passwords_reset,
            },
        )
    return result, users


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


class Command(BaseCommand):
    help = _("生成演示数据：基础数据、各银行一级支行、N 个网点、系统账户和每个角色的演示用户（可重复执行）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--outlets",
            type=int,
            default=DEFAULT_OUTLETS,
            help=_("网点数量（默认 %(n)d）") % {"n": DEFAULT_OUTLETS},
        )
        parser.add_argument(
            "--password",
            default=None,
            help=_("演示用户的密码（默认取环境变量 SSC_DEMO_PASSWORD，否则为 %(p)s）") % {"p": DEFAULT_PASSWORD},
        )
        parser.add_argument("--reset-passwords", action="store_true", help=_("把已存在的演示用户的密码重置为该密码"))
        parser.add_argument("--seed", type=int, default=RANDOM_SEED, help=_("随机数种子（默认固定，结果可重现）"))

    def handle(self, *args: Any, **options: Any) -> None:
        n = options["outlets"]
        if n < 0:
            raise CommandError(_("网点数量不能为负数。"))
        password = options["password"] or os.environ.get("SSC_DEMO_PASSWORD") or DEFAULT_PASSWORD
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(_("密码不符合密码策略：%(m)s") % {"m": " ".join(exc.messages)}) from exc
        started = time.monotonic()
        with context.use(source="command"):
            result, users = seed(
                outlets=n, password=password, reset_passwords=options["reset_passwords"], random_seed=options["seed"]
            )
        elapsed = time.monotonic() - started
        out = self.stdout
        out.write(
            _(
                "基础数据新增 %(ref)d 条；一级支行新增 %(subs)d 个；网点新增 %(outlets)d 个"
                "（服务项目 %(links)d 条，系统账户 %(accounts)d 个）；用户新增 %(users)d 个；用时 %(secs).1f 秒。"
            )
            % {
                "ref": sum(result.reference.created.values()),
                "subs": result.sub_branches,
                "outlets": result.outlets,
                "links": result.service_links,
                "accounts": result.system_accounts,
                "users": result.users,
                "secs": elapsed,
            }
        )
        if result.status_counts:
            labels = dict(OutletStatus.choices)
            counts = "，".join(f"{labels[k]} {v}" for k, v in result.status_counts.items())
            out.write(_("新增网点状态：%(counts)s") % {"counts": counts})
        if not result.changed:
            out.write(_("演示数据已存在，本次未作任何变更。"))
        from ssc.core.demo import run_steps

        with context.use(source="command"):
            for line in run_steps(options["seed"]):
                out.write(line)
        out.write("")
        out.write(_("演示账号："))
        rows = [(_("用户名"), _("角色"), _("所属机构"))]
        for spec, user in users:
            org = user.organisation.name if user.organisation else ""
            if user.outlet is not None:
                org += f" / {user.outlet.name}"
            rows.append((spec.username, str(Role(spec.role).label), org))
        w0 = max(_width(r[0]) for r in rows) + 2
        w1 = max(_width(r[1]) for r in rows) + 2
        for r in rows:
            out.write(_pad(r[0], w0) + _pad(r[1], w1) + r[2])
        out.write("")
        if result.users or result.passwords_reset:
            out.write(_("新建/重置的演示账号密码均为：%(p)s") % {"p": password})
        else:
            out.write(
                _(
                    "已存在的演示账号密码未改动，仍为创建时设置的密码（默认 %(p)s；"
                    "如需重置为本次指定的密码请加 --reset-passwords）。"
                )
                % {"p": DEFAULT_PASSWORD}
            )
