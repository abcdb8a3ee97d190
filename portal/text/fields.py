"""Model fields for text."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.text.markdown import render_markdown


class MarkdownHTMLField(models.TextField):
    """The sanitised HTML of another field's Markdown, rendered when the row is
    saved (``pre_save``) and stored, so that no request renders Markdown.

    ``source`` names the Markdown field. Saves that skip ``pre_save`` leave it as
    it was: ``QuerySet.update()``, ``bulk_create()``, ``bulk_update()``, and a
    ``save(update_fields=...)`` that names the source but not this field.
    """

    description = _("HTML rendered from a Markdown field")

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def render(self, instance) -> str:
        """The HTML of ``instance``'s Markdown as it is now."""
        return self.render_text(getattr(instance, self.source))

    def render_text(self, text: str) -> str:
        """The HTML this field stores for the Markdown ``text``."""
        return render_markdown(text)

    def pre_save(self, model_instance, add):
        html = self.render(model_instance)
        setattr(model_instance, self.attname, html)
        return html


def render_stored_markdown(model, *, batch_size: int = 500) -> int:
    """Render and store the HTML of every :class:`MarkdownHTMLField` of every row
    of ``model`` (a data migration's historical model too); return the number of
    rows (0 for a model without one). Rows are written with ``bulk_update``: no
    revision, history record or ``updated_at`` changes, since their content does
    not."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, MarkdownHTMLField)
    ]
    if not fields:
        return 0
    names = [field.name for field in fields]
    manager = model._base_manager
    rows = manager.only("pk", *names, *(field.source for field in fields))
    batch, count = [], 0
    for row in rows.order_by("pk").iterator(chunk_size=batch_size):
        for field in fields:
            setattr(row, field.attname, field.render(row))
        batch.append(row)
        if len(batch) == batch_size:
            manager.bulk_update(batch, names)
            count += len(batch)
            batch.clear()
    if batch:
        manager.bulk_update(batch, names)
        count += len(batch)
    return count
