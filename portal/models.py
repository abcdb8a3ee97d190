"""The site's own content: the philosophy page's sections and statements, and the
organisation's settings. Licenses and projects live in their own apps."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.api.tokens import ApiToken  # noqa: F401 - a model of this app
from portal.brand import validate_hex_colour
from portal.publishing.history import content_history
from portal.publishing.models import Publishable, PublishableQuerySet
from portal.publishing.revisions import Revision  # noqa: F401 - a model of this app
from portal.publishing.versioning import Versioned
from portal.text.fields import MarkdownHTMLField
from portal.text.fulltext import WithoutSearchVector, search_vector_field
from portal.text.hygiene import text_hygiene


@text_hygiene
class Section(Publishable):
    """A part of the philosophy page, e.g. "Our goals" or "Why not open core?"."""

    title = models.CharField(
        _("title"), max_length=200, help_text=_("The section's heading on the page.")
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("The anchor in the page's address (/#slug): letters, digits, -."),
    )
    intro = models.TextField(
        _("introduction"),
        blank=True,
        max_length=5000,
        help_text=_(
            "Optional Markdown shown under the heading, before the statements "
            "(up to 5,000 characters)."
        ),
    )
    intro_html = MarkdownHTMLField(_("introduction (HTML)"), source="intro")
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Sections are shown in this order.")
    )
    shows_licenses = models.BooleanField(
        _("list the licenses in use"),
        default=False,
        help_text=_(
            "After this section's statements, list each published license: what "
            "it is for and the published projects under it."
        ),
    )

    history = content_history(excluded_fields=["intro_html"])

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        permissions = [("publish_section", "Can publish and unpublish sections")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("portal:home") + f"#{self.slug}"


class StatementManager(
    WithoutSearchVector, models.Manager.from_queryset(PublishableQuerySet)
):
    pass


@text_hygiene
class Statement(Publishable):
    """One piece of the philosophy: a paragraph, a goal, a quote, a question..."""

    class Kind(models.TextChoices):
        PARAGRAPH = "paragraph", _("Paragraph")
        GOAL = "goal", _("Goal")
        PRINCIPLE = "principle", _("Principle")
        QUOTE = "quote", _("Quote")
        FAQ = "faq", _("Question and answer")
        COMPARISON = "comparison", _("Open vs proprietary comparison")

    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        related_name="statements",
        verbose_name=_("section"),
        help_text=_("The section of the page this statement belongs to."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=Kind.choices,
        default=Kind.PARAGRAPH,
        help_text=_(
            "How it is shown: goals as a list, quotes with their attribution, "
            "questions with their answer, comparisons side by side."
        ),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_(
            "The heading: the question for a FAQ, the open side's title for a "
            "comparison. Optional for paragraphs, goals and quotes."
        ),
    )
    body = models.TextField(
        _("body"),
        max_length=10000,
        help_text=_(
            "Markdown, up to 10,000 characters. The answer for a FAQ, the quoted "
            "words for a quote."
        ),
    )
    body_html = MarkdownHTMLField(_("body (HTML)"), source="body")
    attribution_name = models.CharField(
        _("attribution name"),
        max_length=200,
        blank=True,
        help_text=_("Quotes only: who said it, e.g. 'David Cramer'."),
    )
    attribution_role = models.CharField(
        _("attribution role"),
        max_length=200,
        blank=True,
        help_text=_("Quotes only: their role or source, e.g. 'Founder & CTO'."),
    )
    contrast_title = models.CharField(
        _("contrast title"),
        max_length=200,
        blank=True,
        help_text=_("Comparisons only: the proprietary side's title."),
    )
    contrast_body = models.TextField(
        _("contrast body"),
        blank=True,
        max_length=10000,
        help_text=_(
            "Comparisons only: Markdown for the proprietary side, up to 10,000 "
            "characters."
        ),
    )
    contrast_body_html = MarkdownHTMLField(
        _("contrast body (HTML)"), source="contrast_body"
    )
    position = models.PositiveIntegerField(
        _("position"),
        default=0,
        help_text=_("Statements are shown in this order within their section."),
    )

    published_parent = "section"

    # What the site's search reads, and how much each field weighs.
    SEARCH_FIELDS = (
        ("title", "A"),
        ("contrast_title", "A"),
        ("body", "B"),
        ("contrast_body", "B"),
    )
    search_vector = search_vector_field(SEARCH_FIELDS)

    objects = StatementManager()
    history = content_history(
        excluded_fields=["search_vector", "body_html", "contrast_body_html"]
    )

    class Meta:
        ordering = ["section__position", "position", "id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        permissions = [("publish_statement", "Can publish and unpublish statements")]

    def __str__(self):
        return self.title or self.body[:60]

    def get_absolute_url(self):
        return reverse("portal:home") + f"#{self.section.slug}"

    def get_anchor_url(self) -> str:
        """The statement's own place on the philosophy page (its element's id)."""
        return f"{reverse('portal:home')}#statement-{self.pk}"

    def clean(self):
        errors = {}
        if self.kind == self.Kind.QUOTE and not self.attribution_name:
            errors["attribution_name"] = _("A quote needs the name of who said it.")
        if self.kind != self.Kind.QUOTE and (
            self.attribution_name or self.attribution_role
        ):
            errors["attribution_name"] = _("Only quotes have an attribution.")
        if self.kind == self.Kind.FAQ and not self.title:
            errors["title"] = _("A question and answer needs the question as title.")
        if self.kind == self.Kind.COMPARISON:
            if not self.title:
                errors["title"] = _("A comparison needs the open side's title.")
            if not self.contrast_title:
                errors["contrast_title"] = _(
                    "A comparison needs the proprietary side's title."
                )
        elif self.contrast_title or self.contrast_body:
            errors["contrast_title"] = _("Only comparisons have a contrast side.")
        if errors:
            raise ValidationError(errors)


def validate_image_address(value: str) -> None:
    """A path on this site (``/static/...``): the pages' Content Security
    Policy loads images from the site itself only."""
    if not value.startswith("/") or value.startswith("//") or " " in value:
        raise ValidationError(
            _("Enter a path on this site, starting with /, e.g. /static/logo.svg."),
            code="address",
        )


@text_hygiene
class SiteSettings(Versioned):
    """The organisation's name and the lines every page shows; a single row."""

    organisation_name = models.CharField(
        _("organisation name"),
        max_length=200,
        default="Our organisation",
        help_text=_("Shown in the header, page titles and the footer."),
    )
    tagline = models.CharField(
        _("tagline"),
        max_length=300,
        blank=True,
        help_text=_("A short line under the name, e.g. 'Yes, we're open (source)'."),
    )
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_(
            "Where readers write about licensing; shown in the footer. Text links "
            "to it as /contact/ (e.g. [reach out to us](/contact/))."
        ),
    )
    blog_url = models.URLField(
        _("blog address"),
        blank=True,
        help_text=_(
            "The organisation's blog. Text links to it as /blog/ (e.g. "
            "[on our blog](/blog/)), so a new address needs no edit of the text."
        ),
    )
    logo = models.CharField(
        _("logo"),
        max_length=500,
        blank=True,
        validators=[validate_image_address],
        help_text=_(
            "The path of a square logo on this site, SVG preferred, e.g. "
            "/static/portal/brand/logo.svg. Shown before the name in the header."
        ),
    )
    accent_color = models.CharField(
        _("accent colour"),
        max_length=7,
        blank=True,
        validators=[validate_hex_colour],
        help_text=_(
            "The brand colour of links, buttons and chips, e.g. #6c5fc7. The "
            "site darkens or lightens it as much as the light and dark schemes "
            "need for readable text. Empty: the site's own purple."
        ),
    )
    hero_image = models.CharField(
        _("hero image"),
        max_length=500,
        blank=True,
        validators=[validate_image_address],
        help_text=_(
            "Optional: a wide picture at the top of the philosophy page, a path "
            "as for the logo. It is decoration: it must carry no information."
        ),
    )
    footer = models.CharField(
        _("footer line"),
        max_length=300,
        blank=True,
        help_text=_("E.g. the copyright and trademark line."),
    )

    history = content_history()

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self):
        return str(_("Site settings"))

    def save(self, *args, **kwargs):
        # A single row: whatever is saved becomes row 1.
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "SiteSettings":
        """The saved settings, or unsaved defaults: reading never writes."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
