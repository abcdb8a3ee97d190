from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin.actions import PublishableAdmin
from portal.admin.editing import ContentAdmin, ContentInline
from portal.models import Section, SiteSettings, Statement


class StatementInline(ContentInline, admin.StackedInline):
    model = Statement
    extra = 0
    fields = [
        ("kind", "position", "state"),
        "title",
        "body",
        ("attribution_name", "attribution_role"),
        ("contrast_title", "contrast_body"),
    ]
    markdown_fields = ("body", "contrast_body")


@admin.register(Section)
class SectionAdmin(PublishableAdmin):
    # Fits a 1280 px screen: the time of the last change is on the history page.
    list_display = ["title", "slug", "position", "state", "is_published"]
    list_editable = ["position"]
    list_filter = ["state"]
    search_fields = ["title", "intro"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        "title",
        "slug",
        "intro",
        "shows_licenses",
        "position",
        "state",
        "publish_at",
        "unpublish_at",
    ]
    inlines = [StatementInline]
    markdown_fields = ("intro",)


@admin.register(Statement)
class StatementAdmin(PublishableAdmin):
    # Fits a 1280 px screen: the section's title wraps (a foreign key column
    # would not), and the time of the last change is on the history page.
    list_display = [
        "__str__",
        "section_title",
        "kind",
        "position",
        "state",
        "is_published",
    ]
    list_editable = ["position"]
    list_filter = ["state", "kind", "section"]
    list_select_related = ["section"]
    search_fields = ["title", "body", "attribution_name", "contrast_title"]
    autocomplete_fields = ["section"]
    fieldsets = [
        (None, {"fields": ["section", "kind", "title", "body", "position"]}),
        (
            _("Quote"),
            {"fields": ["attribution_name", "attribution_role"]},
        ),
        (_("Comparison"), {"fields": ["contrast_title", "contrast_body"]}),
        (_("Publishing"), {"fields": ["state", "publish_at", "unpublish_at"]}),
    ]
    markdown_fields = ("body", "contrast_body")

    @admin.display(description=_("section"), ordering="section__position")
    def section_title(self, obj):
        return obj.section.title


@admin.register(SiteSettings)
class SiteSettingsAdmin(ContentAdmin):
    list_display = ["organisation_name", "tagline", "contact_email", "accent_color"]

    def has_add_permission(self, request):
        # A single row: it can be added once, by whoever may add it.
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
