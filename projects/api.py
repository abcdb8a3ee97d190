"""API of the project catalogue and of the conversions of its releases, with the
same filters as the site. Reads are anonymous; integrations write with a token
(see portal.api.writes): create and update projects, add and update releases."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.errors import Conflict
from portal.api.parsers import JSONParser
from portal.api.writes import (
    ActionPermissions,
    PendingChangeSerializer,
    check_preconditions,
    pending_change_response,
    representation_etag,
    token_reason,
)
from portal.http.caching import RememberedListMixin, RememberedRetrieveMixin
from portal.publishing.policy import must_review
from portal.publishing.revisions import working_copy
from projects.filters import ConversionFilter, ProjectFilter
from projects.models import Project, Release, with_list_values
from projects.serializers import (
    ConversionSerializer,
    LicensingQuerySerializer,
    LicensingSerializer,
    ProjectDetailSerializer,
    ProjectSerializer,
    ProjectWriteSerializer,
    ReleaseSerializer,
    ReleaseWriteSerializer,
)
from projects.services import (
    project_create,
    project_submit_revision,
    project_update,
    release_create,
    release_submit_revision,
    release_update,
)

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description=(
        "The ETag you read. If the item changed since, the write is refused with "
        "412 instead of overwriting the other change."
    ),
)


# The project's own columns in the list (ProjectListSerializer).
LIST_COLUMNS = (
    "slug",
    "name",
    "summary",
    "license_expression",
    "status",
    "repository_url",
    "homepage_url",
    "updated_at",
)


class ProjectViewSet(
    RememberedListMixin,
    RememberedRetrieveMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Published projects; filter as on the site's directory, sort by name or
    update time. Lookup by slug. With a token: create and update projects, add
    and update their releases."""

    lookup_field = "slug"
    # Only what can be a slug: any other address is a 404 before any query
    # (PostgreSQL cannot even compare a text holding a NUL).
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filterset_class = ProjectFilter
    ordering_fields = ("name", "updated_at")
    # Reads show published projects only, whoever asks: the list's count is
    # kept per content version and filters (portal.api.pagination).
    count_kept = True
    permission_classes = [ActionPermissions]
    # Writes are JSON (a form cannot say null, e.g. "no category"); any other
    # body is a 415.
    parser_classes = [JSONParser]
    required_permissions = {
        "create": ["projects.add_project"],
        "update": ["projects.change_project"],
        "partial_update": ["projects.change_project"],
        "add_release": ["projects.add_release"],
        "update_release": ["projects.change_release"],
    }

    def get_queryset(self):
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            # Writers reach their drafts too; readers never do.
            return Project.objects.all()
        if self.action == "list":
            # Only the columns the list shows, as plain values (no model
            # instance per row); its relations too (see paginate_queryset).
            return Project.objects.published().values(
                "pk", *LIST_COLUMNS, "category__slug"
            )
        queryset = Project.objects.published().for_listing().with_history()
        if self.action == "retrieve":
            return queryset.with_releases()
        return queryset

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.action == "list" and page is not None:
            with_list_values(page)
        return page

    def get_public_object(self):
        """What the public sees at this item's address (for OPTIONS): the
        published project and, under it, the published release."""
        project = self.get_object()
        if "version" not in self.kwargs:
            return project
        return get_object_or_404(
            Release.objects.published(), project=project, version=self.kwargs["version"]
        )

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return ProjectWriteSerializer
        if self.action == "retrieve":
            return ProjectDetailSerializer
        return ProjectSerializer

    # -- writes ------------------------------------------------------------------

    def representation(self, project: Project) -> dict:
        """The project as GET shows it (whatever its state), for answers and ETags."""
        fresh = (
            Project.objects.for_listing()
            .with_history()
            .with_releases()
            .get(pk=project.pk)
        )
        return ProjectDetailSerializer(
            fresh, context=self.get_serializer_context()
        ).data

    def answer(self, project: Project, status_code=status.HTTP_200_OK) -> Response:
        data = self.representation(project)
        response = Response(data, status=status_code)
        response["ETag"] = representation_etag(data)
        return response

    @staticmethod
    def check_slug_free(slug, project=None) -> None:
        """409 when another project has ``slug`` (the value as validated, so
        normalised: " snuba " is "snuba")."""
        taken = Project.objects.filter(slug=slug)
        if project is not None:
            taken = taken.exclude(pk=project.pk)
        if slug and taken.exists():
            raise Conflict(
                _("A project with slug '%(slug)s' exists: PATCH %(url)s to change it.")
                % {"slug": slug, "url": f"/api/v1/projects/{slug}/"}
            )

    @staticmethod
    def check_version_free(project, version, release=None) -> None:
        """409 when another release of ``project`` has ``version``."""
        taken = project.releases.filter(version=version)
        if release is not None:
            taken = taken.exclude(pk=release.pk)
        if version and taken.exists():
            raise Conflict(
                _("%(project)s already has version %(version)s: PATCH it instead.")
                % {"project": project.slug, "version": version}
            )

    @extend_schema(
        request=ProjectWriteSerializer, responses={201: ProjectDetailSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Create a project. It starts as a draft unless the token may publish and
        asks for another state."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        self.check_slug_free(data.get("slug"))
        project = project_create(
            user=request.user, data=data, reason=token_reason(request)
        )
        response = self.answer(project, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(project.get_absolute_url())
        return response

    @extend_schema(
        request=ProjectWriteSerializer,
        responses={200: ProjectDetailSerializer, 202: PendingChangeSerializer},
        parameters=[IF_MATCH],
    )
    def update(self, request, *args, partial=False, **kwargs):
        """Change a project (PATCH: only the fields given). A change of a
        published project by a token that may not publish it is kept for review:
        202, and readers see the published version until a publisher approves."""
        with transaction.atomic():
            project = get_object_or_404(
                Project.objects.select_for_update(), slug=kwargs["slug"]
            )
            check_preconditions(
                request, self.representation(project), project.updated_at
            )
            reviewed = must_review(request.user, project)
            # A change kept for review starts from the one pending, if any.
            working = working_copy(user=request.user, current=project)[0]
            serializer = self.get_serializer(
                working, data=request.data, partial=partial
            )
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            if "slug" in data:
                self.check_slug_free(data["slug"], project)
            if reviewed:
                revision = project_submit_revision(
                    user=request.user,
                    project=project,
                    data=data,
                    reason=token_reason(request),
                )
                if revision is not None:
                    return pending_change_response(
                        request,
                        revision,
                        published_path=f"/api/v1/projects/{project.slug}/",
                    )
            else:
                project_update(
                    user=request.user,
                    project=project,
                    data=data,
                    reason=token_reason(request),
                )
        return self.answer(project)

    @extend_schema(
        request=ProjectWriteSerializer,
        responses={200: ProjectDetailSerializer, 202: PendingChangeSerializer},
        parameters=[IF_MATCH],
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=ReleaseWriteSerializer, responses={201: ReleaseSerializer})
    @action(detail=True, methods=["post"], url_path="releases")
    def add_release(self, request, slug=None):
        """Add a release to a project. It starts as a draft unless the token may
        publish releases and asks for another state."""
        project = get_object_or_404(Project, slug=slug)
        serializer = ReleaseWriteSerializer(
            data=request.data,
            context={**self.get_serializer_context(), "project": project},
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        self.check_version_free(project, data.get("version"))
        release = release_create(
            user=request.user,
            project=project,
            data=data,
            reason=token_reason(request),
        )
        body = ReleaseSerializer(release).data
        response = Response(body, status=status.HTTP_201_CREATED)
        response["ETag"] = representation_etag(body)
        return response

    @extend_schema(
        request=ReleaseWriteSerializer,
        responses={200: ReleaseSerializer, 202: PendingChangeSerializer},
        parameters=[IF_MATCH],
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"releases/(?P<version>[^/\u0000]+)",
    )
    def update_release(self, request, slug=None, version=None):
        """Change a release of a project (only the fields given). A change of a
        published release by a token that may not publish it is kept for
        review: 202, as for a project."""
        with transaction.atomic():
            release = get_object_or_404(
                Release.objects.select_for_update(of=("self",)),
                project__slug=slug,
                version=version,
            )
            check_preconditions(
                request, ReleaseSerializer(release).data, release.updated_at
            )
            reviewed = must_review(request.user, release)
            working = working_copy(user=request.user, current=release)[0]
            serializer = ReleaseWriteSerializer(
                working,
                data=request.data,
                partial=True,
                context={**self.get_serializer_context(), "project": release.project},
            )
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            if "version" in data:
                self.check_version_free(release.project, data["version"], release)
            if reviewed:
                revision = release_submit_revision(
                    user=request.user,
                    release=release,
                    data=data,
                    reason=token_reason(request),
                )
                if revision is not None:
                    return pending_change_response(
                        request,
                        revision,
                        published_path=f"/api/v1/projects/{release.project.slug}/",
                    )
            else:
                release_update(
                    user=request.user,
                    release=release,
                    data=data,
                    reason=token_reason(request),
                )
        body = ReleaseSerializer(release).data
        response = Response(body)
        response["ETag"] = representation_etag(body)
        return response


class ConversionViewSet(
    RememberedListMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Releases of source-available code by the day they become open source,
    soonest first (``?ordering=-converts_on``: latest first): filter by
    ``after``/``before`` (dates), ``project`` (slug) and ``license`` (an SPDX id
    the release is under or turns into)."""

    serializer_class = ConversionSerializer
    filterset_class = ConversionFilter
    ordering_fields = ("converts_on",)

    def get_queryset(self):
        return Release.objects.published().conversions()


class LicensingViewSet(viewsets.ViewSet):
    """Which license expression governs a published version on a day (default:
    today), since when and until when: its own expression from its release until
    its conversion, then the expression it converted to."""

    @extend_schema(parameters=[LicensingQuerySerializer], responses=LicensingSerializer)
    def list(self, request):
        query = LicensingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        asked = query.validated_data
        on = asked.get("on") or timezone.localdate()
        release = (
            Release.objects.published()
            .filter(project__slug=asked["project"], version=asked["version"])
            .select_related("project")
            .first()
        )
        if release is None:
            raise exceptions.NotFound(
                _("%(project)s has no published version %(version)s.")
                % {"project": asked["project"], "version": asked["version"]}
            )
        if on < release.released_on:
            raise exceptions.ValidationError(
                {
                    "on": [
                        _("Version %(version)s was first published on %(day)s.")
                        % {
                            "version": release.version,
                            "day": release.released_on.isoformat(),
                        }
                    ]
                }
            )
        converted = release.converts_on is not None and release.converts_on <= on
        return Response(
            LicensingSerializer(
                {
                    "project": release.project.slug,
                    "version": release.version,
                    "on": on,
                    "license_expression": (
                        release.converts_to if converted else release.license_expression
                    ),
                    "since": release.converts_on if converted else release.released_on,
                    "until": None if converted else release.converts_on,
                    "open_source": release.is_open_source(on),
                    "released_on": release.released_on,
                    "converts_on": release.converts_on,
                    "converts_to": release.converts_to or None,
                }
            ).data
        )
