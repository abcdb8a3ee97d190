"""Reference points for the HTTP benchmark: what Django does with no work at all,
and a plain JsonResponse of 50 projects built from ``.values()``."""

from django.http import HttpResponse, JsonResponse

from projects.models import Project


def constant(request):
    return HttpResponse(b"ok", content_type="text/plain")


def plain_json(request):
    rows = list(
        Project.objects.published()
        .order_by("-featured", "position", "name")
        .values(
            "slug",
            "name",
            "summary",
            "license_expression",
            "status",
            "repository_url",
            "homepage_url",
            "updated_at",
        )[:50]
    )
    return JsonResponse({"count": len(rows), "results": rows})
