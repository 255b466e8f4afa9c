"""Storing and serving documents. Every download is recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from django.core.files.base import File
from django.db.models import Max

from ssc.audit import services as audit
from ssc.audit.chain import sm3_hex

from .models import Document, DocumentVersion
from .validation import check_upload


def _digest(f: Any) -> str:
    f.seek(0)
    data = f.read()
    f.seek(0)
    return sm3_hex(data)


def attach(
    *,
    case_type: str,
    case_id: int,
    outlet: Any,
    kind: str,
    title: str,
    upload: Any,
    actor: Any,
    action: str = "",
    document: Document | None = None,
) -> DocumentVersion:
    """Store ``upload`` as a new document, or as the next version of ``document``. The caller's transaction
    makes it atomic with the action it belongs to. Raises ``ValidationError`` for a bad file."""
    ctype = check_upload(upload)
    digest = _digest(upload)
    if document is None:
        document = Document.objects.create(
            case_type=case_type, case_id=case_id, outlet=outlet, kind=kind, title=title[:200], action=action
        )
        number = 1
    else:
        number = (document.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=str(upload.name)[:200],
        content_type=ctype,
        size=upload.size,
        sm3=digest,
        uploaded_by=actor,
    )
    version.file.save(upload.name, File(upload), save=False)
    version.save()
    audit.record(
        action="document.upload",
        obj=document,
        after={
            "version": number,
            "sm3": digest,
            "size": upload.size,
            "content_type": ctype,
            "name": version.original_name,
        },
        actor=actor,
    )
    return version


def record_download(*, version: DocumentVersion, actor: Any) -> None:
    audit.record(
        action="document.download",
        obj=version.document,
        after={"version": version.number, "sm3": version.sm3},
        actor=actor,
    )


def for_case(case_type: str, case_id: int) -> list[Document]:
    return list(Document.objects.filter(case_type=case_type, case_id=case_id).prefetch_related("versions"))
