from rest_framework import serializers

from projects.models import Project, Release


class ReleaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Release
        fields = ["version", "released_on", "license_expression"]


class ProjectSerializer(serializers.ModelSerializer):
    licenses = serializers.SerializerMethodField()
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    languages = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
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
        fields = [*ProjectSerializer.Meta.fields, "description_html", "releases"]
