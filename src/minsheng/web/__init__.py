"""Base templates, static assets, shared template tags and the public pages that span apps."""
