"""Log in with the mobile number on the staff profile: village staff know their number by heart,
not the username someone once typed for them."""

import re

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User

from registry.text import fold

NOT_DIGITS = re.compile(r"[^0-9]")  # ASCII: \D would keep full-width digits


def normalise_phone(text: str) -> str:
    digits = NOT_DIGITS.sub("", fold(text or ""))
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def user_by_phone(text: str) -> User | None:
    """The one user whose profile phone is `text` (spaces, dashes, +86 ignored), or None when
    it is no phone number or names no user, or more than one."""
    phone = normalise_phone(text or "")
    if len(phone) < 7:
        return None
    same_ending = User.objects.filter(profile__phone__endswith=phone[-4:])
    users = same_ending.select_related("profile")[:20]
    matches = [u for u in users if normalise_phone(u.profile.phone) == phone]
    return matches[0] if len(matches) == 1 else None


class PhoneBackend(ModelBackend):
    """ModelBackend's checks (password, active user, permissions), found by phone number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is None:
            return None
        user = user_by_phone(username or "")
        if user is None:
            User().set_password(password)  # same time as a real check, as ModelBackend does
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
