from django import template

from registry.privacy import scrub as scrub_text

register = template.Library()


@register.filter
def scrub(value: str) -> str:
    """Text with ID-card and mobile numbers hidden, for public pages."""
    return scrub_text(str(value)) if value else value


@register.simple_tag(takes_context=True)
def panels(context, slot: str, obj: object = None) -> str:
    """The panels apps above this one add to `slot` of the page (`registry.panels`)."""
    from registry import panels as slots

    request = context.get("request")
    return slots.render(slot, request, obj) if request is not None else ""
