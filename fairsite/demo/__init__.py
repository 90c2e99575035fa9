"""A deterministic demo edition of the Hanoi Supporting Industry Fair.

``python manage.py seed_demo`` calls :func:`demo_fair_create`, which builds, from a fixed random
seed and in one transaction, the fair ``hanoi-sif-2026`` (8–10 December 2026, Cung Văn hoá Hữu
nghị Việt Xô, meetings 08:00–17:00 Hà Nội time in 30-minute slots, 150 tables) with:

- Vietnamese exhibitors around Hanoi (sectors, capabilities, certifications, key-product
  recognitions, booths) and 1–3 members each;
- buyers from Japan, Korea, the United States and Thailand (native-script names, their own time
  zones, sourcing needs worded differently from the suppliers' capabilities, required
  certifications, about a third remote) and 1–2 members each;
- visitors with badges and visits on the fair days;
- an organiser (staff, in the ``organisers`` group) and a superuser.

Every demo person has a verified e-mail address under ``sif-demo.example`` (a reserved domain,
so no mail ever reaches anyone) and the password :data:`DEMO_PASSWORD`.
:func:`demo_fair_delete` removes the fair and exactly those people.

Hook for other apps
-------------------
After the companies, members and visitors exist (inside the same transaction), the builder
imports each of ``matchmaking.demo`` and ``meetings.demo`` that exists and calls::

    seed(*, fair: Fair, rng: random.Random, scale: bool) -> dict[str, int] | None

``rng`` is a generator of the hook's own, seeded from the demo seed and the module name, so a
hook neither disturbs the rest of the demo nor depends on the hooks before it; ``scale`` is True
for ``seed_demo --scale``. A returned mapping of counts (e.g. ``{"meetings": 420}``) is printed
with the others. A hook must be deterministic too, must use bulk writes for speed, and must not
call ``timezone.now()`` for anything it stores about the fair (use the fair's days).
"""

from fairsite.demo.builder import (
    DEFAULT_SIZE,
    DEMO_PASSWORD,
    DEMO_SLUG,
    SCALED_SIZE,
    DemoResult,
    DemoSize,
    SignIn,
    demo_fair_create,
    demo_fair_delete,
    demo_fair_exists,
)

__all__ = [
    "DEFAULT_SIZE",
    "DEMO_PASSWORD",
    "DEMO_SLUG",
    "SCALED_SIZE",
    "DemoResult",
    "DemoSize",
    "SignIn",
    "demo_fair_create",
    "demo_fair_delete",
    "demo_fair_exists",
]
