"""Admission pages (filled in with the page work)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Application


def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(Application.objects.restrict(request.user), pk=pk)
    return render(request, "admission/application_detail.html", {"application": app})
