"""The catalogue: projects, their releases, categories and languages."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from licenses.expressions import check_expression
from licenses.models import License
from portal.markdown import render_markdown
from portal.publishing import Publishable, PublishableQuerySet


def clean_expression_field(instance, field_name: str) -> None:
    """Validate and normalise a license expression field in place."""
    check = check_expression(getattr(instance, field_name))
    if not check.valid:
        raise ValidationError({field_name: list(check.errors)})
    setattr(instance, field_name, check.normalized)


class Category(models.Model):
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

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name


class Language(models.Model):
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

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self):
        return self.name


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

    def with_releases(self, at=None):
        """With the public releases, newest first, as ``public_releases``."""
        return self.prefetch_related(
            Prefetch(
                "releases",
                queryset=Release.objects.published(at).order_by("-released_on", "-id"),
                to_attr="public_releases",
            )
        )


class Project(Publishable):
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
        help_text=_("The project's address: /projects/<slug>/. Letters, digits, -."),
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One sentence shown in the directory and in search results."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Markdown, shown on the project's page."),
    )
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

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-featured", "position", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"slug": self.slug})

    def clean(self):
        clean_expression_field(self, "license_expression")

    @cached_property
    def description_html(self) -> str:
        return render_markdown(self.description)


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
        _("release date"), help_text=_("The day the version was first published.")
    )
    license_expression = models.CharField(
        _("license expression"),
        max_length=500,
        help_text=_(
            "The SPDX license expression this version was released under, "
            "e.g. 'BUSL-1.1'."
        ),
    )

    published_parent = "project"

    class Meta:
        ordering = ["project", "-released_on", "-id"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "version"],
                name="release_version_unique_per_project",
                violation_error_message=_("This project already has this version."),
            )
        ]

    def __str__(self):
        return f"{self.project} {self.version}"

    def clean(self):
        clean_expression_field(self, "license_expression")
