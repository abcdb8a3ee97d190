from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licenses import rules
from licenses.models import License


class RuleSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="choosealicense.com-style rule key.")
    label = serializers.CharField(help_text="The rule in plain language.")


def rule_field(kind: str):
    @extend_schema_field(RuleSerializer(many=True))
    def get(self, license_):
        return rules.labelled(kind, getattr(license_, kind))

    get.__name__ = f"get_{kind}"
    return get


class LicenseSerializer(serializers.ModelSerializer):
    html_url = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()
    conditions = serializers.SerializerMethodField()
    limitations = serializers.SerializerMethodField()
    change_license = serializers.SlugRelatedField(
        slug_field="spdx_id",
        read_only=True,
        allow_null=True,
        help_text="Source-available licenses: the license each version turns into.",
    )

    class Meta:
        model = License
        fields = [
            "spdx_id",
            "name",
            "family",
            "osi_approved",
            "fsf_libre",
            "deprecated",
            "summary_html",
            "permissions",
            "conditions",
            "limitations",
            "change_license",
            "change_period_months",
            "change_cap_months",
            "html_url",
        ]

    get_permissions = rule_field("permissions")
    get_conditions = rule_field("conditions")
    get_limitations = rule_field("limitations")

    def get_html_url(self, license_) -> str:
        return self.context["request"].build_absolute_uri(license_.get_absolute_url())


class ExpressionLicenseSerializer(serializers.Serializer):
    spdx_id = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    in_portal = serializers.BooleanField(
        help_text="Whether the portal publishes a page for this license."
    )
    family = serializers.CharField(allow_null=True)
    osi_approved = serializers.BooleanField(allow_null=True)
    html_url = serializers.URLField(allow_null=True)


class ExpressionCheckSerializer(serializers.Serializer):
    expression = serializers.CharField(allow_blank=True)
    valid = serializers.BooleanField()
    normalized = serializers.CharField(allow_blank=True)
    licenses = ExpressionLicenseSerializer(many=True)
    errors = serializers.ListField(child=serializers.CharField())
    suggestions = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="For each unknown id, the nearest valid SPDX ids.",
    )
    notices = serializers.ListField(
        child=serializers.CharField(),
        help_text="What normalising changed beyond letter case, e.g. a deprecated "
        "id written as its replacement.",
    )
    spdx_list_version = serializers.CharField(
        help_text="The version of the SPDX license list the expression was "
        "checked against, e.g. '3.29'."
    )


class ExpressionQuerySerializer(serializers.Serializer):
    expression = serializers.CharField(
        max_length=2000,
        trim_whitespace=False,
        allow_blank=True,
        help_text="An SPDX license expression, e.g. 'Apache-2.0 OR MIT'.",
    )
