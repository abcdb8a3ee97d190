from django.urls import path

from projects import feeds, views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("feed.atom", feeds.ProjectFeed(), name="feed"),
    path("<slug:slug>/", views.ProjectDetailView.as_view(), name="detail"),
    path("<slug:slug>/badge.svg", views.project_badge, name="badge"),
    path(
        "<slug:slug>/releases/<str:version>/license-parameters.txt",
        views.release_license_parameters,
        name="license-parameters",
    ),
]

# Mounted at /conversions/ by the root URL map, in the "conversions" namespace.
conversion_patterns = [
    path("", views.ConversionListView.as_view(), name="list"),
    path("feed.atom", feeds.conversions_atom, name="feed"),
    path("calendar.ics", feeds.conversions_ics, name="calendar"),
]
