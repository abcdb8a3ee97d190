"""Licenses the organisation uses, identified by their SPDX id."""

from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import models, router
from django.db.models import PROTECT, ProtectedError
from django.db.models.deletion import Collector
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from licenses import rules, spdx
from licenses.expressions import license_ref
from licenses.suggestions import suggest_ids
from portal.publishing.history import content_history
from portal.publishing.models import Publishable, PublishableQuerySet
from portal.text.fields import MarkdownHTMLField
from portal.text.fulltext import WithoutSearchVector, search_vector_field
from portal.text.hygiene import text_hygiene


class Family(models.TextChoices):
    PERMISSIVE = "permissive", _("Permissive")
    WEAK_COPYLEFT = "weak_copyleft", _("Weak copyleft")
    STRONG_COPYLEFT = "strong_copyleft", _("Strong copyleft")
    SOURCE_AVAILABLE = "source_available", _("Source-available")
    PUBLIC_DOMAIN = "public_domain", _("Public domain")
    OTHER = "other", _("Other")


def canonical_license_id(value: str) -> str:
    """The canonical spelling of a license id of the SPDX list (a deprecated one
    included: a record keeps the id it was made for, and its flags) or of a
    ``LicenseRef-``; raises if neither."""
    value = (value or "").strip()
    ref = license_ref(value)
    if ref is not None:
        return ref
    entry = spdx.lookup_any(value)
    if entry is not None and not entry.is_exception:
        return entry.spdx_id
    if entry is not None:
        raise ValidationError(
            _(
                "'%(value)s' is a license exception, not a license: it is named "
                "after WITH in an expression, e.g. 'GPL-2.0-or-later WITH %(value)s'."
            )
            % {"value": entry.spdx_id},
            code="invalid_spdx_id",
        )
    suggestions = suggest_ids(value)
    message = _("'%(value)s' is not an SPDX license id or a LicenseRef-... id.") % {
        "value": value
    }
    if suggestions:
        message += " " + _("Did you mean %(ids)s?") % {"ids": ", ".join(suggestions)}
    raise ValidationError(message, code="invalid_spdx_id")


# Within ``remembered_conversion_terms()``, the source-available licenses of an id
# list are looked up once: a bulk import validates thousands of releases naming
# the same few.
_remembered_terms: ContextVar[dict | None] = ContextVar(
    "remembered_terms", default=None
)


@contextmanager
def remembered_conversion_terms():
    """Remember ``License.objects.source_available()`` answers for the enclosed
    block.

    Only for work that does not change licenses meanwhile (an import of projects).
    """
    token = _remembered_terms.set({})
    try:
        yield
    finally:
        _remembered_terms.reset(token)


class LicenseQuerySet(PublishableQuerySet):
    def delete(self):
        """Delete, unless one of the licenses is in use (``ProtectedError``)."""
        with refusal_naming_the_users():
            return super().delete()

    def by_spdx_ids(self, spdx_ids) -> dict[str, "License"]:
        """The licenses named by ``spdx_ids`` whatever their letter case, keyed
        by the lower-cased id (one query)."""
        wanted = {i.lower() for i in spdx_ids}
        return {
            license_.spdx_id.lower(): license_
            for license_ in self.annotate(key=Lower("spdx_id")).filter(key__in=wanted)
        }

    def source_available(self, spdx_ids) -> dict[str, "License"]:
        """The source-available licenses among ``spdx_ids``, keyed by the
        lower-cased id, with their fixed change license (one query, or none
        within ``remembered_conversion_terms()``)."""
        wanted = tuple(sorted({i.lower() for i in spdx_ids}))
        memo = _remembered_terms.get()
        if memo is None:
            return self._source_available(wanted)
        if wanted not in memo:
            memo[wanted] = self._source_available(wanted)
        return memo[wanted]

    def _source_available(self, wanted) -> dict[str, "License"]:
        return (
            self.filter(family=Family.SOURCE_AVAILABLE)
            .select_related("change_license")
            .by_spdx_ids(wanted)
        )


@deconstructible
class RuleListValidator:
    """Accepts a list of known rule keys of one kind (see ``licenses.rules``)."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, value):
        vocabulary = rules.VOCABULARIES[self.kind]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError(_("Give a list of rule keys."), code="invalid")
        unknown = [v for v in value if v not in vocabulary.values]
        if unknown:
            raise ValidationError(
                _("Unknown %(kind)s: %(keys)s. Known: %(known)s.")
                % {
                    "kind": self.kind,
                    "keys": ", ".join(unknown),
                    "known": ", ".join(vocabulary.values),
                },
                code="invalid_rule",
            )

    def __eq__(self, other):
        return isinstance(other, RuleListValidator) and other.kind == self.kind


class LicenseManager(
    WithoutSearchVector, models.Manager.from_queryset(LicenseQuerySet)
):
    def source_available(self, spdx_ids) -> dict[str, "License"]:
        # Within ``remembered_conversion_terms()``, an answer already known
        # costs no queryset either (an import asks for every release).
        memo = _remembered_terms.get()
        if memo is not None:
            wanted = tuple(sorted({i.lower() for i in spdx_ids}))
            if wanted in memo:
                return memo[wanted]
        return self.get_queryset().source_available(spdx_ids)


@text_hygiene
class License(Publishable):
    spdx_id = models.CharField(
        _("SPDX id"),
        max_length=100,
        help_text=_(
            "The license's SPDX identifier, e.g. 'Apache-2.0' or 'BUSL-1.1'; "
            "'LicenseRef-...' for a license of the organisation's own. "
            "Letter case is corrected on save."
        ),
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_(
            "The full name, e.g. 'Apache License 2.0'. Leave empty for a license on "
            "the SPDX list: its name is filled in."
        ),
    )
    family = models.CharField(
        _("family"),
        max_length=32,
        choices=Family.choices,
        default=Family.PERMISSIVE,
        help_text=_(
            "What kind of license it is; 'source-available' licenses may turn into "
            "an open-source license after a delay."
        ),
    )
    osi_approved = models.BooleanField(
        _("OSI approved"),
        default=False,
        help_text=_(
            "Approved by the Open Source Initiative. Taken from the SPDX list for "
            "licenses on it."
        ),
    )
    fsf_libre = models.BooleanField(
        _("FSF libre"),
        default=False,
        help_text=_(
            "Listed as a free (libre) license by the Free Software Foundation."
        ),
    )
    summary = models.TextField(
        _("summary"),
        blank=True,
        max_length=10000,
        help_text=_(
            "Markdown, up to 10,000 characters: why and where the organisation "
            "uses this license, e.g. 'default for new projects' or 'all SDKs'."
        ),
    )
    summary_html = MarkdownHTMLField(_("summary (HTML)"), source="summary")
    text_url = models.URLField(
        _("full text link"),
        blank=True,
        help_text=_("Where the full license text can be read."),
    )
    deprecated = models.BooleanField(
        _("deprecated SPDX id"),
        default=False,
        help_text=_("The SPDX list marks this id as deprecated (filled in by sync)."),
    )
    permissions = models.JSONField(
        _("permissions"),
        default=list,
        blank=True,
        validators=[RuleListValidator("permissions")],
        help_text=_("What the license lets you do."),
    )
    conditions = models.JSONField(
        _("conditions"),
        default=list,
        blank=True,
        validators=[RuleListValidator("conditions")],
        help_text=_("What the license asks of you in return."),
    )
    limitations = models.JSONField(
        _("limitations"),
        default=list,
        blank=True,
        validators=[RuleListValidator("limitations")],
        help_text=_("What the license does not give you."),
    )
    change_license = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="converted_from",
        verbose_name=_("fixed change license"),
        help_text=_(
            "Only when the license's text names it, e.g. Apache-2.0 for "
            "FSL-1.1-ALv2 and MIT for FSL-1.1-MIT. Leave empty for BUSL-1.1: its "
            "licensor chooses the change license in each project's terms."
        ),
    )
    change_period_months = models.PositiveSmallIntegerField(
        _("fixed change period (months)"),
        null=True,
        blank=True,
        help_text=_(
            "Only when the license's text fixes it: months from each version's "
            "release to its conversion, e.g. 24 for FSL (its second anniversary). "
            "A project under such a license cannot state another change date."
        ),
    )
    change_cap_months = models.PositiveSmallIntegerField(
        _("cap (months)"),
        null=True,
        blank=True,
        help_text=_(
            "Where the license text sets a latest conversion: months after each "
            "version's release (48 for BUSL-1.1, its fourth anniversary). A change "
            "date beyond it is refused; without a stated change date, a version "
            "converts on it."
        ),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Licenses are listed in this order.")
    )
    is_default = models.BooleanField(
        _("our default license"),
        default=False,
        help_text=_(
            "The license new projects get unless there is a reason for another. "
            "The philosophy page marks it. One license at most."
        ),
    )

    # What the site's search reads, and how much each field weighs.
    SEARCH_FIELDS = (("spdx_id", "A"), ("name", "A"), ("summary", "B"))
    search_vector = search_vector_field(SEARCH_FIELDS)

    objects = LicenseManager()
    # The id releases' conversions name (``projects.signals``): a save that
    # keeps it changes no count of projects turning into a license.
    kept_as_loaded = ("spdx_id",)
    revision_writer = "licenses.services.license_apply_revision"
    history = content_history(excluded_fields=["search_vector", "summary_html"])

    class Meta:
        ordering = ["position", "spdx_id"]
        verbose_name = _("license")
        verbose_name_plural = _("licenses")
        permissions = [("publish_license", "Can publish and unpublish licenses")]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="license_one_default",
                violation_error_message=_(
                    "Another license is already the default: untick it there first."
                ),
            ),
            models.UniqueConstraint(
                Lower("spdx_id"),
                name="license_spdx_id_unique_ci",
                violation_error_message=_(
                    "A license with this SPDX id already exists."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.spdx_id})"

    def get_absolute_url(self):
        return reverse("licenses:detail", kwargs={"spdx_id": self.spdx_id})

    def delete(self, *args, **kwargs):
        """Delete, unless the license is in use (``ProtectedError``, naming the
        rows that use it; see ``licenses_in_use``)."""
        with refusal_naming_the_users():
            return super().delete(*args, **kwargs)

    def clean(self):
        errors = {}
        try:
            self.spdx_id = canonical_license_id(self.spdx_id)
        except ValidationError as error:
            errors["spdx_id"] = error.messages
        else:
            self.fill_from_spdx()
        if not self.name and "spdx_id" not in errors:
            errors["name"] = _("Give the license's name: it is not on the SPDX list.")
        terms = (self.change_license_id, self.change_period_months)
        if self.family != Family.SOURCE_AVAILABLE and any(
            t is not None for t in (*terms, self.change_cap_months)
        ):
            errors["change_license"] = _(
                "Only source-available licenses have conversion terms."
            )
        if self.change_license_id is not None and self.change_license_id == self.pk:
            errors["change_license"] = _("A license cannot change into itself.")
        if (
            self.change_period_months is not None
            and self.change_cap_months is not None
            and self.change_period_months > self.change_cap_months
        ):
            errors["change_period_months"] = _(
                "The change period cannot be longer than the license's cap."
            )
        if errors:
            raise ValidationError(errors)

    def fill_from_spdx(self) -> list[str]:
        """Take the SPDX list's facts for this id; return the fields that changed.

        The flags always follow the list; the name and the text link only fill a
        gap, so an editor's wording is kept.
        """
        entry = spdx.lookup(self.spdx_id)
        if entry is None:
            return []
        changed = []
        facts = {
            "osi_approved": entry.osi_approved,
            "fsf_libre": entry.fsf_libre,
            "deprecated": entry.deprecated,
        }
        if not self.name:
            facts["name"] = entry.name
        if not self.text_url:
            facts["text_url"] = entry.text_url
        for field_name, value in facts.items():
            if getattr(self, field_name) != value:
                setattr(self, field_name, value)
                changed.append(field_name)
        return changed

    @property
    def is_source_available(self) -> bool:
        return self.family == Family.SOURCE_AVAILABLE

    def labelled_rules(self) -> dict[str, list[dict[str, str]]]:
        """Permissions, conditions and limitations with plain-language labels."""
        return {
            kind: rules.labelled(kind, getattr(self, kind))
            for kind in rules.VOCABULARIES
        }


def licenses_in_use(licenses) -> dict["License", list[models.Model]]:
    """What keeps each of ``licenses`` from being deleted: the rows, per license.

    Django's own collector finds them, through every protected foreign key: a
    project's link to a license its expression names, a license that changes into
    it, a release that converts to it.
    """
    collector = Collector(using=router.db_for_write(License))
    try:
        collector.collect(list(licenses))
    except ProtectedError as error:
        return users_by_license(error.protected_objects)
    return {}


def users_by_license(protected_rows) -> dict["License", list[models.Model]]:
    """The rows of a ``ProtectedError`` as what uses each license: a link row of a
    many-to-many relation stands for its owner (the project)."""
    owners = {
        relation.through: relation.field.m2m_field_name()
        for relation in License._meta.related_objects
        if relation.many_to_many
    }
    usage: dict[License, list[models.Model]] = defaultdict(list)
    for row in protected_rows:
        key = next(
            field
            for field in row._meta.concrete_fields
            if field.related_model is License
            and field.remote_field.on_delete is PROTECT
        )
        owner = owners.get(type(row))
        user = getattr(row, owner) if owner else row
        usage[getattr(row, key.name)].append(user)
    return {
        license_: sorted(users, key=lambda user: (user._meta.label, user.pk))
        for license_, users in usage.items()
    }


def describe_user(obj: models.Model) -> str:
    """``project “Snuba”``: a row that uses a license, for a message."""
    return f"{obj._meta.verbose_name} “{obj}”"


@contextmanager
def refusal_naming_the_users():
    """Re-raise Django's refusal to delete a license in use (``ProtectedError``)
    naming what uses it; its ``protected_objects`` are those rows."""
    try:
        yield
    except ProtectedError as error:
        usage = users_by_license(error.protected_objects)
        details = " ".join(
            _("%(license)s is used by %(users)s.")
            % {
                "license": license_.spdx_id,
                "users": ", ".join(describe_user(user) for user in users),
            }
            for license_, users in usage.items()
        )
        raise ProtectedError(
            _("A license in use cannot be deleted. %(details)s") % {"details": details},
            {user for users in usage.values() for user in users},
        ) from None
