from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def fair(request: HttpRequest) -> dict[str, object]:
    """The current fair, and (lazily, one query when a template asks) the visitor's membership
    there and whether buyers' profiles are open to them."""
    from exhibitors import selectors

    current = getattr(request, "fair", None)
    user = getattr(request, "user", None)

    def membership():
        if user is None or not current:
            return None
        return selectors.member_for(user=user, fair=current)

    def buyers_visible():
        if user is None or not current or not user.is_authenticated:
            return False
        return selectors.can_see_buyers(user=user, fair=current)

    def hall_staff():
        from exhibitors.access import can_check_in

        return user is not None and can_check_in(user)

    return {
        "fair": current,
        "can_check_in": SimpleLazyObject(hall_staff),
        "current_member": SimpleLazyObject(membership),
        "can_see_buyers": SimpleLazyObject(buyers_visible),
    }
