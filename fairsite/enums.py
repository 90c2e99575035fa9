from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    EXHIBITOR = "exhibitor", _("Exhibitor (Vietnamese supplier)")
    BUYER = "buyer", _("Buyer (foreign company)")
    VISITOR = "visitor", _("Visitor")


ORGANISERS_GROUP = "organisers"

# Hall staff check visitors in at the entrance; organisers add people to this group.
HALL_STAFF_GROUP = "hall staff"
