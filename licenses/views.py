"""The public license pages."""

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, ListView

from licenses.models import License
from portal.publishing import published_q


def project_model():
    """The model of the projects under a license.

    Projects point at licenses (projects -> licenses), so this app reaches them
    through the reverse relation instead of importing the projects app.
    """
    return License._meta.get_field("projects").related_model


class LicenseListView(ListView):
    template_name = "licenses/license_list.html"
    context_object_name = "licenses"

    def get_queryset(self):
        return License.objects.published().annotate(
            project_count=Count(
                "projects",
                filter=published_q(project_model(), prefix="projects__"),
                distinct=True,
            )
        )


class LicenseDetailView(DetailView):
    template_name = "licenses/license_detail.html"
    context_object_name = "license"

    def get_queryset(self):
        return License.objects.published().prefetch_related(
            Prefetch(
                "projects",
                queryset=project_model().objects.published().select_related("category"),
                to_attr="public_projects",
            )
        )

    def get(self, request, *args, **kwargs):
        spdx_id = kwargs["spdx_id"]
        self.object = get_object_or_404(self.get_queryset(), spdx_id__iexact=spdx_id)
        if self.object.spdx_id != spdx_id:
            # /licenses/apache-2.0/ -> /licenses/Apache-2.0/: one address per page.
            return redirect(self.object, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))
