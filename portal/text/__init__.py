"""Text helpers: Markdown rendering and sanitising, full-text search, JSON-LD."""
