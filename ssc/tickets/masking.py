"""Masking of the caller's personal data (来电人信息脱敏).

A caller's phone number (or e-mail) and name are personal data: lists, detail pages, API responses, exports,
history rows and audit snapshots show them masked. Only the explicit, audited "show number" action
(``services.ticket_contact_reveal``) returns the stored value.

- mobile ``13812341234`` → ``138****1234``; landline ``023-63000001`` → ``023****0001`` (first three and last
  four digits kept, whatever the separators);
- a short number (fewer than 8 digits) keeps its last two digits only: ``12345`` → ``***45``;
- e-mail ``zhang.san@example.com`` → ``z***@example.com``;
- name ``张三`` → ``张*``, ``欧阳娜娜`` → ``欧***``.
"""

from __future__ import annotations

import re

_DIGIT = re.compile(r"\d")
MASK = "****"


def mask_contact(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if "@" in value:
        local, _at, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = "".join(_DIGIT.findall(value))
    if len(digits) >= 8:
        return f"{digits[:3]}{MASK}{digits[-4:]}"
    if len(digits) >= 3:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * max(len(value), 3)


def mask_name(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    return value[:1] + "*" * max(len(value) - 1, 1)
