"""The catalogue: projects, their releases, categories and languages."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licenses.conversion import (
    NEVER,
    OPEN,
    Grant,
    expression_conversion,
    refuse_months_beyond_cap,
    source_available_conversion,
)
from licenses.expressions import (
    ExpressionCheck,
    check_expression,
    expression_is_open_source,
    osi_lookup,
)
from licenses.models import License
from portal.publishing.history import content_history
from portal.publishing.kept_sql import KeptQuery
from portal.publishing.models import Publishable, PublishableQuerySet
from portal.publishing.versioning import Versioned
from portal.text.fields import MarkdownHTMLField
from portal.text.fulltext import WithoutSearchVector, search_vector_field
from portal.text.hygiene import text_hygiene


def clean_expression_field(instance, field_name: str) -> ExpressionCheck:
    """Validate and normalise a license expression field in place."""
    check = check_expression(getattr(instance, field_name))
    if not check.valid:
        raise ValidationError({field_name: list(check.errors)})
    setattr(instance, field_name, check.normalized)
    return check


@text_hygiene
class Category(Versioned):
    name = models.CharField(
        _("name"), max_length=100, unique=True, help_text=_("E.g. 'SDK' or 'Backend'.")
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Used in addresses and filters: letters, digits, -."),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Categories are listed in this order.")
    )

    history = content_history()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:list") + f"?category={self.slug}"


@text_hygiene
class Language(Versioned):
    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("A programming language, e.g. 'Python'."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Used in addresses and filters: letters, digits, -."),
    )

    history = content_history()

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:list") + f"?language={self.slug}"


# A row with a schedule of its own.
SCHEDULED = Q(publish_at__isnull=False) | Q(unpublish_at__isnull=False)


class ProjectQuerySet(PublishableQuerySet):
    def for_listing(self, at=None):
        """With what a list shows (category, public licenses, languages), so a
        page costs a fixed number of queries whatever its length."""
        return self.select_related("category").prefetch_related(
            Prefetch(
                "licenses",
                queryset=License.objects.published(at),
                to_attr="public_licenses",
            ),
            "languages",
        )

    def timed(self):
        """Projects whose visibility, or that of one of their releases, changes
        as time passes: a ``publish_at`` or ``unpublish_at`` on the project or
        on any of its releases (in any state). The others' public view stays
        the same until a write; see ``LicenseUsage``."""
        # A union, not an OR: each part is read from its schedule's indexes.
        return self.filter(
            pk__in=Project.objects.filter(SCHEDULED)
            .values("pk")
            .union(Release.objects.filter(SCHEDULED).values("project"))
        )

    def untimed(self):
        """The projects ``timed()`` leaves out."""
        return self.filter(publish_at__isnull=True, unpublish_at__isnull=True).exclude(
            pk__in=Release.objects.filter(SCHEDULED).values("project")
        )

    def with_history(self):
        """With the license history, oldest first, as ``license_changes.all()``."""
        return self.prefetch_related("license_changes")

    def with_releases(self, at=None, *, preview=None):
        """With the public releases, newest first, as ``public_releases`` (and
        the previewed one, see ``portal.publishing.previews``)."""
        return self.prefetch_related(
            Prefetch(
                "releases",
                queryset=Release.objects.published(at, preview=preview).order_by(
                    "-released_on", "-id"
                ),
                to_attr="public_releases",
            )
        )


class ProjectManager(
    WithoutSearchVector, models.Manager.from_queryset(ProjectQuerySet)
):
    pass


def with_list_values(rows: list[dict], at=None) -> list[dict]:
    """Give each project row of ``rows`` (a page of dicts with its ``pk``,
    already read) what the API's list shows of its relations, as plain values:
    ``public_license_ids`` (SPDX ids of its published licenses),
    ``language_slugs`` and ``license_history`` (``(effective_on,
    license_expression, note)``, oldest first), each in the order
    ``for_listing()`` and ``with_history()`` give, and ``list_terms`` (the
    terms of the grant in effect today, as ``LicenseChange.terms_dict()``, or
    None). Three queries, like those prefetches, their SQL kept per process
    (``KeptQuery``), without building a model instance and a related manager
    for every row they return."""
    by_pk = {row["pk"]: row for row in rows}
    for row in rows:
        row["public_license_ids"] = []
        row["language_slugs"] = []
        row["license_history"] = []
        row["grants"] = []
    if not by_pk:
        return rows
    pks = list(by_pk)
    for pk, spdx_id in KEPT_LIST_LICENSES.rows(pks=pks, at=at):
        by_pk[pk]["public_license_ids"].append(spdx_id)
    for pk, slug in KEPT_LIST_LANGUAGES.rows(pks=pks, at=at):
        by_pk[pk]["language_slugs"].append(slug)
    changes = KEPT_LIST_CHANGES.rows(pks=pks, at=at)
    for pk, effective_on, expression, note, *terms in changes:
        by_pk[pk]["license_history"].append((effective_on, expression, note))
        by_pk[pk]["grants"].append(
            (effective_on, dict(zip(LicenseChange.TERMS, terms, strict=True)))
        )
    today = timezone.localdate()
    for row in rows:
        grant = in_effect(row["grants"], today, key=lambda grant: grant[0])
        row["list_terms"] = (
            {k: None if v in ("", None) else v for k, v in grant[1].items()}
            if grant
            else None
        )
    return rows


# The columns of a project's card in the directory (``with_card_values``).
CARD_COLUMNS = (
    "pk",
    "slug",
    "name",
    "summary",
    "license_expression",
    "status",
    "category__name",
)


def project_facts(
    *,
    license_expression: str,
    licenses: list,
    category,
    languages,
    status,
    status_labels: dict | None = None,
) -> dict:
    """What ``{% project_facts %}`` shows of a project, as plain values:
    ``licenses`` its public licenses (dicts of ``spdx_id``, ``name`` and ``url``,
    in ``for_listing()``'s order), ``category`` the category's name or None,
    ``languages`` the languages' names. ``single_license``: the one license when
    the expression is that license alone (a chip stands for the expression).
    ``status_labels``: ``status_labels()``, when a page shows many projects."""
    single = (
        licenses[0]
        if len(licenses) == 1 and licenses[0]["spdx_id"] == license_expression
        else None
    )
    return {
        "license_expression": license_expression,
        "licenses": licenses,
        "single_license": single,
        "category": category,
        "languages": languages,
        "status": status,
        "status_label": (status_labels or status_labels_now()).get(status, status),
    }


def status_labels_now() -> dict:
    """The statuses' labels, translated (in the active language)."""
    return {value: str(label) for value, label in Project.Status.choices}


CARD_SLUG_PLACEHOLDER = "card-slug"


def project_addresses(request=None):
    """A function giving a project's address from its slug, for a list of
    projects: one address lookup per list, not one per project. A slug is made
    of the characters the address's converter takes ([-a-zA-Z0-9_]), which need
    no quoting, so each address is the looked-up one with its slug.
    ``request``: absolute addresses, as its ``build_absolute_uri()`` makes."""
    address = reverse("projects:detail", kwargs={"slug": CARD_SLUG_PLACEHOLDER})
    if request is not None:
        address = request.build_absolute_uri(address)
    head, tail = address.rsplit(CARD_SLUG_PLACEHOLDER, 1)
    return lambda slug: f"{head}{slug}{tail}"


def with_card_values(rows: list[dict], at=None) -> list[dict]:
    """Give each project row (a dict of ``CARD_COLUMNS``, a page already read)
    its address as ``url`` and its facts (``project_facts()``) as ``facts``:
    one query (its public licenses and its languages, in the order
    ``for_listing()`` gives them), without building a model instance, a related
    manager or an address lookup for every row they return."""
    by_pk = {row["pk"]: row for row in rows}
    licenses = {pk: [] for pk in by_pk}
    languages = {pk: [] for pk in by_pk}
    known = {}
    for pk, is_language, label, name in card_relations(by_pk, at):
        if is_language:
            languages[pk].append(name)
            continue
        if label not in known:
            known[label] = {
                "spdx_id": label,
                "name": name,
                "url": reverse("licenses:detail", kwargs={"spdx_id": label}),
            }
        licenses[pk].append(known[label])
    address = project_addresses()
    status_labels = status_labels_now()
    for pk, row in by_pk.items():
        row["url"] = address(row["slug"])
        row["facts"] = project_facts(
            license_expression=row["license_expression"],
            licenses=licenses[pk],
            category=row["category__name"],
            languages=languages[pk],
            status=row["status"],
            status_labels=status_labels,
        )
    return rows


def card_relations(project_pks, at=None, *, details: bool = False):
    """The public licenses and the languages of the projects ``project_pks``,
    in one query: rows of (project pk, is_language, label, name), a license's
    label its SPDX id; licenses first, each kind in its model's order (then
    by pk), as ``for_listing()`` reads them. ``details``: each row also has a
    license's ``text_url`` and ``osi_approved`` ("" and False for a
    language). The query's SQL is compiled once per process and number of
    projects (``KEPT_CARD_RELATIONS``): building it cost more than running it."""
    if not project_pks:
        return []  # as Django does for an empty ``__in``: no query
    union = KEPT_CARD_RELATIONS[details].rows(pks=list(project_pks), at=at)
    return [
        (pk, kind, label, name, *rest) for pk, kind, _, label, _, name, *rest in union
    ]


def card_relations_query(*, at, pks, details: bool = False):
    """The queryset of ``card_relations()``: a union of the licenses
    ``published()`` at ``at`` and of the languages of the projects ``pks``."""
    integer, text = models.IntegerField(), models.CharField()
    columns = ["project", "is_language", "rank", "label", "row", "name"]
    license_details, language_details = {}, {}
    if details:
        columns += ["text", "osi"]
        license_details = {"text": F("text_url"), "osi": F("osi_approved")}
        language_details = {
            "text": Value("", output_field=text),
            "osi": Value(False, output_field=models.BooleanField()),
        }
    licenses = (
        License.objects.published(at)
        .filter(projects__in=pks)
        .annotate(
            project=F("projects"),
            is_language=Value(0, output_field=integer),
            rank=F("position"),
            label=F("spdx_id"),
            row=F("pk"),
            **license_details,
        )
        .order_by()
        .values_list(*columns)
    )
    languages = (
        Language.objects.filter(projects__in=pks)
        .annotate(
            project=F("projects"),
            is_language=Value(1, output_field=integer),
            rank=Value(0, output_field=integer),
            label=Cast("name", text),
            row=F("pk"),
            **language_details,
        )
        .order_by()
        .values_list(*columns)
    )
    return licenses.union(languages, all=True).order_by(*columns[1:5])


# card_relations()'s query, without and with the licenses' details.
KEPT_CARD_RELATIONS = {
    details: KeptQuery(
        lambda *, at, pks, shape, details=details: card_relations_query(
            at=at, pks=pks, details=details
        ),
        model=License,
    )
    for details in (False, True)
}


def project_relations(project_pk, at=None) -> tuple[list[dict], list[str]]:
    """What a project's page shows of its relations, as plain values, in one
    query (``card_relations``): its public licenses in ``for_listing()``'s
    order, as dicts of ``spdx_id``, ``name``, ``url`` (as ``project_facts()``
    takes them), ``text_url`` and ``osi_approved``, and its languages'
    names."""
    licenses, languages = [], []
    for _pk, is_language, label, name, text_url, osi_approved in card_relations(
        [project_pk], at, details=True
    ):
        if is_language:
            languages.append(name)
            continue
        licenses.append(
            {
                "spdx_id": label,
                "name": name,
                "url": reverse("licenses:detail", kwargs={"spdx_id": label}),
                "text_url": text_url,
                "osi_approved": osi_approved,
            }
        )
    return licenses, languages


def in_effect(entries: list, day, *, key):
    """Of a license history (oldest first; ``key(entry)`` its effective day,
    None for "from the beginning"), the entry in effect on ``day``: the latest
    begun by then; for a day older than the history, its first entry."""
    begun = [e for e in entries if key(e) is None or key(e) <= day]
    if begun:
        return begun[-1]
    return entries[0] if entries else None


@text_hygiene
class Project(Publishable):
    # What the full-text search reads, and how much each field weighs: a word in
    # the name counts more than the same word in the description.
    SEARCH_FIELDS = (("name", "A"), ("summary", "B"), ("description", "C"))

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MAINTENANCE = "maintenance", _("Maintenance only")
        ARCHIVED = "archived", _("Archived")
        DEPRECATED = "deprecated", _("Deprecated")

    name = models.CharField(
        _("name"), max_length=200, help_text=_("The project's name, e.g. 'Snuba'.")
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_(
            "The end of the project's address, e.g. 'snuba' for /projects/snuba/. "
            "Letters, digits, -."
        ),
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One sentence shown in the directory and in search results."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=50000,
        help_text=_("Markdown, up to 50,000 characters, shown on the project's page."),
    )
    description_html = MarkdownHTMLField(_("description (HTML)"), source="description")
    repository_url = models.URLField(
        _("repository URL"), blank=True, help_text=_("Where the source code lives.")
    )
    homepage_url = models.URLField(
        _("homepage URL"), blank=True, help_text=_("The project's own website.")
    )
    docs_url = models.URLField(
        _("documentation URL"), blank=True, help_text=_("The project's documentation.")
    )
    license_expression = models.CharField(
        _("license expression"),
        max_length=500,
        help_text=_(
            "The SPDX license expression of the current code, e.g. 'Apache-2.0' or "
            "'Apache-2.0 OR MIT'. It is checked and normalised on save, and the "
            "licenses it names are linked automatically."
        ),
    )
    licenses = models.ManyToManyField(
        License,
        through="ProjectLicense",
        blank=True,
        related_name="projects",
        verbose_name=_("licenses"),
        help_text=_("Filled in from the license expression."),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("category"),
        help_text=_("What kind of project this is."),
    )
    languages = models.ManyToManyField(
        Language,
        blank=True,
        related_name="projects",
        verbose_name=_("languages"),
        help_text=_("The main programming languages of the project."),
    )
    status = models.CharField(
        _("lifecycle status"),
        max_length=16,
        choices=Status.choices,
        default=Status.ACTIVE,
        help_text=_("Whether the project is developed, only maintained, or retired."),
    )
    featured = models.BooleanField(
        _("featured"),
        default=False,
        help_text=_("Featured projects are listed first."),
    )
    position = models.PositiveIntegerField(
        _("position"),
        default=0,
        help_text=_("Projects are listed in this order, after the featured ones."),
    )
    # Computed by PostgreSQL from the fields above (NULL elsewhere); read by the
    # search only.
    search_vector = search_vector_field(SEARCH_FIELDS)

    objects = ProjectManager()
    # The languages are chosen in the project's form, so their history is kept
    # with it; the licenses are derived from the expression, whose history is.
    revision_writer = "projects.services.project_apply_revision"
    history = content_history(
        m2m_fields=["languages"],
        excluded_fields=["search_vector", "description_html"],
    )

    class Meta:
        ordering = ["-featured", "position", "name"]
        indexes = [
            # The directory's first page in its default order is read from
            # this index, not sorted from the whole catalogue.
            models.Index(
                F("featured").desc(), "position", "name", name="project_listing_order"
            ),
        ]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        permissions = [("publish_project", "Can publish and unpublish projects")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"slug": self.slug})

    def clean(self):
        clean_expression_field(self, "license_expression")

    def grant_on(self, day) -> "LicenseChange | None":
        """The license history entry whose terms hold for code released on
        ``day``: the latest in effect then; for code older than the recorded
        history, its first entry. Reads ``license_changes.all()`` (prefetched by
        ``with_history()``)."""
        return in_effect(
            list(self.license_changes.all()), day, key=lambda c: c.effective_on
        )

    @property
    def terms(self) -> "LicenseChange | None":
        """The grant in effect today: the terms of the project's current code."""
        return self.grant_on(timezone.localdate())


def directory_projects(at=None):
    """What the directory lists before any filter: the published projects, in
    their default order."""
    return Project.objects.published(at)


def directory_page_rows(first: int, last: int, at=None) -> list[dict]:
    """The directory's projects ``first`` to ``last`` (a slice's bounds)
    without any filter, as rows of ``CARD_COLUMNS``: what
    ``directory_projects(at).values(*CARD_COLUMNS)[first:last]`` reads, from
    SQL compiled once per process and page (``KEPT_DIRECTORY_PAGE``)."""
    return [
        dict(zip(CARD_COLUMNS, row, strict=True))
        for row in KEPT_DIRECTORY_PAGE.rows(at=at, shape=(first, last))
    ]


KEPT_DIRECTORY_PAGE = KeptQuery(
    lambda *, at, pks, shape: directory_projects(at).values_list(*CARD_COLUMNS)[
        shape[0] : shape[1]
    ],
    model=Project,
)


# with_list_values()'s queries. The languages and the license history have no
# publishing rule of their own (their projects are read through published()):
# ``model`` only says how a moment would be written, and none is.
KEPT_LIST_LICENSES = KeptQuery(
    lambda *, at, pks, shape: (
        License.objects.published(at)
        .filter(projects__in=pks)
        .order_by(*License._meta.ordering, "pk")
        .values_list("projects", "spdx_id")
    ),
    model=License,
)
KEPT_LIST_LANGUAGES = KeptQuery(
    lambda *, at, pks, shape: (
        Language.objects.filter(projects__in=pks)
        .order_by(*Language._meta.ordering, "pk")
        .values_list("projects", "slug")
    ),
    model=Project,
)
KEPT_LIST_CHANGES = KeptQuery(
    lambda *, at, pks, shape: (
        LicenseChange.objects.filter(project__in=pks)
        .order_by(F("effective_on").asc(nulls_first=True), "pk")
        .values_list(
            "project",
            "effective_on",
            "license_expression",
            "note",
            *LicenseChange.TERMS,
        )
    ),
    model=Project,
)


class ProjectLicense(models.Model):
    """A project's link to a license its expression names. The link protects the
    license: a license a project uses cannot be deleted."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    license = models.ForeignKey(License, on_delete=models.PROTECT)

    class Meta:
        # The table Django made for the plain many-to-many field, kept as it is.
        db_table = "projects_project_licenses"
        unique_together = [("project", "license")]
        verbose_name = _("project's license")
        verbose_name_plural = _("projects' licenses")

    def __str__(self):
        return f"project {self.project_id}: license {self.license_id}"


class ReleaseQuerySet(PublishableQuerySet):
    def conversions(self):
        """Releases with a conversion date, soonest first, with what a list shows."""
        return (
            self.filter(converts_on__isnull=False)
            .select_related("project")
            .order_by("converts_on", "project__name", "version")
        )


@text_hygiene
class Release(Publishable):
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="releases",
        verbose_name=_("project"),
        help_text=_("The project this release belongs to."),
    )
    version = models.CharField(
        _("version"), max_length=50, help_text=_("As tagged, e.g. '23.11.0'.")
    )
    released_on = models.DateField(
        _("release date"),
        help_text=_(
            "The UTC date of the version's first publication (a tag pushed at "
            "23:05 UTC on 1 March is released on 1 March, whatever the local time)."
        ),
    )
    license_expression = models.CharField(
        _("license expression"),
        max_length=500,
        help_text=_(
            "The SPDX license expression this version was released under, "
            "e.g. 'BUSL-1.1'."
        ),
    )

    change_date = models.DateField(
        _("change date"),
        null=True,
        blank=True,
        help_text=_(
            "Optional: the change date stated in this version's license, when it "
            "differs from the project's terms (e.g. one per release series). "
            "Refused beyond the license's cap, and under a license whose text "
            "fixes the period (FSL)."
        ),
    )
    converts_on = models.DateField(
        _("converts on"),
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("Computed: the day this version becomes open source."),
    )
    converts_to = models.CharField(
        _("converts to"),
        max_length=500,
        blank=True,
        default="",
        editable=False,
        help_text=_(
            "Computed: the license expression this version turns into, each "
            "source-available part replaced by its change license."
        ),
    )

    published_parent = "project"
    revision_writer = "projects.services.release_apply_revision"
    # What the count of projects turning into each license depends on
    # (``projects.signals``): a write that leaves them all empty, before and
    # after, changes no count.
    kept_as_loaded = ("converts_to", "publish_at", "unpublish_at")

    objects = ReleaseQuerySet.as_manager()
    history = content_history()

    class Meta:
        ordering = ["project", "-released_on", "-id"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        permissions = [("publish_release", "Can publish and unpublish releases")]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "version"],
                name="release_version_unique_per_project",
                violation_error_message=_("This project already has this version."),
            )
        ]

    def __str__(self):
        return f"{self.project} {self.version}"

    def get_absolute_url(self):
        # Releases are listed on their project's page.
        return self.project.get_absolute_url()

    def clean(self):
        check = clean_expression_field(self, "license_expression")
        self.compute_conversion(check.license_ids)

    def compute_conversion(self, license_ids=None) -> None:
        """Set ``converts_on``/``converts_to`` from the licenses the expression
        names and the terms of the project's grant for this release (see
        ``licenses.conversion``); raises ``ValidationError`` on terms a license's
        text refuses."""
        if license_ids is None:
            license_ids = check_expression(self.license_expression).license_ids
        source_available = License.objects.source_available(license_ids)
        if not source_available:
            if self.change_date is not None:
                raise ValidationError(
                    {
                        "change_date": _(
                            "Only a release under a source-available license has a "
                            "change date."
                        )
                    }
                )
            self.converts_on = None
            self.converts_to = ""
            return
        if self.released_on is None:
            return
        terms = self.conversion_grant()
        osi_approved = osi_lookup()

        def leaf(spdx_id):
            license_ = source_available.get(spdx_id.lower())
            if license_ is None:
                return OPEN if osi_approved(spdx_id) else NEVER
            return source_available_conversion(license_, self.released_on, terms)

        conversion = expression_conversion(
            self.license_expression, self.released_on, leaf
        )
        self.converts_on = conversion.converts_on if conversion else None
        self.converts_to = conversion.converts_to if conversion else ""

    def conversion_grant(self) -> Grant:
        """What the licensor chose for this version: its own stated change date,
        else the terms of its project's grant on its release day (reads
        ``project.license_changes.all()``, prefetched by ``with_history()``)."""
        granted = self.project.grant_on(self.released_on) if self.project_id else None
        return Grant(
            change_license=granted.change_license if granted else "",
            change_date=self.change_date or (granted and granted.change_date),
            change_after_months=(
                None if self.change_date or not granted else granted.change_after_months
            ),
        )

    def is_open_source(self, on=None, *, osi_approved=None) -> bool:
        """Whether this version is open source on ``on`` (default: today).

        It is once it has converted, or when its own expression (not the project's
        license of today) is open source. ``osi_approved`` looks up a license's
        OSI flag (``licenses.expressions.osi_lookup``); by default the SPDX list's,
        so no query is made.
        """
        if self.converts_on is not None and self.converts_on <= (
            on or timezone.localdate()
        ):
            return True
        return expression_is_open_source(
            self.license_expression, osi_approved or osi_lookup()
        )


@text_hygiene
class LicenseChange(Versioned):
    """One step in a project's licensing history: from this day, this expression."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="license_changes",
        verbose_name=_("project"),
        help_text=_("The project whose licensing history this step belongs to."),
    )
    effective_on = models.DateField(
        _("effective from"),
        null=True,
        blank=True,
        help_text=_(
            "The day the project's new code started to use this license. Empty: "
            "from the project's beginning."
        ),
    )
    license_expression = models.CharField(
        _("license expression"),
        max_length=500,
        help_text=_("The SPDX expression used from that day, e.g. 'BUSL-1.1'."),
    )
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("Optional: why, e.g. 'Relicensing Sentry' or a link's title."),
    )
    # The terms of a source-available grant: what the licensor chose (the BUSL
    # "Parameters"; for FSL the licensor alone, the rest is fixed by its text).
    licensor = models.CharField(
        _("licensor"),
        max_length=200,
        blank=True,
        help_text=_("Who grants the license, e.g. 'Functional Software, Inc.'."),
    )
    licensed_work = models.CharField(
        _("licensed work"),
        max_length=200,
        blank=True,
        help_text=_("The work licensed, e.g. 'Sentry'."),
    )
    additional_use_grant = models.TextField(
        _("additional use grant"),
        blank=True,
        max_length=5000,
        help_text=_(
            "Up to 5,000 characters: the production use allowed before conversion, "
            "e.g. any use except providing an 'Application Monitoring Service'. "
            "Empty: none."
        ),
    )
    change_license = models.CharField(
        _("change license"),
        max_length=500,
        blank=True,
        help_text=_(
            "The SPDX expression the code turns into, e.g. 'MPL-2.0' or "
            "'GPL-2.0-or-later'. Required under a license that leaves it to the "
            "licensor (BUSL-1.1); ignored where the license's id fixes it "
            "(FSL-1.1-ALv2, FSL-1.1-MIT)."
        ),
    )
    change_date = models.DateField(
        _("change date"),
        null=True,
        blank=True,
        help_text=_(
            "The change date stated for every release of this period, e.g. "
            "2027-01-01. Or leave it empty and give months after each release."
        ),
    )
    change_after_months = models.PositiveSmallIntegerField(
        _("change after (months)"),
        null=True,
        blank=True,
        help_text=_(
            'The change date as months after each release, e.g. 48 for "four '
            'years from the date the Licensed Work is published". Empty with no '
            "change date: the license's cap (BUSL-1.1's fourth anniversary)."
        ),
    )

    history = content_history()

    class Meta:
        ordering = ["project", F("effective_on").asc(nulls_first=True)]
        verbose_name = _("license change")
        verbose_name_plural = _("license history")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "effective_on"],
                name="license_change_unique_per_day",
                violation_error_message=_(
                    "This project already has a license change on that day."
                ),
            )
        ]

    def __str__(self):
        since = self.effective_on or _("the beginning")
        return f"{self.project}: {self.license_expression} from {since}"

    TERMS = (
        "licensor",
        "licensed_work",
        "additional_use_grant",
        "change_license",
        "change_date",
        "change_after_months",
    )

    def clean(self):
        check = clean_expression_field(self, "license_expression")
        self.clean_terms(check.license_ids)
        if (
            self.effective_on is None
            and self.project_id is not None
            and LicenseChange.objects.filter(
                project_id=self.project_id, effective_on__isnull=True
            )
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "effective_on": _(
                        "The project already has a license from its beginning; "
                        "give this change its date."
                    )
                }
            )

    def clean_terms(self, license_ids) -> None:
        """Refuse terms the licenses named by the expression do not allow."""
        errors = {}
        if self.change_license:
            change = check_expression(self.change_license)
            if change.valid:
                self.change_license = change.normalized
            else:
                errors["change_license"] = list(change.errors)
        if self.change_date is not None and self.change_after_months is not None:
            errors["change_after_months"] = [
                _("Give the change date as a date or as months, not both.")
            ]
        source_available = License.objects.source_available(license_ids).values()
        stated = (self.change_license, self.change_date, self.change_after_months)
        if not source_available and any(v not in ("", None) for v in stated):
            errors.setdefault("change_license", []).append(
                _(
                    "Only a source-available license has a change license and a "
                    "change date."
                )
            )
        if (
            source_available
            and self.change_after_months is not None
            and all(license_.change_period_months for license_ in source_available)
        ):
            errors.setdefault("change_after_months", []).append(
                _(
                    "%(licenses)s fix the change period themselves (%(months)s "
                    "months after each release): leave the months empty."
                )
                % {
                    "licenses": ", ".join(lic.spdx_id for lic in source_available),
                    "months": ", ".join(
                        str(lic.change_period_months) for lic in source_available
                    ),
                }
            )
        for license_ in source_available:
            if license_.change_period_months and self.change_date is not None:
                errors.setdefault("change_date", []).append(
                    _(
                        "%(license)s converts on the anniversary its text fixes, "
                        "%(months)d months after each release; it takes no stated "
                        "change date."
                    )
                    % {
                        "license": license_.spdx_id,
                        "months": license_.change_period_months,
                    }
                )
            if self.change_after_months is not None:
                try:
                    refuse_months_beyond_cap(license_, self.change_after_months)
                except ValidationError as error:
                    for name, messages in error.message_dict.items():
                        errors.setdefault(name, []).extend(messages)
            if not license_.change_license_id and not self.change_license:
                errors.setdefault("change_license", []).append(
                    _(
                        "%(license)s leaves the change license to the licensor: "
                        "give it, e.g. 'Apache-2.0' or 'MPL-2.0'."
                    )
                    % {"license": license_.spdx_id}
                )
        if errors:
            raise ValidationError(errors)

    def terms_dict(self) -> dict:
        """The terms as the API and the catalogue format give them."""
        values = {name: getattr(self, name) for name in self.TERMS}
        return {name: None if v in ("", None) else v for name, v in values.items()}


class LicenseUsage(models.Model):
    """What the philosophy page shows of each license's projects, kept when
    projects change (``projects.services.license_usage_refresh``, called from
    ``projects.signals`` and by the import) instead of read from the whole
    catalogue whenever the page is built.

    It keeps the part of the answer that no passing time changes: the published
    projects *without* ``publish_at`` or ``unpublish_at`` under the license;
    and, counted apart, the published projects without a schedule, none of
    whose releases has one, with a published release that turns into the
    license (its ``converts_to`` names it). Those with
    a schedule are few and read when the page is built
    (``portal.views.licenses_in_use``), so the page stays exact to the second a
    schedule promises."""

    # How many of the first projects are kept: the most a page lists.
    KEPT_FIRST = 8

    license = models.OneToOneField(
        License,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="usage",
        verbose_name=_("license"),
    )
    unscheduled_count = models.PositiveIntegerField(
        _("published projects without a schedule"), default=0
    )
    first_unscheduled = models.JSONField(
        _("first of them"),
        default=list,
        help_text=_("The ids of the first of them, in the directory's order."),
    )
    unscheduled_converting_count = models.PositiveIntegerField(
        _("published projects without a schedule turning into it"),
        default=0,
        help_text=_(
            "Published projects without a schedule, none of whose releases has "
            "one, with a published release that turns into this license."
        ),
    )

    class Meta:
        verbose_name = _("license usage")
        verbose_name_plural = _("license usage")

    def __str__(self):
        return f"{self.license_id}: {self.unscheduled_count}"


class ImportJob(models.Model):
    """A catalogue file uploaded for import, and what its run found.

    The file's bytes are kept in the database (at most ``IMPORT_MAX_MB``), so that
    any worker on any machine can read it and "run for real" after a dry run needs
    no second upload. The import runs as a background task
    (``projects.import_jobs``); the counters are written while it runs, through a
    connection of their own (see ``projects.import_jobs.ProgressWriter``).
    """

    # No public page shows a job (what it imports does): uploading one leaves
    # every page valid (portal.http.caching).
    shown_to_readers = False

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text=_(
            "The import acts as this user: the author in history, whose rights "
            "the publish policy checks row by row."
        ),
    )
    source = models.ForeignKey(
        "self",
        verbose_name=_("dry run of the same file"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The dry run this job's file was taken from, if any."),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    progress_at = models.DateTimeField(
        _("last progress"),
        null=True,
        blank=True,
        help_text=_(
            "When the worker last wrote the counters (on PostgreSQL, every second "
            "while it runs): a running job silent for long was left by a worker "
            "that stopped."
        ),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(
        _("format"), max_length=4, choices=[("csv", "CSV"), ("json", "JSON")]
    )
    content = models.BinaryField(_("file content"))
    dry_run = models.BooleanField(
        _("dry run"), help_text=_("Check every row and report, writing nothing.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    created = models.PositiveIntegerField(_("projects created"), default=0)
    updated = models.PositiveIntegerField(_("projects updated"), default=0)
    unchanged = models.PositiveIntegerField(_("projects unchanged"), default=0)
    pending = models.PositiveIntegerField(
        _("changes kept for review"),
        default=0,
        help_text=_(
            "Rows whose change of published content waits for a publisher's approval."
        ),
    )
    errors = models.JSONField(
        _("errors by row"),
        default=list,
        blank=True,
        help_text=_("Every error of every row: line, slug, field, message, unit."),
    )
    message = models.TextField(
        _("message"),
        blank=True,
        help_text=_("Why the file as a whole was refused, or the job failed."),
    )

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_at"], name="importjob_created_idx")]

    def __str__(self):
        kind = _("dry run") if self.dry_run else _("import")
        return f"{kind} of {self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def ok(self) -> bool:
        return self.status == self.Status.DONE and not self.error_count
