from rest_framework import serializers

from projects.models import LicenseChange, Project, Release


class ReleaseSerializer(serializers.ModelSerializer):
    converts_to = serializers.SlugRelatedField(
        slug_field="spdx_id",
        read_only=True,
        allow_null=True,
        help_text="The open-source license this version turns into, if any.",
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


class ProjectSerializer(serializers.ModelSerializer):
    licenses = serializers.SerializerMethodField()
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
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
            "category",
            "languages",
            "status",
            "repository_url",
            "homepage_url",
            "html_url",
            "updated_at",
        ]

    def get_licenses(self, project) -> list[str]:
        """SPDX ids of the published licenses the expression names."""
        return [license_.spdx_id for license_ in project.public_licenses]

    def get_html_url(self, project) -> str:
        return self.context["request"].build_absolute_uri(project.get_absolute_url())


class ProjectDetailSerializer(ProjectSerializer):
    releases = ReleaseSerializer(many=True, read_only=True, source="public_releases")

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "description_html",
            "licensor",
            "licensed_work",
            "additional_use_grant",
            "releases",
        ]


class ConversionSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    converts_to = serializers.SlugRelatedField(slug_field="spdx_id", read_only=True)
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
