"""Commands of the whole site: the demo content and the quick start."""
