"""``?ordering=`` for the API: only the fields a viewset names, or a 400.

DRF's ``OrderingFilter`` drops an ordering term it does not know and, when a view
names no ``ordering_fields``, lets clients sort by any serializer field. Here a
view offers ordering only through an explicit ``ordering_fields`` tuple, each field
in both directions (``name`` and ``-name``), several comma-separated
(``?ordering=-updated_at,name``); anything else is a 400 that names ``ordering``
and the accepted values. A view without ``ordering_fields`` has no ordering
parameter, so ``?ordering=`` there (and on one item's address) is an unknown
parameter and is ignored.

Rows that tie on the requested fields keep the list's usual order, then the
primary key, so paging through a sorted list neither repeats nor skips a row.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter


class StrictOrderingFilter(OrderingFilter):
    ordering_description = _(
        "Sort order: one or more of the listed values, comma-separated; a leading "
        "'-' sorts in descending order."
    )

    def allowed_fields(self, view) -> tuple[str, ...]:
        return tuple(getattr(view, "ordering_fields", None) or ())

    def allowed_values(self, view) -> list[str]:
        values = []
        for field in self.allowed_fields(view):
            values += [field, f"-{field}"]
        return values

    def get_valid_fields(self, queryset, view, context=None):
        return [(field, field) for field in self.allowed_fields(view)]

    def to_html(self, request, queryset, view):
        # The browsable API's sort menu: only where sorting is offered.
        if not self.allowed_fields(view) or getattr(view, "detail", False):
            return ""
        return super().to_html(request, queryset, view)

    def get_ordering(self, request, queryset, view):
        allowed = () if getattr(view, "detail", False) else self.allowed_fields(view)
        value = request.query_params.get(self.ordering_param, "")
        if not allowed or not value.strip():
            return self.get_default_ordering(view)
        terms = [term.strip() for term in value.split(",")]
        unknown = [term for term in terms if term.removeprefix("-") not in allowed]
        if unknown:
            raise ValidationError(
                {
                    self.ordering_param: [
                        _("Cannot sort by %(terms)s. Sort by one of: %(allowed)s.")
                        % {
                            "terms": ", ".join(f"'{term[:50]}'" for term in unknown),
                            "allowed": ", ".join(self.allowed_values(view)),
                        }
                    ]
                }
            )
        return terms

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        usual = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
        return queryset.order_by(*ordering, *usual, "pk")

    def get_schema_operation_parameters(self, view):
        if not self.allowed_fields(view):
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(self.ordering_description),
                "style": "form",
                "explode": False,
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "enum": self.allowed_values(view)},
                },
            }
        ]
