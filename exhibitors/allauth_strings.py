"""Strings of django-allauth that people meet on our pages, listed so that our catalogue
(``locale/``) translates them: allauth itself ships no Vietnamese. Never imported."""

from django.utils.translation import gettext_noop as _
from django.utils.translation import pgettext_lazy

STRINGS = [
    _("Email"),
    _("Email address"),
    _("Password"),
    _("Password (again)"),
    _("Current Password"),
    _("New Password"),
    _("New Password (again)"),
    _("Remember Me"),
    _("Forgot your password?"),
    _("You must type the same password each time."),
    _("A user is already registered with this email address."),
    _("The email address and/or password you specified are not correct."),
    _("This account is currently inactive."),
    _("Too many failed login attempts. Try again later."),
    _("Incorrect password."),
    _("Please type your current password."),
    _("The email address is not assigned to any user account."),
    _("The password reset token was invalid."),
    _("Confirmation email sent to %(email)s."),
    _("You have confirmed %(email)s."),
    _("Successfully signed in as %(name)s."),
    _("You have signed out."),
    _("Password successfully changed."),
    _("Password successfully set."),
    _("Email Addresses"),
    _("Change Password"),
    _("Two-Factor Authentication"),
    _("Sign Out"),
    _("Sign In"),
    _("Sign Up"),
]
CONTEXT_STRINGS = [
    pgettext_lazy("field label", "Login"),
]
