"""The portal's settings plus the two reference views the HTTP benchmark compares
against (bench/urls.py). Used only by bench/http_bench.py."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
