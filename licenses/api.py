"""Read API of the licenses, looked up by SPDX id, and the expression check."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from licenses import spdx
from licenses.expressions import check_expression
from licenses.filters import LicenseFilter
from licenses.models import License
from licenses.serializers import (
    ExpressionCheckSerializer,
    ExpressionQuerySerializer,
    LicenseSerializer,
)
from portal.http.caching import RememberedListMixin, RememberedRetrieveMixin


class LicenseViewSet(
    RememberedListMixin, RememberedRetrieveMixin, viewsets.ReadOnlyModelViewSet
):
    """The licenses the organisation uses; ``/licenses/{spdx_id}/``. Filter by
    family and flags; sort by SPDX id, name or the organisation's own order."""

    serializer_class = LicenseSerializer
    filterset_class = LicenseFilter
    ordering_fields = ("spdx_id", "name", "position")
    lookup_field = "spdx_id"
    # Dots are part of ids (Apache-2.0); a NUL never is, and PostgreSQL cannot
    # even compare a text holding one: such an address is a 404 before any query.
    lookup_value_regex = r"[^/\u0000]+"

    def get_queryset(self):
        return License.objects.published().select_related("change_license")


class ExpressionViewSet(viewsets.ViewSet):
    """Check an SPDX license expression the way the portal checks its own."""

    @extend_schema(
        # The query is described by the serializer that checks it (its limits
        # included: at most 2000 characters).
        parameters=[ExpressionQuerySerializer],
        responses=ExpressionCheckSerializer,
    )
    @action(detail=False, methods=["get"], url_path="validate")
    def validate(self, request):
        """Whether an expression is valid, its normalised form, the licenses it
        names (known to the portal or not) and, when invalid, what is wrong,
        checked against the SPDX list version given in ``spdx_list_version``."""
        query = ExpressionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        check = check_expression(query.validated_data["expression"])
        return Response(
            ExpressionCheckSerializer(
                {
                    "expression": check.expression,
                    "valid": check.valid,
                    "normalized": check.normalized,
                    "licenses": self.describe(check.license_ids),
                    "errors": list(check.errors),
                    "suggestions": check.suggestions,
                    "notices": list(check.notices),
                    "spdx_list_version": spdx.LIST_VERSION,
                }
            ).data
        )

    def describe(self, license_ids):
        portal = License.objects.published().by_spdx_ids(license_ids)
        described = []
        for spdx_id in license_ids:
            record = portal.get(spdx_id.lower())
            entry = spdx.lookup_any(spdx_id)
            license_entry = spdx.lookup(spdx_id)
            described.append(
                {
                    "spdx_id": spdx_id,
                    "name": record.name if record else (entry.name if entry else ""),
                    "in_portal": record is not None,
                    "family": record.family if record else None,
                    "osi_approved": (
                        record.osi_approved
                        if record
                        else (license_entry.osi_approved if license_entry else None)
                    ),
                    "html_url": (
                        self.request.build_absolute_uri(record.get_absolute_url())
                        if record
                        else None
                    ),
                }
            )
        return described
