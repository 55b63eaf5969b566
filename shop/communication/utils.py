"""Oscar's email dispatcher, except that an email carrying a secret is sent but never stored.

Oscar keeps a copy of every email it sends to a customer (`OSCAR_SAVE_SENT_EMAILS_TO_DB`), for
the customer's "emails" page and for staff. A password-reset link is a key to the account for as
long as the token lives, and Oscar's "password changed" and "email changed" messages carry the
same kind of link ("if it wasn't you, reset your password"); a stock-alert link carries the
alert's key. Whoever could read the stored copy could use it, so those emails are not stored:
by the event that sends them and, should a template be changed to add such a link to another
event, by what the body holds.
"""

import re

from oscar.apps.communication.utils import Dispatcher as OscarDispatcher

# Oscar's customer events whose context holds a password-reset link (customer/utils.py).
SECRET_EVENT_CODES = frozenset({"PASSWORD_RESET", "PASSWORD_CHANGED", "EMAIL_CHANGED"})

# The paths of Oscar's links that sign someone in or act for them without a password
# (oscar/config.py and the customer app's alert URLs).
SECRET_LINK = re.compile(r"/password-reset/confirm/[^/\s]+/[^/\s]+|/alerts/(?:confirm|cancel/key)/")

EVENT_CODE_KEY = "event_code"


def carries_secret(messages):
    """Whether these rendered messages must not be stored."""
    if messages.get(EVENT_CODE_KEY) in SECRET_EVENT_CODES:
        return True
    texts = (messages.get(part) or "" for part in ("subject", "body", "html", "sms"))
    return any(SECRET_LINK.search(text) for text in texts)


class Dispatcher(OscarDispatcher):
    def get_messages(self, event_code, extra_context=None):
        messages = super().get_messages(event_code, extra_context)
        messages[EVENT_CODE_KEY] = event_code
        return messages

    def create_email(self, user, messages, email):
        if carries_secret(messages):  # the sent email's body is built from these messages
            return None
        return super().create_email(user, messages, email)
