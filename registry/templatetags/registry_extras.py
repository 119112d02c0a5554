from django import template

from registry.privacy import scrub as scrub_text

register = template.Library()


@register.filter
def scrub(value: str) -> str:
    """Text with ID-card and mobile numbers hidden, for public pages."""
    return scrub_text(str(value)) if value else value
