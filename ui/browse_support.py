"""The Browse page's searches: by text, by image, a case's neighbours (they live in ``medrag_core.workflow``,
shared with the API)."""

from medrag_core.workflow import neighbours, search_image, search_text

__all__ = ["neighbours", "search_image", "search_text"]
