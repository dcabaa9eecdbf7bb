"""The cardiology program plug-in (see portal_app/programs/__init__.py for its parts)."""
