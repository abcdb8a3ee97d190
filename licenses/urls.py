from django.urls import path

from licenses import views

app_name = "licenses"


def license_patterns(*, project_model):
    """The license pages. The list counts, and a license's page lists, the
    published rows of ``project_model`` under each license: the site's URL map
    gives it, as this app imports no app built on it."""
    return [
        path(
            "",
            views.LicenseListView.as_view(project_model=project_model),
            name="list",
        ),
        # Before the detail route: "compare" and "check" are not SPDX ids.
        path("compare/", views.LicenseCompareView.as_view(), name="compare"),
        path("check/", views.ExpressionCheckView.as_view(), name="check"),
        path(
            "<str:spdx_id>/",
            views.LicenseDetailView.as_view(project_model=project_model),
            name="detail",
        ),
    ]
