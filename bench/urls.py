from django.urls import path

from bench import views
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("bench/constant", views.constant),
    path("bench/plain-json", views.plain_json),
    *portal_urlpatterns,
]
