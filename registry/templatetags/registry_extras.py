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


@register.filter
def may_any(user, tasks: str) -> bool:
    """Whether `user` may do any of the comma-separated tasks (`registry.roles.Task` values)
    somewhere in their units: for links to pages only those roles use."""
    from registry.roles import Task
    from registry.scoping import may

    return any(may(user, Task(name.strip())) for name in tasks.split(",") if name.strip())
