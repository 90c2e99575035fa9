"""``{% load companies %}`` then ``{{ company.languages|spoken_languages }}``."""

from __future__ import annotations

from django import template

from exhibitors.enums import spoken_language_names

register = template.Library()


@register.filter
def spoken_languages(codes: list[str] | None) -> str:
    """The languages a company speaks, named in the viewer's language, comma-separated."""
    return ", ".join(spoken_language_names(codes or ()))
