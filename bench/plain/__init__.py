"""A minimal plain Django project on the portal's database: the yardstick the HTTP
benchmark measures the portal against (bench/http_bench.py)."""
