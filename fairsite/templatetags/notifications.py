from django import template

from fairsite import notifications

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """The signed-in person's unread count for the header: as loaded with the viewer's flags
    when the request started (``exhibitors.selectors.viewer_flags_load``), else one query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return 0
    preloaded = getattr(user, "_unread_notifications", None)
    return preloaded if preloaded is not None else notifications.unread_count(user=user)
