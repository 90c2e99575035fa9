"""The account forms (django-allauth) on the project's one form base, so sign-in, password and
e-mail forms refuse unsafe text like every other form (``ACCOUNT_FORMS`` and ``MFA_FORMS`` in
settings name these). Sign-up derives from ``exhibitors.forms.SignupProfileForm``, already on
the base. Kept apart from ``exhibitors.forms`` because allauth's forms module imports that one.
"""

from __future__ import annotations

from allauth.account import forms as account
from allauth.mfa.base import forms as mfa_base
from allauth.mfa.totp import forms as mfa_totp

from fairsite.forms import FairFormMixin


class LoginForm(FairFormMixin, account.LoginForm):
    pass


class AddEmailForm(FairFormMixin, account.AddEmailForm):
    pass


class ChangePasswordForm(FairFormMixin, account.ChangePasswordForm):
    pass


class SetPasswordForm(FairFormMixin, account.SetPasswordForm):
    pass


class ResetPasswordForm(FairFormMixin, account.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(FairFormMixin, account.ResetPasswordKeyForm):
    pass


class ReauthenticateForm(FairFormMixin, account.ReauthenticateForm):
    pass


class MfaAuthenticateForm(FairFormMixin, mfa_base.AuthenticateForm):
    pass


class MfaReauthenticateForm(FairFormMixin, mfa_base.ReauthenticateForm):
    pass


class ActivateTOTPForm(FairFormMixin, mfa_totp.ActivateTOTPForm):
    pass


class DeactivateTOTPForm(FairFormMixin, mfa_totp.DeactivateTOTPForm):
    pass
