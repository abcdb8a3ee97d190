"""The site's search form (``/search/``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.text.search import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the site"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.SearchInput,
        help_text=_("Words from a project, a license or our philosophy."),
    )
