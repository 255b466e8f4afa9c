"""Staff pages (工作台): home, outlets, import."""

from django.urls import path

from .views import home, outlet_import, outlets

app_name = "portal"
urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("outlets/", outlets.OutletListView.as_view(), name="outlet_list"),
    path("outlets/export/", outlets.OutletExportView.as_view(), name="outlet_export"),
    path("outlets/import/", outlet_import.OutletImportView.as_view(), name="outlet_import"),
    path("outlets/import/template/", outlet_import.OutletImportTemplateView.as_view(), name="outlet_import_template"),
    path("outlets/<int:pk>/", outlets.OutletDetailView.as_view(), name="outlet_detail"),
    path("outlets/<int:pk>/edit/", outlets.OutletEditView.as_view(), name="outlet_edit"),
]
