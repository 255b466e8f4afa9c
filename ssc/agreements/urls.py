from django.urls import path

from . import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("export/", views.agreement_export, name="export"),
    path("expired/", views.expired_list, name="expired"),
    path("register/", views.agreement_register, name="register"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.agreement_action, name="action"),
    path("framework/", views.framework_list, name="framework_list"),
    path("framework/new/", views.framework_create, name="framework_create"),
    path("framework/<int:pk>/", views.framework_detail, name="framework_detail"),
    path("framework/<int:pk>/document/", views.framework_download, name="framework_download"),
]
