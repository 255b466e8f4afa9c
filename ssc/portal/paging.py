"""Pagination for long lists (100k outlets): a "deferred join".

The database sorts and slices primary keys only (narrow rows, no joined columns), then the page's rows are
loaded with their joins by primary key. On SQLite this makes sorting by a non-indexed column several times
cheaper than sorting whole joined rows; the query count stays constant (count, ids, rows).
"""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class DeferredJoinPaginator(Paginator):
    def _get_page(self, object_list: Any, number: int, paginator: Paginator) -> Page:
        ids = list(object_list.values_list("pk", flat=True))
        queryset = cast("QuerySet[Any]", self.object_list)  # only ever built over a queryset
        rows = queryset.order_by().filter(pk__in=ids) if ids else []
        by_pk = {row.pk: row for row in rows}
        return Page([by_pk[pk] for pk in ids if pk in by_pk], number, paginator)
