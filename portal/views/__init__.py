"""Public pages: thin views that parse the request, call selectors and render."""

from .rankings import rankings, unit_map
from .site import band_styles, health, language, methodology, open_data, openapi, search
from .units import compare, embed_children, embed_unit, home, scorecard, unit_detail

__all__ = [
    "band_styles",
    "compare",
    "embed_children",
    "embed_unit",
    "health",
    "home",
    "language",
    "methodology",
    "open_data",
    "openapi",
    "rankings",
    "scorecard",
    "search",
    "unit_detail",
    "unit_map",
]
