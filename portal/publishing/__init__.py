"""The publishing framework: states and the one visibility rule (``models``), who
may change them (``policy``), previews, revisions and history."""
