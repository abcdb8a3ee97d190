"""JSON-LD blocks (schema.org data for search engines) under the Content Security
Policy.

To the CSP a ``<script type="application/ld+json">`` is an inline script, so it
carries the request's nonce. Its JSON is escaped the way Django's ``json_script``
escapes (``<``, ``>`` and ``&`` as ``\\u003C``, ``\\u003E``, ``\\u0026``): no text
an editor wrote can close the element or open another.

The nonce makes two renderings of one page differ, which would give every
rendering its own ETag and never a 304. A page with such a block therefore gets an
ETag computed with the nonce left out (:class:`NonceFreeETagMixin`); the HTTP
caching middleware keeps an ETag a view has set.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.middleware.csp import get_nonce
from django.utils.html import format_html
from django.utils.http import quote_etag
from django.utils.safestring import SafeString, mark_safe

JSON_SCRIPT_ESCAPES = {
    ord(">"): "\\u003E",
    ord("<"): "\\u003C",
    ord("&"): "\\u0026",
}


def json_ld_script(data: dict, nonce=None) -> SafeString:
    """``data`` as a ``<script type="application/ld+json">`` element."""
    text = json.dumps(data, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES)
    # Safe: the escapes above leave no "<", ">" or "&" in the JSON.
    body = mark_safe(text)  # noqa: S308
    if nonce is not None:
        return format_html(
            '<script type="application/ld+json" nonce="{}">{}</script>', nonce, body
        )
    return format_html('<script type="application/ld+json">{}</script>', body)


class NonceFreeETagMixin:
    """For a template view whose page holds the CSP nonce: an ETag of the page
    without it, the same for every rendering of the same content."""

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response.add_post_render_callback(self.set_nonce_free_etag)
        return response

    def set_nonce_free_etag(self, response):
        body = response.content
        nonce = get_nonce(self.request)
        if nonce:  # a LazyNonce is true only once a template has used it
            body = body.replace(str(nonce).encode(), b"")
        digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
        response["ETag"] = quote_etag(digest)
