"""SMS behind an interface: the embedded default logs; production plugs in the government SMS gateway."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("ssc.sms")


class SmsSender(Protocol):
    def send(self, phones: list[str], text: str) -> None: ...


class LoggingSmsSender:
    """Writes messages to the log (development, tests)."""

    sent: list[tuple[list[str], str]] = []

    def send(self, phones: list[str], text: str) -> None:
        self.sent.append((list(phones), text))
        logger.info("SMS to %s: %s", ",".join(phones), text)


@lru_cache(maxsize=1)
def get_sms_sender() -> SmsSender:
    path = getattr(settings, "SSC_SMS_BACKEND", "ssc.notifications.sms.LoggingSmsSender")
    return import_string(path)()
