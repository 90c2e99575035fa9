from django import template

from fairsite import notifications

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """The signed-in person's unread count (one query), for the header."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return notifications.unread_count(user=user) if user is not None else 0
