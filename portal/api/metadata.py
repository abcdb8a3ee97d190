"""What ``OPTIONS`` answers: DRF's description of an address, for public addresses
only.

DRF answers ``OPTIONS`` on any address its route matches, and lists the fields
of a ``PUT`` when the item exists for a writer. For a draft that was a 200 with
the field list where a missing key was a smaller 200: anyone could tell which
draft keys exist. Here ``OPTIONS`` on an item's address first looks the item up
as a ``GET`` does (``published()``), so an address the public cannot see is the
very 404 of a missing one, byte for byte.

A viewset whose item routes have more keys than its lookup (a release under its
project) says what the public sees there with ``get_public_object()``; the
default is ``get_object()``.
"""

from rest_framework.metadata import SimpleMetadata


class PublicMetadata(SimpleMetadata):
    def determine_metadata(self, request, view):
        if getattr(view, "detail", False):
            # The request is the OPTIONS one: its queryset is the public one.
            getattr(view, "get_public_object", view.get_object)()
        return super().determine_metadata(request, view)
