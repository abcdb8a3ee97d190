"""The admin's preview: an item the public cannot see yet, on the page readers
would find it on, exactly as they would see it.

``/admin/<app>/<model>/<id>/preview/`` (``portal.admin.editing.ContentAdmin``)
resolves the item's public address (``get_absolute_url``) to the public view that
serves it, and runs that very view with a :class:`Preview`. The view asks the
publishing rule with ``preview=<item>`` (``portal.publishing.models.published_q``): the
item and its parents count as visible, everything else on the page stays as the
public sees it. So a project's page shows a draft release among the published
ones, and the philosophy page a draft statement at its position.

Nothing changes for anyone else: the item's public address and the API still
answer 404, and the preview is behind the admin's login and the model's view or
change permission. Its page carries a banner saying so, ``noindex`` (meta tag and
``X-Robots-Tag``) and never-cache headers; neither the page cache nor HTTP caching
(``portal.http.caching``) keeps anything under the admin.

A public view takes part by inheriting :class:`PreviewableMixin` and passing
``self.preview_item`` to ``published()`` where it fetches the kind of item shown;
its template gets ``preview`` (``base.html`` shows the banner and the meta tag).
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.publishing.models import Publishable, State

ROBOTS = "noindex, nofollow"


@dataclass(frozen=True)
class Preview:
    """An item shown to an editor as if it were public, and where to edit it."""

    item: Publishable
    change_url: str

    @property
    def kind(self) -> str:
        return self.item._meta.verbose_name

    @property
    def state(self) -> str:
        return self.item.get_state_display()

    @property
    def is_public(self) -> bool:
        return self.item.is_published()

    @property
    def public_url(self) -> str:
        return self.item.get_absolute_url()

    @property
    def public_path(self) -> str:
        return urlsplit(self.public_url).path

    @property
    def fragment(self) -> str:
        """Where on its page the item is (a statement's section), if it says."""
        return urlsplit(self.public_url).fragment

    @property
    def scheduled_from(self):
        """``publish_at``, while it is still to come."""
        publish_at = self.item.publish_at
        return publish_at if publish_at and publish_at > timezone.now() else None

    @property
    def hidden_since(self):
        """``unpublish_at``, once it has passed."""
        unpublish_at = self.item.unpublish_at
        return unpublish_at if unpublish_at and unpublish_at <= timezone.now() else None

    @property
    def hidden_parent(self) -> dict | None:
        """The parent that keeps a published item from the public (a release's
        project, a statement's section), if that is what does: its kind and name."""
        field = self.item.published_parent
        if not field or self.item.state != State.PUBLISHED:
            return None
        parent = getattr(self.item, field)
        if parent.is_published():
            return None
        return {"kind": parent._meta.verbose_name, "name": str(parent)}


class PreviewableMixin:
    """For a public view that can show an item in the admin's preview: readers
    get it with ``preview = None``, the public page as ever."""

    preview: Preview | None = None

    @property
    def preview_item(self):
        """What to pass as ``published(preview=...)``: the previewed item, if any."""
        return self.preview.item if self.preview else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.preview is not None:
            context["preview"] = self.preview
        return context


def public_page(item):
    """The resolved public address of ``item``'s page, if the view serving it
    can preview (``None`` otherwise)."""
    if not isinstance(item, Publishable) or not hasattr(item, "get_absolute_url"):
        return None
    try:
        match = resolve(urlsplit(item.get_absolute_url()).path)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not issubclass(view_class, PreviewableMixin):
        return None
    return match


def can_preview(item) -> bool:
    return public_page(item) is not None


def preview_response(request, preview: Preview):
    """The public page of ``preview.item``, rendered by its own view, as the
    preview shows it. Access checks are the caller's (the admin)."""
    match = public_page(preview.item)
    if match is None:
        raise Http404(_("This item has no public page to preview."))
    # The page's navigation marks the reader's place from the resolved address:
    # the public one, not the admin's.
    request.resolver_match = match
    view = match.func.view_class.as_view(**match.func.view_initkwargs, preview=preview)
    response = view(request, *match.args, **match.kwargs)
    response["X-Robots-Tag"] = ROBOTS
    return response
