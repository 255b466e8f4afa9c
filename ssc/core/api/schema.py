"""OpenAPI: the problem document as a component, and problem responses on every operation.

Views use ``schema = ProblemAutoSchema()``. Error responses (4xx/5xx) are documented as
``application/problem+json`` whatever the view declared, and the usual ones (400, 401, 403, 404, 412, 429)
are added where the operation can give them. To document a specific error, write
``responses={422: problem_response("why")}``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.URLField(help_text="A URI naming the kind of problem.")
    title = serializers.CharField(help_text="Short summary, localised by Accept-Language.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong with this request, localised.")
    # The RFC 9457 member name; it shadows ``Serializer.errors``, harmless as this serializer only documents.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="400 only: field name → messages.",
    )

    class Meta:
        ref_name = "Problem"


def problem_response(description: str) -> OpenApiResponse:
    """An error response documented as a problem document."""
    return OpenApiResponse(ProblemSerializer, description=description)


_DESCRIPTIONS = {
    400: "Invalid input; `errors` names each bad field or query parameter.",
    401: "Not authenticated, or the token is invalid, expired or revoked.",
    403: "The caller's role does not allow this.",
    404: "Unknown, or outside the caller's scope (existence is not disclosed).",
    412: "`If-Match` names an outdated version.",
    429: "Too many requests; see `Retry-After`.",
}


class ProblemAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, documenting the problem+json errors each operation can give."""

    def _problem_codes(self) -> list[int]:
        codes: list[int] = []
        if self.method in ("POST", "PUT", "PATCH") or "{" not in self.path or self._is_list_view():
            codes.append(400)
        perms = getattr(self.view, "permission_classes", None) or []
        if not perms or not all(p is permissions.AllowAny for p in perms):
            codes += [401, 403]
        if "{" in self.path:
            codes.append(404)
        if self.method in ("PUT", "PATCH"):
            codes.append(412)
        if getattr(self.view, "throttle_scope", None):
            codes.append(429)
        return codes

    def _get_response_for_code(
        self, serializer: Any, status_code: Any, media_types: Any = None, direction: Any = "response"
    ) -> dict[str, Any]:
        # Also accept ``{"application/problem+json": Serializer}`` as a response (alone or in OpenApiResponse).
        inner = serializer.response if isinstance(serializer, OpenApiResponse) else serializer
        if isinstance(inner, dict) and len(inner) == 1:
            ((media, ser),) = inner.items()
            if isinstance(media, str) and "/" in media and not isinstance(ser, dict | str):
                media_types = [media]
                if isinstance(serializer, OpenApiResponse):
                    serializer = OpenApiResponse(ser, description=serializer.description, examples=serializer.examples)
                else:
                    serializer = ser
        result = super()._get_response_for_code(serializer, status_code, media_types, direction)
        content = result.get("content")
        if str(status_code) >= "400" and content and PROBLEM_MEDIA_TYPE not in content:
            result["content"] = {PROBLEM_MEDIA_TYPE: next(iter(content.values()))}
        return result

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._problem_codes():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    OpenApiResponse(ProblemSerializer, description=_DESCRIPTIONS[code]),
                    str(code),
                    [PROBLEM_MEDIA_TYPE],
                    direction,
                )
        return responses
