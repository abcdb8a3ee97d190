from rest_framework import serializers

from licenses.models import License


class LicenseSerializer(serializers.ModelSerializer):
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = License
        fields = [
            "spdx_id",
            "name",
            "family",
            "osi_approved",
            "fsf_libre",
            "summary_html",
            "html_url",
        ]

    def get_html_url(self, license_) -> str:
        return self.context["request"].build_absolute_uri(license_.get_absolute_url())
