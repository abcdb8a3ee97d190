"""Date formats of the site, per language (FORMAT_MODULE_PATH)."""
