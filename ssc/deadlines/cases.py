"""The cases behind a batch of deadlines: their names and pages, loaded with a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.urls import NoReverseMatch, reverse

from .models import Deadline

# The page of a case, by workflow name; a workflow may add its own (the model's get_absolute_url also works).
CASE_URL_NAMES: dict[str, str] = {"application": "admission:application_detail"}


class CaseIndex:
    """Case objects (with their outlet) of a batch of deadlines, loaded once per case type."""

    def __init__(self, deadlines: Iterable[Deadline] = ()):
        self._by_key: dict[tuple[str, int], Any] = {}
        self._loaded: set[tuple[str, int]] = set()
        self.load(deadlines)

    def load(self, deadlines: Iterable[Deadline]) -> None:
        """Fetch the cases of ``deadlines`` not fetched yet (one query per case type and 2,000 cases)."""
        wanted: dict[str, set[int]] = defaultdict(set)
        for d in deadlines:
            if (d.case_type, d.case_id) not in self._loaded:
                wanted[d.case_type].add(d.case_id)
        for case_type, ids in wanted.items():
            self._loaded.update((case_type, i) for i in ids)
            model = _model_for(case_type)
            if model is None:
                continue
            qs = model._default_manager.all()
            if any(f.name == "outlet" for f in model._meta.get_fields()):
                qs = qs.select_related("outlet", "outlet__district")
            id_list = sorted(ids)
            for i in range(0, len(id_list), 2000):
                for obj in qs.filter(pk__in=id_list[i : i + 2000]):
                    self._by_key[(case_type, obj.pk)] = obj

    def get(self, d: Deadline) -> Any:
        return self._by_key.get((d.case_type, d.case_id))

    def name(self, d: Deadline) -> str:
        case = self.get(d)
        outlet = getattr(case, "outlet", None)
        if outlet is not None:
            return outlet.name
        return str(case) if case is not None else f"{d.case_type} #{d.case_id}"

    def url(self, d: Deadline) -> str:
        """The case page: a name in ``CASE_URL_NAMES``, else the app's ``detail``, ``<case_type>_detail`` or
        ``<model>_detail`` route, else the model's ``get_absolute_url``; "" when there is none."""
        model = _model_for(d.case_type)
        names = [CASE_URL_NAMES.get(d.case_type)]
        if model is not None:
            ns = model._meta.app_label
            names += [f"{ns}:detail", f"{ns}:{d.case_type}_detail", f"{ns}:{model._meta.model_name}_detail"]
        for name in names:
            if not name:
                continue
            try:
                return reverse(name, args=[d.case_id])
            except NoReverseMatch:
                continue
        case = self.get(d)
        return case.get_absolute_url() if hasattr(case, "get_absolute_url") else ""


def _model_for(case_type: str) -> Any:
    from ssc.workflow import engine

    try:
        return engine.binding_for(case_type).model
    except KeyError:
        return None
