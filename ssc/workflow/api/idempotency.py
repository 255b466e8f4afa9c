"""``Idempotency-Key`` on POST: a retried request returns the first result instead of acting twice (API.md).

The rules, also stated in the OpenAPI description of every POST that honours the header:

- the key is chosen by the client (1–100 visible ASCII characters, e.g. a UUID) and belongs to the calling user;
- the key is claimed, the action run and its response (status and body) stored in **one transaction**; a
  concurrent request with the same key waits for that transaction (row lock on the key / SQLite's IMMEDIATE
  write lock), then gets the stored response;
- a retry — same user, key, method, path and payload (files compared by content) — answers the stored status
  and body with ``Idempotent-Replayed: true`` and changes nothing;
- the same key with a different method, path or payload is refused with **422** ``idempotency_key_reused``;
- a request that fails (4xx/5xx problem) changes nothing and stores nothing, so it may be retried with the same
  key once the problem is fixed;
- stored responses are kept ``SSC_IDEMPOTENCY_KEEP_DAYS`` days (default 7), then deleted by the daily sweep
  (:func:`purge_job`, run by ``sweep_deadlines``): a key may be reused after that.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from ssc.core.errors import DomainError, InvalidState, ValidationFailed
from ssc.workflow.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")
# Response headers kept with the stored response and sent again on a replay.
_KEPT_HEADERS = ("ETag", "Location")

DESCRIPTION = (
    "Send `Idempotency-Key: <unique string>` to make a retry safe: the first successful result (status and body) "
    "is stored with the action in one transaction, and a retry with the same key, path and payload returns it with "
    "`Idempotent-Replayed: true` without acting again. The same key with another path or payload → 422 "
    "`idempotency_key_reused`. Failed requests store nothing and may be retried with the same key. Stored results "
    "are kept `SSC_IDEMPOTENCY_KEEP_DAYS` days (default 7); after that a key may be used again."
)


class IdempotencyKeyReused(DomainError):
    """The key was already used for a different request (API 422)."""

    status = 422
    code = "idempotency_key_reused"
    default_title = gettext_lazy("幂等键已用于其他请求")


def _file_digest(f: Any) -> str:
    h = hashlib.sha256()
    f.seek(0)
    for chunk in f.chunks() if hasattr(f, "chunks") else [f.read()]:
        h.update(chunk)
    f.seek(0)
    return h.hexdigest()


def request_digest(request: Any) -> str:
    """A fingerprint of what the request asks for: method, path, payload; uploaded files by content (so a retried
    multipart request matches whatever boundary the client picks)."""
    raw = request.data
    files: list[tuple[str, str, int, str]] = []
    if isinstance(raw, QueryDict):
        uploaded = request.FILES
        data: Any = {k: raw.getlist(k) for k in sorted(raw) if k not in uploaded}
        for name in sorted(uploaded):
            for f in uploaded.getlist(name):
                files.append((name, str(f.name), int(f.size or 0), _file_digest(f)))
    else:
        data = raw
    body = json.dumps(
        {"method": request.method, "path": request.path, "data": data, "files": files},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def idempotency_key(request: Any) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _KEY.match(key):
        raise ValidationFailed(errors={HEADER: [_("幂等键应为 1–100 个可见 ASCII 字符（如 UUID）。")]})
    return key


def _jsonable(data: Any) -> Any:
    return json.loads(JSONRenderer().render(data)) if data is not None else None


def _replay(record: IdempotencyRecord, request: Any, digest: str) -> Response:
    stored = record.body if isinstance(record.body, dict) else {}
    if record.method != request.method or record.path != request.path[:300] or stored.get("request") != digest:
        raise IdempotencyKeyReused(_("该幂等键已用于另一个请求（路径或内容不同），请为新请求使用新的幂等键。"))
    if not record.status:  # pragma: no cover - a claim is only visible once its transaction committed
        raise InvalidState(_("使用该幂等键的请求仍在处理中，请稍后重试。"))
    headers = {k: v for k, v in (stored.get("headers") or {}).items() if k in _KEPT_HEADERS}
    headers[REPLAYED_HEADER] = "true"
    return Response(stored.get("response"), status=record.status, headers=headers)


def run_idempotent(request: Any, produce: Callable[[], Response]) -> Response:
    """Run ``produce`` (which performs the action and builds the response) at most once per key."""
    key = idempotency_key(request)
    if key is None:
        return produce()
    digest = request_digest(request)
    user = request.user
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    method=request.method,
                    path=request.path[:300],
                    status=0,
                    body={"request": digest},
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.get(user=user, key=key)
            return _replay(record, request, digest)
        response = produce()
        record.status = response.status_code
        record.body = {
            "request": digest,
            "response": _jsonable(response.data),
            "headers": {k: response[k] for k in _KEPT_HEADERS if response.has_header(k)},
        }
        record.save(update_fields=["status", "body"])
    return response


def keep_days() -> int:
    from django.conf import settings

    return int(getattr(settings, "SSC_IDEMPOTENCY_KEEP_DAYS", 7))


def purge(today: Any) -> int:
    """Delete the stored responses older than :func:`keep_days` days before ``today``; returns how many."""
    import datetime as dt

    from django.utils import timezone

    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=keep_days()), dt.time.min))
    deleted, _per_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def purge_job(today: Any) -> str:
    """The daily job (``ssc.deadlines.services.DAILY_JOBS``, run by ``sweep_deadlines``)."""
    return _("幂等记录清理：删除 %(n)d 条超过 %(days)d 天的记录。") % {"n": purge(today), "days": keep_days()}
