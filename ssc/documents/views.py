"""Document download: only inside the user's scope (404 outside), every download audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from . import services
from .models import Document


@require_GET
@login_required
def download(request: HttpRequest, doc_id: int, n: int) -> FileResponse:
    document = get_object_or_404(Document.objects.restrict(request.user), pk=doc_id)
    version = get_object_or_404(document.versions.all(), number=n)
    try:
        fh = version.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    services.record_download(version=version, actor=request.user)
    response = FileResponse(
        fh,
        as_attachment=True,
        filename=version.original_name or f"document-{doc_id}-v{n}",
        content_type=version.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
