from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin_actions import PublishableAdmin
from projects.models import Category, Language, LicenseChange, Project, Release
from projects.services import project_link_licenses


class ReleaseInline(admin.TabularInline):
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


class LicenseChangeInline(admin.TabularInline):
    model = LicenseChange
    extra = 0
    fields = ["effective_on", "license_expression", "note"]


@admin.register(Project)
class ProjectAdmin(PublishableAdmin):
    list_display = [
        "name",
        "slug",
        "license_expression",
        "category",
        "status",
        "featured",
        "state",
        "is_published",
        "updated_at",
    ]
    list_filter = ["state", "status", "category", "featured", "licenses", "languages"]
    list_select_related = ["category"]
    search_fields = ["name", "slug", "summary", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["category", "languages"]
    readonly_fields = ["linked_licenses"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "description"]}),
        (_("Licensing"), {"fields": ["license_expression", "linked_licenses"]}),
        (
            _("Business Source License parameters"),
            {
                "classes": ["collapse"],
                "fields": ["licensor", "licensed_work", "additional_use_grant"],
            },
        ),
        (
            _("Catalogue"),
            {"fields": ["category", "languages", "status", "featured", "position"]},
        ),
        (_("Links"), {"fields": ["repository_url", "homepage_url", "docs_url"]}),
        (_("Publishing"), {"fields": ["state", "publish_at"]}),
    ]
    inlines = [ReleaseInline, LicenseChangeInline]

    @admin.display(description=_("linked licenses"))
    def linked_licenses(self, obj):
        if not obj.pk:
            return "-"
        return ", ".join(license_.spdx_id for license_ in obj.licenses.all()) or "-"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        project_link_licenses(project=form.instance)


@admin.register(Release)
class ReleaseAdmin(PublishableAdmin):
    list_display = [
        "project",
        "version",
        "released_on",
        "license_expression",
        "converts_on",
        "state",
        "is_published",
    ]
    list_filter = ["state", "project"]
    list_select_related = ["project"]
    readonly_fields = ["converts_on", "converts_to"]
    search_fields = ["project__name", "version"]
    autocomplete_fields = ["project"]
    date_hierarchy = "released_on"


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
