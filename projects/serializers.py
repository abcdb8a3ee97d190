import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import slug_re
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licenses.expressions import check_expression
from projects.models import (
    Category,
    Language,
    LicenseChange,
    Project,
    Release,
    project_addresses,
)
from projects.services import project_grant_with_terms


class ConvertsToField(serializers.CharField):
    """The stored expression, null when the release does not convert."""

    def to_representation(self, value):
        return value or None


CONVERTS_TO_HELP = (
    "The SPDX expression this version turns into on converts_on: its expression "
    "with each source-available part replaced by its change license; null when "
    "it does not convert."
)


class ReleaseSerializer(serializers.ModelSerializer):
    converts_to = ConvertsToField(
        read_only=True, allow_null=True, help_text=CONVERTS_TO_HELP
    )
    open_source_today = serializers.SerializerMethodField(
        help_text=(
            "Whether this version is open source today: converted already, or "
            "released under an OSI-approved expression."
        )
    )

    class Meta:
        model = Release
        fields = [
            "version",
            "released_on",
            "license_expression",
            "change_date",
            "converts_on",
            "converts_to",
            "open_source_today",
        ]

    def get_open_source_today(self, release) -> bool:
        return release.is_open_source()


class LicenseChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LicenseChange
        fields = ["effective_on", "license_expression", "note"]


class TermsSerializer(serializers.Serializer):
    """The terms of a source-available grant (``LicenseChange.TERMS``); null
    where not applicable."""

    licensor = serializers.CharField(
        max_length=200,
        allow_null=True,
        required=False,
        help_text="Who grants the license, e.g. 'Functional Software, Inc.'.",
    )
    licensed_work = serializers.CharField(
        max_length=200,
        allow_null=True,
        required=False,
        help_text="The work licensed, e.g. 'Sentry'.",
    )
    additional_use_grant = serializers.CharField(
        max_length=5000,
        allow_null=True,
        required=False,
        help_text="The production use allowed before conversion; null: none.",
    )
    change_license = serializers.CharField(
        max_length=500,
        allow_null=True,
        required=False,
        help_text=(
            "The SPDX expression the code turns into, e.g. 'MPL-2.0'; null where "
            "the license fixes it (FSL-1.1-ALv2, FSL-1.1-MIT)."
        ),
    )
    change_date = serializers.DateField(
        allow_null=True,
        required=False,
        help_text="The change date stated for every release, or null.",
    )
    change_after_months = serializers.IntegerField(
        min_value=0,
        max_value=1200,
        allow_null=True,
        required=False,
        help_text=(
            "The change date as months after each release, or null (with no "
            "change_date: the license's cap or fixed period)."
        ),
    )


class ProjectTermsField(TermsSerializer):
    """A project's terms: those of its grant in effect today, null without one."""

    def get_attribute(self, instance):
        return instance.terms

    def to_representation(self, grant):
        return grant.terms_dict()


# DRF's own formats for the list written by hand (below).
DATETIME_FIELD = serializers.DateTimeField()
DATE_FIELD = serializers.DateField()


class ProjectListSerializer(serializers.ListSerializer):
    """The API's list of projects, written out by hand from the plain values
    of each project's row (``.values()``, see ``ProjectViewSet``) and those
    ``with_list_values()`` adds: the same output as ``ProjectSerializer`` field
    by field (the tests compare them), without DRF's per-field machinery, which
    cost more than the queries on a page of 50. Dates and times go through
    DRF's own fields, so their format follows the same settings."""

    def to_representation(self, data):
        html_url = project_addresses(self.context["request"])
        date = DATE_FIELD.to_representation
        return [
            {
                "slug": row["slug"],
                "name": row["name"],
                "summary": row["summary"],
                "license_expression": row["license_expression"],
                "licenses": row["public_license_ids"],
                "license_history": [
                    {
                        "effective_on": date(effective_on),
                        "license_expression": expression,
                        "note": note,
                    }
                    for effective_on, expression, note in row["license_history"]
                ],
                "terms": (
                    {
                        **terms,
                        "change_date": date(terms["change_date"])
                        if terms["change_date"]
                        else None,
                    }
                    if (terms := row["list_terms"])
                    else None
                ),
                "category": row["category__slug"],
                "languages": row["language_slugs"],
                "status": row["status"],
                "repository_url": row["repository_url"],
                "homepage_url": row["homepage_url"],
                "html_url": html_url(row["slug"]),
                "updated_at": DATETIME_FIELD.to_representation(row["updated_at"]),
            }
            for row in data
        ]


class ProjectSerializer(serializers.ModelSerializer):
    licenses = serializers.SerializerMethodField()
    category = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The category's slug; null when the project has none.",
    )
    languages = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    license_history = LicenseChangeSerializer(
        many=True,
        read_only=True,
        source="license_changes",
        help_text=(
            "The project's licensing over time, oldest first; an entry without "
            "effective_on holds from the project's beginning."
        ),
    )
    terms = ProjectTermsField(
        read_only=True,
        allow_null=True,
        help_text=(
            "The terms of the source-available grant in effect today (its license "
            "history entry); null without license history."
        ),
    )
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "slug",
            "name",
            "summary",
            "license_expression",
            "licenses",
            "license_history",
            "terms",
            "category",
            "languages",
            "status",
            "repository_url",
            "homepage_url",
            "html_url",
            "updated_at",
        ]
        # The list's fast path; a single project (detail, writes) goes through
        # the fields above.
        list_serializer_class = ProjectListSerializer

    def get_licenses(self, project) -> list[str]:
        """SPDX ids of the published licenses the expression names."""
        return [license_.spdx_id for license_ in project.public_licenses]

    def get_html_url(self, project) -> str:
        return self.context["request"].build_absolute_uri(project.get_absolute_url())


class ProjectDetailSerializer(ProjectSerializer):
    releases = ReleaseSerializer(many=True, read_only=True, source="public_releases")

    class Meta(ProjectSerializer.Meta):
        list_serializer_class = serializers.ListSerializer
        fields = [
            *ProjectSerializer.Meta.fields,
            "description_html",
            "releases",
        ]


class ConversionSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    converts_to = ConvertsToField(read_only=True, help_text=CONVERTS_TO_HELP)
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = [
            "project",
            "project_name",
            "version",
            "released_on",
            "license_expression",
            "converts_on",
            "converts_to",
            "html_url",
        ]

    def get_html_url(self, release) -> str:
        """The project's page, where the release is listed."""
        return self.context["request"].build_absolute_uri(
            release.project.get_absolute_url()
        )


def _model_errors(error) -> dict:
    """A model ValidationError as serializer field errors."""
    if hasattr(error, "message_dict"):
        return error.message_dict
    return {"non_field_errors": error.messages}


@extend_schema_field({"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"})
class SlugKeyField(serializers.SlugRelatedField):
    """A category or language given by its slug. A value that cannot be a slug is
    refused like an unknown one, before the lookup: PostgreSQL cannot even
    compare a text holding a NUL."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not slug_re.match(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=data[:50])
        return super().to_internal_value(data)


class ProjectWriteSerializer(serializers.ModelSerializer):
    """What an integration may set on a project. Validated by the model itself
    (``full_clean``: SPDX expressions, URLs, choices), as in the admin and imports."""

    category = SlugKeyField(
        slug_field="slug",
        queryset=Category.objects.all(),
        allow_null=True,
        required=False,
        help_text="A category's slug, e.g. 'backend'; null for none.",
    )
    languages = SlugKeyField(
        slug_field="slug",
        many=True,
        queryset=Language.objects.all(),
        required=False,
        help_text="The slugs of the project's languages, e.g. ['python', 'rust'].",
    )
    terms = TermsSerializer(
        required=False,
        help_text=(
            "The terms of the grant in effect today, written whole (a key left "
            "out is emptied). A project without license history gets its first "
            "entry, from its beginning, under its license expression."
        ),
    )

    class Meta:
        model = Project
        fields = [
            "slug",
            "name",
            "summary",
            "description",
            "repository_url",
            "homepage_url",
            "docs_url",
            "license_expression",
            "category",
            "languages",
            "status",
            "featured",
            "position",
            "terms",
            "state",
            "publish_at",
        ]
        # Uniqueness is answered with 409 by the view, after validation.
        extra_kwargs = {"slug": {"validators": []}}

    def validate(self, attrs):
        # A copy: the stored item stays as it is until the write service
        # compares it with what is asked (the publish policy needs both).
        instance = copy.copy(self.instance) if self.instance else Project()
        for name, value in attrs.items():
            if name not in ("languages", "terms"):
                setattr(instance, name, value)
        try:
            # A slug taken is a 409, the view's concern (``check_slug_free``).
            instance.full_clean(
                exclude=["licenses", "languages"], validate_unique=False
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(_model_errors(error)) from None
        # full_clean() normalises (e.g. the license expression): keep its result.
        for name in attrs:
            if name not in ("languages", "terms"):
                attrs[name] = getattr(instance, name)
        if "terms" in attrs:
            attrs["terms"] = self.validate_grant(instance, attrs["terms"])
        return attrs

    @staticmethod
    def validate_grant(project, terms: dict) -> dict:
        """The terms as the grant they go to would store them (refused with
        errors under ``terms``)."""
        grant = project_grant_with_terms(project=project, terms=terms)
        try:
            check = check_expression(grant.license_expression)
            grant.clean_terms(check.license_ids)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"terms": _model_errors(error)}) from None
        return {name: getattr(grant, name) for name in LicenseChange.TERMS}


class ReleaseWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Release
        fields = [
            "version",
            "released_on",
            "license_expression",
            "change_date",
            "state",
            "publish_at",
        ]
        extra_kwargs = {"license_expression": {"required": False}}

    def validate(self, attrs):
        instance = (
            copy.copy(self.instance)
            if self.instance
            else Release(project=self.context["project"])
        )
        if "license_expression" not in attrs and instance.pk is None:
            attrs["license_expression"] = self.context["project"].license_expression
        for name, value in attrs.items():
            setattr(instance, name, value)
        try:
            instance.full_clean(validate_constraints=False)
        except DjangoValidationError as error:
            raise serializers.ValidationError(_model_errors(error)) from None
        for name in attrs:
            attrs[name] = getattr(instance, name)
        return attrs


class LicensingQuerySerializer(serializers.Serializer):
    project = serializers.SlugField(
        max_length=100, help_text="The project's slug, e.g. 'snuba'."
    )
    version = serializers.CharField(
        max_length=50, help_text="The version as tagged, e.g. '23.11.0'."
    )
    on = serializers.DateField(
        required=False,
        help_text="The day asked about (YYYY-MM-DD, a UTC date); default: today.",
    )


class LicensingSerializer(serializers.Serializer):
    """Which expression governs a version on a day, since when and until when."""

    project = serializers.CharField(help_text="The project's slug.")
    version = serializers.CharField()
    on = serializers.DateField(help_text="The day asked about.")
    license_expression = serializers.CharField(
        help_text="The SPDX expression that governs the version on that day."
    )
    since = serializers.DateField(
        help_text="The first day it governs: the release, or the conversion."
    )
    until = serializers.DateField(
        allow_null=True,
        help_text=(
            "The first day it no longer governs (the conversion), or null when "
            "nothing is known to replace it."
        ),
    )
    open_source = serializers.BooleanField(
        help_text="Whether the version is open source on that day."
    )
    released_on = serializers.DateField()
    converts_on = serializers.DateField(allow_null=True)
    converts_to = serializers.CharField(allow_null=True)
