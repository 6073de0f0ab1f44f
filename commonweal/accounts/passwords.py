"""Password rules as the NCSC advises: length and a deny-list, never composition rules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

SERVICE_WORDS = ("commonweal",)


class ServiceWordsValidator:
    """Refuse a password that contains the service's own name, the first word an attacker tries."""

    def __init__(self, words: tuple[str, ...] = SERVICE_WORDS) -> None:
        self.words = words

    def denied_words(self) -> set[str]:
        service_name = str(getattr(settings, "COMMONWEAL_SERVICE_NAME", "")).casefold().replace(" ", "")
        words = {word.casefold() for word in self.words}
        if len(service_name) >= 4:
            words.add(service_name)
        return words

    def validate(self, password: str, user: Any = None) -> None:
        folded = password.casefold().replace(" ", "")
        for word in sorted(self.denied_words()):
            if word in folded:
                raise ValidationError(
                    "Your password must not contain the name of this service (“%(word)s”): it is one of "
                    "the first words anyone would try. Choose words of your own.",
                    code="password_service_word",
                    params={"word": word},
                )

    def get_help_text(self) -> str:
        return "Your password must not contain the name of this service."


class MaximumLengthValidator:
    """Welcome long passphrases, but bound the work of hashing one (1,024 characters is plenty)."""

    def __init__(self, max_length: int = 1024) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                "Your password is too long: use at most %(max_length)d characters.",
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return f"Your password can be as long as {self.max_length} characters: a passphrase is welcome."
