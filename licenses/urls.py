from django.urls import path

from licenses import views

app_name = "licenses"

urlpatterns = [
    path("", views.LicenseListView.as_view(), name="list"),
    # Before the detail route: "compare" and "check" are not SPDX ids.
    path("compare/", views.LicenseCompareView.as_view(), name="compare"),
    path("check/", views.ExpressionCheckView.as_view(), name="check"),
    path("<str:spdx_id>/", views.LicenseDetailView.as_view(), name="detail"),
]
