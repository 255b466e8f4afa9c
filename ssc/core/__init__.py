"""Cross-cutting pieces every domain app stands on: base models, errors, request context, scoping."""
