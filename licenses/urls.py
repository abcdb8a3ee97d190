from django.urls import path

from licenses import views

app_name = "licenses"

urlpatterns = [
    path("", views.LicenseListView.as_view(), name="list"),
    path("<str:spdx_id>/", views.LicenseDetailView.as_view(), name="detail"),
]
