from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin.actions import PublishableAdmin
from portal.admin.editing import ContentAdmin, ContentInline, shortened
from portal.publishing.policy import must_review
from projects.admin_import import CatalogueTransferMixin
from projects.models import Category, Language, LicenseChange, Project, Release
from projects.services import project_refresh_conversions, project_save


class ReleaseInline(ContentInline, admin.TabularInline):
    model = Release
    extra = 0
    fields = [
        "version",
        "released_on",
        "license_expression",
        "change_date",
        "converts_on",
        "state",
    ]
    readonly_fields = ["converts_on"]


class LicenseChangeInline(ContentInline, admin.StackedInline):
    """A project's license history and grant terms. Of a published project they
    are what readers see, and they have no pending revision of their own: only
    someone who may publish the project changes them (an editor reads them)."""

    model = LicenseChange
    extra = 0
    fields = [
        ("effective_on", "license_expression"),
        "note",
        ("licensor", "licensed_work"),
        "additional_use_grant",
        ("change_license", "change_date", "change_after_months"),
    ]

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not must_review(
            request.user, obj
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not must_review(
            request.user, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not must_review(
            request.user, obj
        )


@admin.register(Project)
class ProjectAdmin(CatalogueTransferMixin, PublishableAdmin):
    # Fits a 1280 px screen beside the admin's navigation and the filters: the
    # lifecycle status, "featured" and the languages are filters, the slug and
    # the full expression are on the change form.
    list_display = [
        "name",
        "license_short",
        "category",
        "position",
        "state",
        "is_published",
    ]
    list_display_links = ["name"]
    list_editable = ["position"]
    list_filter = ["state", "status", "category", "featured", "licenses", "languages"]
    list_select_related = ["category"]
    search_fields = ["name", "slug", "summary", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["category", "languages"]
    readonly_fields = ["linked_licenses"]
    markdown_fields = ("description",)
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "description"]}),
        (_("Licensing"), {"fields": ["license_expression", "linked_licenses"]}),
        (
            _("Catalogue"),
            {"fields": ["category", "languages", "status", "featured", "position"]},
        ),
        (_("Links"), {"fields": ["repository_url", "homepage_url", "docs_url"]}),
        (_("Publishing"), {"fields": ["state", "publish_at", "unpublish_at"]}),
    ]
    inlines = [ReleaseInline, LicenseChangeInline]

    @admin.display(description=_("license"), ordering="license_expression")
    def license_short(self, obj):
        return shortened(obj.license_expression)

    @admin.display(description=_("linked licenses"))
    def linked_licenses(self, obj):
        if not obj.pk:
            return "-"
        return ", ".join(license_.spdx_id for license_ in obj.licenses.all()) or "-"

    def save_content(self, request, obj, form, change):
        # The form has asked the publish policy (ContentAdminForm.clean); the
        # one write path links the licenses here rather than after the related
        # objects, as simple-history's revert saves the project but no inlines.
        project_save(project=obj)

    def save_related(self, request, form, formsets, change):
        # The terms of the license history decide the releases' conversions:
        # recompute them once every inline is saved.
        super().save_related(request, form, formsets, change)
        project_refresh_conversions(project=form.instance)


@admin.register(Release)
class ReleaseAdmin(PublishableAdmin):
    # Fits a 1280 px screen: the project's name wraps (a foreign key column
    # would not); the release date is the date filter above the list.
    list_display = [
        "project_name",
        "version",
        "license_short",
        "converts_on",
        "state",
        "is_published",
    ]
    list_display_links = ["project_name", "version"]
    list_filter = ["state", "project"]
    list_select_related = ["project"]
    readonly_fields = ["converts_on", "converts_to"]
    search_fields = ["project__name", "version", "license_expression"]
    autocomplete_fields = ["project"]
    date_hierarchy = "released_on"

    @admin.display(description=_("project"), ordering="project__name")
    def project_name(self, obj):
        return obj.project.name

    @admin.display(description=_("license"), ordering="license_expression")
    def license_short(self, obj):
        return shortened(obj.license_expression)


@admin.register(Category)
class CategoryAdmin(ContentAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Language)
class LanguageAdmin(ContentAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
