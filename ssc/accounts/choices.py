"""Roles (角色) of PRODUCT.md, declared once with their labels, and the organisation kind each needs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BANK_APPLICANT = "bank_applicant", _("银行申请人（一级支行）")
    OUTLET_STAFF = "outlet_staff", _("网点工作人员")
    BANK_HEAD_OFFICE = "bank_head_office", _("银行总行/重庆分行")
    DISTRICT_OFFICER = "district_officer", _("区县社保卡管理机构经办人")
    DISTRICT_LEADER = "district_leader", _("区县社保卡管理机构负责人")
    CENTER_OFFICER = "center_officer", _("市社保卡服务中心经办人")
    CENTER_LEADER = "center_leader", _("市社保卡服务中心负责人")
    REGULATOR = "regulator", _("监管人员")
    HOTLINE_OPERATOR = "hotline_operator", _("热线坐席")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# Roles that read every outlet of the city (Art 5: the center manages uniformly, regulators supervise).
CITYWIDE_ROLES = frozenset({Role.CENTER_OFFICER, Role.CENTER_LEADER, Role.REGULATOR, Role.SYSTEM_ADMIN})
DISTRICT_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER})
BANK_ROLES = frozenset({Role.BANK_APPLICANT, Role.OUTLET_STAFF, Role.BANK_HEAD_OFFICE})
# 三员分立: the three separated administrator duties.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
AUDIT_READER_ROLES = frozenset({Role.AUDIT_ADMIN, Role.REGULATOR})
