from django.urls import path

from bench.plain import views

urlpatterns = [
    path("constant", views.constant),
    path("projects/", views.project_list),
    path("projects/cached/", views.project_list_cached),
    path("api/projects/", views.project_list_api),
]
