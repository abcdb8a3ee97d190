"""The public license pages: list, one license, comparison, expression check."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView

from licenses import rules, spdx
from licenses.expressions import check_expression
from licenses.forms import ExpressionCheckForm, LicenseCompareForm
from licenses.models import License, canonical_license_id
from licenses.usage import with_first_projects, with_project_count
from portal.publishing.previews import PreviewableMixin

# Projects listed on a license's page, featured first; a link leads to the
# directory filtered by the license for the others.
PROJECTS_SHOWN = 50

# What an SPDX id or a LicenseRef-... id can be made of, in any letter case.
ID_SHAPE = re.compile(r"[\w.+:-]+")


class LicenseListView(ListView):
    template_name = "licenses/license_list.html"
    context_object_name = "licenses"
    # The model of the projects counted under each license: given by the site's
    # URL map (licenses.urls.license_patterns), as this app imports no other.
    project_model = None

    def get_queryset(self):
        return with_project_count(License.objects.published(), self.project_model)


class LicenseDetailView(PreviewableMixin, DetailView):
    """One license; also the admin's preview of a license."""

    template_name = "licenses/license_detail.html"
    context_object_name = "license"
    # The model of the projects listed under the license (as on the list).
    project_model = None

    def get_queryset(self):
        # The first projects; the directory lists them all.
        return with_first_projects(
            License.objects.published(preview=self.preview_item).select_related(
                "change_license"
            ),
            self.project_model.objects.published().select_related("category"),
            limit=PROJECTS_SHOWN,
        )

    def get(self, request, *args, **kwargs):
        spdx_id = kwargs["spdx_id"]
        if not ID_SHAPE.fullmatch(spdx_id):
            # Not even shaped like an id (spaces, "<", a NUL byte, which
            # PostgreSQL refuses): no need to ask the database.
            raise Http404("Not an SPDX license id.")
        self.object = self.get_queryset().filter(spdx_id__iexact=spdx_id).first()
        if self.object is None:
            return self.redirect_to_canonical(spdx_id)
        if self.object.spdx_id != spdx_id:
            # /licenses/apache-2.0/ -> /licenses/Apache-2.0/: one address per page.
            return redirect(self.object, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def redirect_to_canonical(self, spdx_id):
        """/licenses/GPL-2.0+/ -> /licenses/GPL-2.0-or-later/, when the portal has
        the license under the id the SPDX list now uses."""
        try:
            canonical = canonical_license_id(spdx_id)
        except ValidationError:
            raise Http404("Not an SPDX license id.") from None
        current = spdx.current_id(canonical)
        if current.lower() == spdx_id.lower():
            raise Http404("No published license with this id.")
        published = License.objects.published()
        license_ = published.filter(spdx_id__iexact=current).first()
        if license_ is None:
            raise Http404("No published license with this id.")
        return redirect(license_, permanent=True)


@dataclass(frozen=True)
class RuleRow:
    """One rule of the comparison table: its label and, per license, the
    license's id and whether it has the rule."""

    label: str
    answers: list[tuple[str, bool]]


@dataclass(frozen=True)
class RuleGroup:
    kind: str
    label: str
    question: str
    rows: list[RuleRow]


RULE_KINDS = {
    "permissions": (_("Permissions"), _("Does the license let you do this?")),
    "conditions": (_("Conditions"), _("Does the license ask this of you?")),
    "limitations": (
        _("Limitations"),
        _("Does the license state that it does not give you this?"),
    ),
}


def rule_groups(licenses) -> list[RuleGroup]:
    """Permissions, conditions and limitations any of ``licenses`` has, in the
    vocabulary's order, each with a yes/no per license."""
    groups = []
    for kind, vocabulary in rules.VOCABULARIES.items():
        held = [
            (license_.spdx_id, set(getattr(license_, kind))) for license_ in licenses
        ]
        rows = [
            RuleRow(str(label), [(spdx_id, key in keys) for spdx_id, keys in held])
            for key, label in vocabulary.choices
            if any(key in keys for _, keys in held)
        ]
        title, question = RULE_KINDS[kind]
        groups.append(RuleGroup(kind, str(title), str(question), rows))
    return groups


class LicenseCompareView(TemplateView):
    """Published licenses side by side: ``?license=MIT&license=BUSL-1.1``."""

    template_name = "licenses/license_compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = LicenseCompareForm(
            self.request.GET or None,
            licenses=License.objects.published().select_related("change_license"),
        )
        form.is_valid()
        context["form"] = form
        context["compared"] = form.chosen
        context["rule_groups"] = rule_groups(form.chosen)
        return context


@dataclass(frozen=True)
class NamedLicense:
    """An id an expression names, with what the portal and the SPDX list know."""

    spdx_id: str
    license: License | None
    spdx_name: str
    is_exception: bool
    # The portal's record decides; an id the portal lacks, the SPDX list (as the
    # API's check does). None where neither knows.
    osi_approved: bool | None


def named_licenses(license_ids) -> list[NamedLicense]:
    """The ids of a checked expression, each with its published portal record."""
    if not license_ids:
        return []
    records = License.objects.published().by_spdx_ids(license_ids)
    named = []
    for spdx_id in license_ids:
        entry = spdx.lookup(spdx_id)
        named.append(
            NamedLicense(
                spdx_id=spdx_id,
                license=records.get(spdx_id.lower()),
                spdx_name=entry.name if entry else "",
                is_exception=spdx.lookup_exception(spdx_id) is not None,
                osi_approved=(
                    record.osi_approved
                    if (record := records.get(spdx_id.lower()))
                    else (entry.osi_approved if entry else None)
                ),
            )
        )
    return named


def suggested_expressions(check) -> list[str]:
    """The expression corrected by each suggestion its messages make ("did you
    mean 'FSL-1.1-ALv2'?"), so a reader can check it in one click."""
    suggested = []
    for token, ids in check.suggestions.items():
        for suggestion in ids:
            if any(f"'{suggestion}'" in error for error in check.errors):
                suggested.append(_replace_token(check.expression, token, suggestion))
    return list(dict.fromkeys(suggested))


def _replace_token(text: str, token: str, replacement: str) -> str:
    """``text`` with the whole token ``token`` (a word, or two words written for
    one id: "GPL 2.0") replaced."""
    whole = rf"(?<![^ \t\r\n()]){re.escape(token)}(?![^ \t\r\n()])"
    return re.sub(whole, lambda _: replacement, text)


class ExpressionCheckView(TemplateView):
    """``?expression=...``: is it a valid SPDX expression, and what does it name?"""

    template_name = "licenses/expression_check.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ExpressionCheckForm(self.request.GET or None)
        context["form"] = form
        context["spdx_list_version"] = spdx.LIST_VERSION
        if form.is_valid():
            check = check_expression(form.cleaned_data["expression"])
            context["check"] = check
            context["named"] = named_licenses(check.license_ids)
            context["suggestions"] = [
                {
                    "expression": expression,
                    "url": f"{reverse('licenses:check')}?{_query(expression)}",
                }
                for expression in suggested_expressions(check)
            ]
        return context


def _query(expression: str) -> str:
    query = QueryDict(mutable=True)
    query["expression"] = expression
    return query.urlencode()
