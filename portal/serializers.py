from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.models import Section, Statement


class AttributionSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField(allow_blank=True)


class ContrastSerializer(serializers.Serializer):
    title = serializers.CharField()
    body_html = serializers.CharField(allow_blank=True)


class SectionSerializer(serializers.ModelSerializer):
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = Section
        fields = ["slug", "title", "intro_html", "position", "html_url"]

    def get_html_url(self, section) -> str:
        return self.context["request"].build_absolute_uri(section.get_absolute_url())


class StatementSerializer(serializers.ModelSerializer):
    section = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    attribution = serializers.SerializerMethodField()
    contrast = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            # The key of its detail address, /api/v1/statements/{id}/.
            "id",
            "section",
            "kind",
            "title",
            "body_html",
            "attribution",
            "contrast",
            "position",
        ]

    @extend_schema_field(AttributionSerializer(allow_null=True))
    def get_attribution(self, statement):
        if statement.kind != Statement.Kind.QUOTE:
            return None
        return {"name": statement.attribution_name, "role": statement.attribution_role}

    @extend_schema_field(ContrastSerializer(allow_null=True))
    def get_contrast(self, statement):
        if statement.kind != Statement.Kind.COMPARISON:
            return None
        return {
            "title": statement.contrast_title,
            "body_html": statement.contrast_body_html,
        }
