"""Send the daily digest: one e-mail per group of recipients, each item once.

The items sent are recorded (`SentAlert`) in the same transaction that sends the e-mails: if
sending fails, nothing is recorded and the next run tries again. Each kind's `AlertState` row is
locked for the whole run, so two runs at once (cron twice, a worker retrying) send once; the
unique (kind, key) constraint is the last guard.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import ngettext

from .digest import FIRST_LOOKBACK, admin_url, collect
from .kinds import Kind
from .models import AlertSettings, AlertState, SentAlert
from .recipients import recipients_for

logger = logging.getLogger(__name__)


@dataclass
class Message:
    recipients: list
    items: dict  # kind -> [Item], in Kind order
    subject: str = ""
    email: EmailMultiAlternatives | None = field(default=None, repr=False)

    @property
    def count(self):
        return sum(len(items) for items in self.items.values())


def pending_items(now, states):
    """{kind: [Item]} of items not sent before, for every kind that has some."""
    pending = {}
    for kind in Kind:
        state = states.get(kind)
        since = state.checked_at if state and state.checked_at else now - FIRST_LOOKBACK
        items = collect(kind, now=now, since=since)
        sent = set(
            SentAlert.objects.filter(kind=kind, key__in=[item.key for item in items]).values_list(
                "key", flat=True
            )
        )
        fresh = [item for item in items if item.key not in sent]
        if fresh:
            pending[kind] = fresh
    return pending


def group_by_recipients(pending):
    """One message per distinct list of recipients, carrying the kinds that go to it."""
    config = AlertSettings.load()
    groups = {}
    for kind, items in pending.items():
        recipients = tuple(sorted(recipients_for(kind, config.configured(kind))))
        groups.setdefault(recipients, {})[kind] = items
    return [Message(list(recipients), items) for recipients, items in groups.items()]


def render(message, now):
    """Subject, plain text and HTML of one digest, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        day = formats.date_format(timezone.localdate(now), "d/m/Y")
        message.subject = ngettext(
            "[OCOP] Alerts for %(date)s: %(count)s item to act on",
            "[OCOP] Alerts for %(date)s: %(count)s items to act on",
            message.count,
        ) % {"date": day, "count": message.count}
        sections = [
            {"kind": kind, "title": Kind(kind).label, "items": items}
            for kind, items in message.items.items()
        ]
        context = {
            "subject": message.subject,
            "date": day,
            "count": message.count,
            "sections": sections,
            "site_name": settings.OCOP_SITE_NAME,
            "language": settings.LANGUAGE_CODE,
            "settings_url": admin_url("wagtailsettings:edit", "alerts", "alertsettings"),
        }
        text = render_to_string("alerts/digest.txt", context)
        html = render_to_string("alerts/digest.html", context)
    email = EmailMultiAlternatives(message.subject, text, to=message.recipients)
    email.attach_alternative(html, "text/html")
    message.email = email
    return message


def _states():
    """Every kind's state row, created on first use."""
    for kind in Kind:
        try:
            with transaction.atomic():
                AlertState.objects.get_or_create(kind=kind)
        except IntegrityError:  # another run created it at the same moment
            pass


def send_digest(now=None, *, dry_run=False):
    """Build and send what is new since the last digest; return the messages (sent or not).

    With `dry_run`, the messages are built but neither sent nor recorded.
    """
    now = now or timezone.now()
    if dry_run:
        states = {state.kind: state for state in AlertState.objects.all()}
        messages = group_by_recipients(pending_items(now, states))
        return [render(message, now) for message in messages]

    _states()
    try:
        messages = _send_new(now)
    except IntegrityError:
        # A concurrent run recorded (and sent) the same items first: this one sends nothing.
        logger.warning("alert digest: another run sent these items at the same time")
        return []
    for message in messages:
        logger.info("alert digest: %s item(s) to %s", message.count, message.recipients)
    return messages


def _send_new(now):
    with transaction.atomic():
        states = {
            state.kind: state for state in AlertState.objects.select_for_update().order_by("kind")
        }
        messages = [
            render(message, now) for message in group_by_recipients(pending_items(now, states))
        ]
        SentAlert.objects.bulk_create(
            SentAlert(kind=kind, key=item.key, sent_at=now, recipients=", ".join(m.recipients))
            for m in messages
            for kind, items in m.items.items()
            for item in items
        )
        AlertState.objects.filter(pk__in=[s.pk for s in states.values()]).update(checked_at=now)
        if messages:
            with get_connection() as connection:
                connection.send_messages([m.email for m in messages])
    return messages
