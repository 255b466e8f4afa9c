"""Upload checks by content, not by name: PDF, JPEG, PNG, OFD (GB/T 33190, a zip with OFD.xml)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "application/ofd": "OFD"}


def sniff(head: bytes, fileobj: Any = None) -> str | None:
    """The content type the bytes really are, or None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"PK\x03\x04") and fileobj is not None:
        try:
            pos = fileobj.tell()
            fileobj.seek(0)
            with zipfile.ZipFile(fileobj) as zf:
                names = {n.upper() for n in zf.namelist()}
            fileobj.seek(pos)
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "OFD.XML" in names:
            return "application/ofd"
    return None


def check_upload(f: Any) -> str:
    """Validate an uploaded file; returns its real content type or raises ``ValidationError``."""
    size = getattr(f, "size", None)
    if size is None:
        f.seek(0, io.SEEK_END)
        size = f.tell()
    if size == 0:
        raise ValidationError(_("文件为空。"), code="empty")
    limit = settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("文件过大（%(size).1f MB），上限为 %(limit)d MB。") % {"size": size / 1048576, "limit": limit // 1048576},
            code="too_large",
        )
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    ctype = sniff(head, f)
    if ctype is None:
        raise ValidationError(_("文件内容不是允许的类型（PDF、JPEG、PNG、OFD），请勿仅修改扩展名。"), code="bad_type")
    return ctype
