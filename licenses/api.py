"""Read API of the licenses, looked up by SPDX id."""

from rest_framework import viewsets

from licenses.models import License
from licenses.serializers import LicenseSerializer


class LicenseViewSet(viewsets.ReadOnlyModelViewSet):
    """The licenses the organisation uses; ``/licenses/{spdx_id}/``."""

    serializer_class = LicenseSerializer
    lookup_field = "spdx_id"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return License.objects.published()
