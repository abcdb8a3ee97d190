"""Text: Markdown rendering and sanitising, the rules on what editors may write,
full-text search, JSON-LD."""
