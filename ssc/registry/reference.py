"""Reference data (基础数据): districts, management zones, the public bodies, the cooperating banks, their
Chongqing units and the card-service catalogue — loaded by ``manage.py load_reference`` (idempotent).

Sources (copied into ``ssc/registry/data/`` so the application never reads outside its package):

- ``districts.csv`` — the 38 county-level divisions of Chongqing with GB/T 2260 codes (2024 list).
- ``management_zones.csv`` — 两江新区, 西部科学城重庆高新区 and 万盛经开区 with the districts they overlap.
- ``banks.csv`` — the commercial banks known to cooperate on social security cards in Chongqing.

Project-defined codes (GB/T 2260 gives none to the management zones): the zones are ``District`` rows of
kind ``zone`` with the codes ``500190`` (两江新区), ``500191`` (西部科学城重庆高新区) and ``500192``
(万盛经开区). The 5001xx range of GB/T 2260 ends at 500156, so these codes cannot collide with a real one.

Organisation codes: ``center``, ``hrss``, ``nfra``, ``operator``, ``hotline-12333``, ``hotline-12345``,
``agency-<district code>`` for each of the 41 district agencies, ``<bank code>-cq`` for each bank's head
office or Chongqing branch. Bank codes are lower-case slugs of the bank's usual English abbreviation.

Loading is update-or-create by code: reference values overwrite stored ones, except that a stored value is
never blanked by an empty reference value and the zones' overlaps, which the center may edit, are only
filled while empty.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction

from ssc.audit import services as audit

from .choices import DistrictKind, OrganisationKind
from .models import CQ_LAT, CQ_LNG, Bank, CardService, District, Organisation

DATA_DIR = Path(__file__).resolve().parent / "data"

# --- codes --------------------------------------------------------------------------------------------
ZONE_CODES = {"两江新区": "500190", "西部科学城重庆高新区": "500191", "万盛经开区": "500192"}

CENTER_CODE = "center"
HRSS_CODE = "hrss"
NFRA_CODE = "nfra"
OPERATOR_CODE = "operator"
HOTLINE_12333_CODE = "hotline-12333"
HOTLINE_12345_CODE = "hotline-12345"

PUBLIC_BODIES = [
    # (code, name, kind, phone)
    (CENTER_CODE, "重庆市社会保障卡服务中心", OrganisationKind.CENTER, "12333"),
    (HRSS_CODE, "重庆市人力资源和社会保障局", OrganisationKind.HRSS, "12333"),
    (NFRA_CODE, "国家金融监督管理总局重庆监管局", OrganisationKind.NFRA, "12378"),
    (HOTLINE_12333_CODE, "12333人力资源和社会保障服务热线", OrganisationKind.HOTLINE, "12333"),
    (HOTLINE_12345_CODE, "12345政务服务便民热线", OrganisationKind.HOTLINE, "12345"),
    (OPERATOR_CODE, "平台运维单位", OrganisationKind.OPERATOR, ""),
]


def agency_code(district: District) -> str:
    return f"agency-{district.code}"


def agency_name(district: District) -> str:
    return f"{district.name}社会保障卡管理机构"


def branch_code(bank: Bank) -> str:
    return f"{bank.code}-cq"


@dataclass(frozen=True)
class BankInfo:
    """What the project knows of a bank beyond ``banks.csv``."""

    code: str
    hotline: str  # national customer-service number; blank where not known for certain
    branch_name: str  # the head office (local banks) or the Chongqing branch
    weight: float  # relative number of outlets in Chongqing (demo data only)
    coverage: str  # "all" 41 areas, "districts" the 26 districts and zones, "urban" the main urban area


BANKS: dict[str, BankInfo] = {
    "中国工商银行": BankInfo("icbc", "95588", "中国工商银行重庆市分行", 10, "all"),
    "中国农业银行": BankInfo("abc", "95599", "中国农业银行重庆市分行", 12, "all"),
    "中国银行": BankInfo("boc", "95566", "中国银行重庆市分行", 6, "all"),
    "中国建设银行": BankInfo("ccb", "95533", "中国建设银行重庆市分行", 9, "all"),
    "交通银行": BankInfo("bocom", "95559", "交通银行重庆市分行", 3, "districts"),
    "中国邮政储蓄银行": BankInfo("psbc", "95580", "中国邮政储蓄银行重庆分行", 12, "all"),
    "重庆农村商业银行": BankInfo("cqrcb", "966866", "重庆农村商业银行总行", 30, "all"),
    "重庆银行": BankInfo("cqcb", "956023", "重庆银行总行", 4, "districts"),
    # The Three Gorges Bank's hotline is left blank: not known for certain (the center can enter it).
    "重庆三峡银行": BankInfo("cqtgb", "", "重庆三峡银行总行", 2, "districts"),
    "招商银行": BankInfo("cmb", "95555", "招商银行重庆分行", 1.5, "urban"),
    "中国民生银行": BankInfo("cmbc", "95568", "中国民生银行重庆分行", 1, "urban"),
    "兴业银行": BankInfo("cib", "95561", "兴业银行重庆分行", 1, "urban"),
    "中国光大银行": BankInfo("ceb", "95595", "中国光大银行重庆分行", 1, "urban"),
    "广发银行": BankInfo("cgb", "95508", "广发银行重庆分行", 1, "urban"),
    "上海浦东发展银行": BankInfo("spdb", "95528", "上海浦东发展银行重庆分行", 1, "urban"),
    "中信银行": BankInfo("citic", "95558", "中信银行重庆分行", 1, "urban"),
}
# Banks whose name does not already say 重庆: their units are called 中国工商银行重庆xx支行.
LOCAL_BANK_CODES = frozenset({"cqrcb", "cqcb", "cqtgb"})

CARD_SERVICES = [
    # (code, name, description) — the first seven are the codes ``ssc.core.testing.SERVICES`` uses.
    ("apply", "申领", "首次申领社会保障卡"),
    ("instant_issuance", "即时制卡", "现场即时制发社会保障卡"),
    ("replacement", "补换卡", "卡片遗失补领、损坏或到期换领"),
    ("loss_report", "挂失", "临时挂失与正式挂失"),
    ("activation", "激活", "社会保障卡启用（社保功能与金融功能激活）"),
    ("pin_reset", "密码重置", "社保功能密码重置与修改"),
    ("info_change", "信息变更", "持卡人基本信息变更"),
    ("unblock", "解挂", "解除临时挂失"),
    ("financial_account", "金融账户服务", "社会保障卡银行账户开通、限额调整与销户"),
    ("e_card", "电子社保卡", "电子社会保障卡签发与使用指导"),
    ("cancellation", "注销", "社会保障卡注销"),
    ("query", "信息查询", "制卡进度与卡片应用状态查询"),
]
BASIC_SERVICE_CODES = ("apply", "replacement", "loss_report", "activation", "pin_reset")


# --- geography ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Area:
    """Approximate GCJ-02 centre of an area's main town, a radius for demo points, and local place names."""

    lat: float
    lng: float
    radius_km: float
    weight: float  # resident population in 10,000s (rounded), used to spread demo outlets
    short: str  # the name banks use in their units' names (中国工商银行重庆<short>支行)
    places: tuple[str, ...] = field(default_factory=tuple)


def _a(lat: float, lng: float, r: float, w: float, short: str, places: str) -> Area:
    return Area(lat, lng, r, w, short, tuple(places.split()))


AREAS: dict[str, Area] = {
    "500101": _a(
        30.8078, 108.4089, 7, 156, "万州", "高笋塘 太白 北山 牌楼 钟鼓楼 龙都 五桥 百安坝 天城 江南 沙河 周家坝 分水"
    ),
    "500102": _a(29.7032, 107.3897, 5, 112, "涪陵", "敦仁 崇义 荔枝 江东 李渡 龙桥 马鞍 白涛 南沱 珍溪 蔺市 新妙"),
    "500103": _a(
        29.5565, 106.5680, 2.5, 59, "渝中", "解放碑 较场口 七星岗 上清寺 两路口 大溪沟 菜园坝 化龙桥 大坪 石油路 朝天门"
    ),
    "500104": _a(29.4845, 106.4825, 3, 42, "大渡口", "新山村 跃进村 九宫庙 茄子溪 春晖路 八桥 建胜 跳磴"),
    "500105": _a(29.6066, 106.5740, 4, 93, "江北", "观音桥 华新街 五里店 江北城 石马河 大石坝 寸滩 郭家沱 鱼嘴 复盛"),
    "500106": _a(
        29.5410,
        106.4568,
        4.5,
        148,
        "沙坪坝",
        "小龙坎 三峡广场 天星桥 磁器口 井口 歌乐山 山洞 新桥 土湾 覃家岗 陈家桥 青木关",
    ),
    "500107": _a(
        29.5020, 106.5110, 4.5, 153, "九龙坡", "杨家坪 谢家湾 石坪桥 黄桷坪 石桥铺 二郎 中梁山 华岩 西彭 陶家 铜罐驿"
    ),
    "500108": _a(
        29.5230, 106.5640, 4, 120, "南岸", "南坪 海棠溪 龙门浩 弹子石 铜元局 花园路 南山 涂山 鸡冠石 茶园 长生桥 迎龙"
    ),
    "500109": _a(29.8057, 106.3964, 4.5, 83, "北碚", "天生 朝阳 北温泉 东阳 龙凤桥 歇马 澄江 童家溪 静观 天府"),
    "500110": _a(29.0282, 106.6510, 4, 74, "綦江", "古南 文龙 三江 通惠 东溪 赶水 打通 石角 永新 篆塘"),
    "500111": _a(29.7075, 105.7215, 4, 83, "大足", "龙岗 棠香 智凤 龙水 邮亭 宝顶 三驱 万古 石马"),
    "500112": _a(
        29.7180,
        106.6310,
        5.5,
        219,
        "渝北",
        "双龙湖 回兴 翠云 龙溪 龙山 龙塔 新牌坊 两路 双凤桥 仙桃 统景 洛碛 石船 古路",
    ),
    "500113": _a(29.4020, 106.5400, 5, 118, "巴南", "鱼洞 龙洲湾 李家沱 花溪 南泉 一品 界石 木洞 南彭 惠民"),
    "500114": _a(29.5330, 108.7710, 3.5, 49, "黔江", "城东 城南 城西 正阳 舟白 冯家 濯水 石会 阿蓬江"),
    "500115": _a(29.8579, 107.0810, 4, 69, "长寿", "凤城 晏家 江南 渡舟 菩提 葛兰 但渡 双龙 邻封"),
    "500116": _a(29.2905, 106.2590, 5, 136, "江津", "几江 德感 双福 鼎山 支坪 白沙 珞璜 油溪 吴滩 石门 朱杨 李市 先锋"),
    "500117": _a(29.9720, 106.2760, 5, 124, "合川", "合阳城 钓鱼城 南津街 盐井 草街 云门 大石 沙鱼 官渡 太和 铜溪"),
    "500118": _a(
        29.3560, 105.9270, 4, 115, "永川", "中山路 胜利路 南大街 茶山竹海 大安 陈食 卫星湖 朱沱 松溉 来苏 双石 仙龙"
    ),
    "500119": _a(29.1580, 107.0990, 3, 57, "南川", "东城 南城 西城 三泉 南平 神童 鸣玉 大观 水江"),
    "500120": _a(29.5920, 106.2270, 3.5, 76, "璧山", "璧城 璧泉 青杠 来凤 丁家 大路 八塘 七塘 河边 正兴 广普"),
    "500151": _a(29.8450, 106.0560, 3, 69, "铜梁", "巴川 东城 南城 蒲吕 旧县 土桥 安居 少云 维新 大庙"),
    "500152": _a(30.1900, 105.8400, 3, 69, "潼南", "梓潼 桂林 双江 柏梓 塘坝 宝龙 米心 古溪 龙形"),
    "500153": _a(29.4050, 105.5940, 3, 67, "荣昌", "昌元 昌州 广顺 安富 峰高 双河 直升 吴家 盘龙 河包"),
    "500154": _a(31.1610, 108.3930, 3.5, 120, "开州", "汉丰 文峰 云枫 镇东 丰乐 白鹤 赵家 临江 温泉 郭家 大德"),
    "500155": _a(30.6740, 107.8000, 3, 64, "梁平", "梁山 双桂 仁贤 礼让 云龙 屏锦 袁驿 新盛 福禄"),
    "500156": _a(29.3250, 107.7600, 2.5, 35, "武隆", "凤山 芙蓉 仙女山 白马 江口 火炉 鸭江 长坝"),
    "500229": _a(31.9480, 108.6640, 1.5, 19, "城口", "葛城 复兴 巴山 坪坝 修齐 高观"),
    "500230": _a(29.8640, 107.7310, 3, 56, "丰都", "三合 名山 兴义 高家 十直 树人 社坛 虎威"),
    "500231": _a(30.3330, 107.3330, 3, 65, "垫江", "桂溪 桂阳 新民 沙坪 周嘉 澄溪 高安 鹤游"),
    "500233": _a(30.3000, 108.0380, 3, 72, "忠县", "忠州 白公 拔山 新生 任家 乌杨 石宝 官坝"),
    "500235": _a(30.9300, 108.6970, 3, 93, "云阳", "双江 青龙 人和 盘龙 故陵 江口 南溪 云安 凤鸣"),
    "500236": _a(31.0190, 109.4650, 3, 75, "奉节", "永安 鱼复 夔门 朱衣 公平 草堂 白帝 吐祥 康乐"),
    "500237": _a(31.0750, 109.8790, 2, 46, "巫山", "高唐 龙门 大昌 官渡 庙宇 福田 骡坪"),
    "500238": _a(31.3990, 109.6280, 2, 39, "巫溪", "柏杨 城厢 凤凰 宁厂 上磺 古路 文峰"),
    "500240": _a(29.9990, 108.1140, 2, 39, "石柱", "南宾 万安 下路 西沱 悦崃 临溪 黄水"),
    "500241": _a(28.4480, 108.9890, 2.5, 49, "秀山", "中和 乌杨 平凯 清溪场 溶溪 洪安 石耶 官庄"),
    "500242": _a(28.8410, 108.7670, 2, 56, "酉阳", "桃花源 钟多 龙潭 麻旺 酉酬 大溪 兴隆 黑水"),
    "500243": _a(29.2940, 108.1660, 2, 48, "彭水", "汉葭 绍庆 靛水 保家 郁山 高谷 桑柘 鹿角"),
    # management zones (project codes, see the module docstring)
    "500190": _a(29.6600, 106.5600, 6, 45, "两江", "礼嘉 照母山 人和 天宫殿 鸳鸯 大竹林 悦来 龙兴 水土 复兴 鱼复"),
    "500191": _a(29.5850, 106.3300, 5, 35, "高新", "西永 虎溪 曾家 含谷 金凤 白市驿 巴福 香炉山"),
    "500192": _a(28.9630, 106.9270, 3, 25, "万盛", "万东 万盛 南桐 东林 丛林 青年 关坝 黑山"),
}

# The main urban area (主城都市区中心城区) and the districts the joint-stock banks also serve.
URBAN_CODES = frozenset(
    {"500103", "500104", "500105", "500106", "500107", "500108", "500109", "500112", "500113"}
    | {"500190", "500191", "500101", "500102", "500118"}
)


def bank_operates_in(info: BankInfo, district_code: str, district_kind: str) -> bool:
    if info.coverage == "all":
        return True
    if info.coverage == "districts":
        return district_kind in (DistrictKind.DISTRICT, DistrictKind.ZONE)
    return district_code in URBAN_CODES


def random_point(area: Area, rng: random.Random) -> tuple[float, float]:
    """A point uniformly inside the area's circle, kept inside Chongqing's bounding box (GCJ-02)."""
    r = area.radius_km * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    lat = area.lat + (r * math.sin(theta)) / 111.0
    lng = area.lng + (r * math.cos(theta)) / (111.0 * math.cos(math.radians(area.lat)))
    lat = min(max(lat, CQ_LAT[0]), CQ_LAT[1])
    lng = min(max(lng, CQ_LNG[0]), CQ_LNG[1])
    return round(lat, 6), round(lng, 6)


def unit_prefix(bank: Bank) -> str:
    """``中国工商银行重庆`` for national banks, ``重庆农村商业银行`` for the local ones."""
    return bank.name if bank.code in LOCAL_BANK_CODES else f"{bank.name}重庆"


def sub_branch_name(bank: Bank, area_short: str) -> str:
    return f"{unit_prefix(bank)}{area_short}支行"


# --- reading the CSV files ----------------------------------------------------------------------------
def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8-sig", newline="") as fh:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def district_rows() -> list[dict[str, str]]:
    return _read_csv("districts.csv")


def zone_rows() -> list[dict[str, str]]:
    return _read_csv("management_zones.csv")


def bank_rows() -> list[dict[str, str]]:
    return _read_csv("banks.csv")


# --- loading ------------------------------------------------------------------------------------------
@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, label: str, created: bool, changed: bool) -> None:
        if created:
            self.created[label] = self.created.get(label, 0) + 1
        elif changed:
            self.updated[label] = self.updated.get(label, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _upsert(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> tuple[Any, bool, bool]:
    """Get-or-create by ``lookup``; on an existing row, save only when a value really differs.

    An empty reference value never blanks a stored one (the center may have filled it in)."""
    obj = model.objects.filter(**lookup).first()  # type: ignore[attr-defined]
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        return obj, True, False
    changed = False
    for key, value in values.items():
        if value in ("", None) and getattr(obj, key) not in ("", None):
            continue
        current = getattr(obj, key + "_id") if isinstance(value, models.Model) else getattr(obj, key)
        target = value.pk if isinstance(value, models.Model) else value
        if current != target:
            setattr(obj, key, value)
            changed = True
    if changed:
        obj.save()
    return obj, False, changed


@transaction.atomic
def load_reference(*, audit_event: bool = True) -> LoadResult:
    """Create or update all reference data. Running it again changes nothing.

    When something changed, one audit event summarises it (``audit_event=False`` lets a caller such as
    ``seed_demo`` fold the counts into its own event)."""
    result = LoadResult()

    for i, (code, name, description) in enumerate(CARD_SERVICES):
        _, c, u = _upsert(CardService, {"code": code}, {"name": name, "description": description, "sort_order": i})
        result.count("card_services", c, u)

    districts: dict[str, District] = {}
    for row in district_rows():
        d, c, u = _upsert(District, {"code": row["code"]}, {"name": row["name"], "kind": row["kind"]})
        districts[d.code] = d
        result.count("districts", c, u)
    for row in zone_rows():
        code = ZONE_CODES[row["name"]]
        zone, c, u = _upsert(District, {"code": code}, {"name": row["name"], "kind": DistrictKind.ZONE})
        districts[code] = zone
        result.count("districts", c, u)
        if not zone.overlaps.exists():
            overlap_codes = [x.strip() for x in row["lies_partly_in"].split(";") if x.strip()]
            zone.overlaps.set([districts[x] for x in overlap_codes])
            if not c:
                result.count("districts", False, True)

    orgs: dict[str, Organisation] = {}
    for code, name, kind, phone in PUBLIC_BODIES:
        org, c, u = _upsert(Organisation, {"code": code}, {"name": name, "kind": kind, "phone": phone})
        orgs[code] = org
        result.count("organisations", c, u)
    center = orgs[CENTER_CODE]
    for d in sorted(districts.values(), key=lambda x: x.code):
        _, c, u = _upsert(
            Organisation,
            {"code": agency_code(d)},
            {"name": agency_name(d), "kind": OrganisationKind.DISTRICT_AGENCY, "district": d, "parent": center},
        )
        result.count("organisations", c, u)

    for i, row in enumerate(bank_rows()):
        info = BANKS[row["name"]]
        bank, c, u = _upsert(
            Bank,
            {"code": info.code},
            {"name": row["name"], "short_name": row["short_name"], "hotline": info.hotline, "sort_order": i},
        )
        result.count("banks", c, u)
        _, c, u = _upsert(
            Organisation,
            {"code": branch_code(bank)},
            {"name": info.branch_name, "kind": OrganisationKind.BANK_BRANCH, "bank": bank, "phone": info.hotline},
        )
        result.count("organisations", c, u)
    if audit_event and result.changed:
        audit.record(
            action="registry.load_reference",
            object_type="registry.district",
            object_repr="基础数据",
            after={"created": result.created, "updated": result.updated},
        )
    return result


def center() -> Organisation:
    return Organisation.objects.get(code=CENTER_CODE)


def bank_branch(bank: Bank) -> Organisation:
    return Organisation.objects.get(code=branch_code(bank))
