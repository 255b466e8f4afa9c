"""``/api/v1/notifications/`` — the caller's own in-app notifications (站内通知), and marking them read."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ssc.core.api.filters import parse_query
from ssc.core.api.schema import ProblemAutoSchema
from ssc.core.auth import authenticated_user

from ..models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "case_type", "case_id", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationFilter(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="true: unread only.")
    kind = serializers.CharField(max_length=40, required=False, help_text="e.g. `application.submit`.")


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")
    unread = serializers.IntegerField(help_text="Unread notifications left (0).")


@extend_schema_view(
    list=extend_schema(summary="The caller's notifications, newest first", parameters=[NotificationFilter]),
    retrieve=extend_schema(summary="One of the caller's notifications"),
    read=extend_schema(summary="Mark one notification read", request=None, responses={200: NotificationSerializer}),
    read_all=extend_schema(
        summary="Mark all the caller's notifications read", request=None, responses={200: ReadAllResultSerializer}
    ),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """站内通知 — only ever the caller's own; another user's notification answers 404."""

    schema = ProblemAutoSchema()
    serializer_class = NotificationSerializer
    lookup_value_regex = r"\d{1,18}"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Notification]:
        qs = Notification.objects.filter(user=authenticated_user(self.request))
        if self.action == "list":
            params = parse_query(NotificationFilter, self.request)
            if params.get("unread") is True:
                qs = qs.filter(read_at__isnull=True)
            elif params.get("unread") is False:
                qs = qs.filter(read_at__isnull=False)
            if params.get("kind"):
                qs = qs.filter(kind=params["kind"])
        return qs.order_by("-created_at", "-pk")

    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(NotificationSerializer(notification).data)

    @action(detail=False, methods=["post"])
    def read_all(self, request: Request) -> Response:
        user = authenticated_user(request)
        marked = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": marked, "unread": 0})
