"""``{% load meet %}``: meeting controls on company pages and links to company profiles.

``{% meet_controls company %}`` shows *Request a meeting* and the three interest marks to the
signed-in counterpart (an approved member of a company of the other role) and nothing to
anyone else. On an exhibitor's profile (not the compact cards) a buyer also sees the waiting
list: their position and *Leave*, or *Join* when no time is free for both sides.
The viewer's company and marks are read once per request, so a directory page of
many cards costs the same queries as one card.

``{{ company|profile_url }}`` is the company's profile page (supplier or buyer).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.urls import reverse

from exhibitors.enums import CompanyRole
from matchmaking import selectors
from matchmaking.enums import InterestLevel

register = template.Library()

_STATE_ATTR = "_meet_state"


def _state(request: Any) -> selectors.MeetState:
    state = getattr(request, _STATE_ATTR, None)
    if state is None:
        state = selectors.meet_state_for(
            fair=getattr(request, "fair", None), user=getattr(request, "user", None)
        )
        setattr(request, _STATE_ATTR, state)
    return state


@register.inclusion_tag("matchmaking/_meet_controls.html", takes_context=True)
def meet_controls(context: template.Context, company: Any, compact: bool = False) -> dict:
    request = context.get("request")
    state = _state(request) if request is not None else selectors.MeetState(None, {})
    allowed = selectors.can_request_meeting(viewer=state.company, target=company)
    mark = state.marks.get(company.pk, "") if allowed else ""
    wait = None
    if allowed and not compact and company.role == CompanyRole.EXHIBITOR:
        from matchmaking.waitlist import wait_state_for

        wait = wait_state_for(
            fair=request.fair, user=request.user, company=state.company, exhibitor=company
        )
    return {
        "wait": wait,
        "allowed": allowed,
        "target": company,
        "mark": mark,
        "mark_label": InterestLevel(mark).label if mark else "",
        "levels": InterestLevel.choices,
        "next": f"{request.get_full_path()}#meet-{company.pk}" if request is not None else "",
        "csrf_token": context.get("csrf_token"),
        "compact": compact,
    }


@register.simple_tag(takes_context=True)
def meet_cache_key(context: template.Context) -> str:
    """What a cached fragment holding ``{% meet_controls %}`` must vary on: empty for anyone
    who sees no controls (the fragment is shared), otherwise this person, their CSRF secret
    (the controls hold a token of theirs) and their company's current marks, so a new mark or
    a new sign-in renders afresh."""
    request = context.get("request")
    if request is None:
        return ""
    state = _state(request)
    if state.company is None:
        return ""
    marks = ",".join(f"{pk}={mark}" for pk, mark in sorted(state.marks.items()))
    secret = request.META.get("CSRF_COOKIE", "")
    raw = f"{request.user.pk}|{secret}|{marks}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


@register.filter
def profile_url(company: Any) -> str:
    """The profile page of a company (suppliers under /suppliers/, buyers under /buyers/)."""
    if company is None or not getattr(company, "slug", ""):
        return ""
    name = (
        "exhibitors:company_detail"
        if company.role == CompanyRole.EXHIBITOR
        else "exhibitors:buyer_detail"
    )
    return reverse(name, kwargs={"slug": company.slug})
