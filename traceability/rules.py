"""The OCOP programme's rules, kept in one place.

Sources: Decision 148/QĐ-TTg (24 Feb 2023) on the rating criteria; Decision 1489/QĐ-TTg
(July 2025) on who certifies after the two-tier administrative reform.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

# A certificate is valid this many months from its decision date.
CERTIFICATE_VALIDITY_MONTHS = 36
# The producer must be told at least this many days before the certificate lapses.
EXPIRY_NOTICE_DAYS = 30
# Only these star ratings are certified and may carry the OCOP mark.
CERTIFIED_STARS = (3, 4, 5)
# The date the province took over 3★ certification from districts.
REFORM_DATE = datetime.date(2025, 7, 1)


class ProductGroup(models.TextChoices):
    FOOD = "food", _("Food")
    BEVERAGES = "beverages", _("Beverages")
    HERBAL = "herbal", _("Herbal products")
    TEXTILES = "textiles", _("Textiles and garments")
    SOUVENIRS = "souvenirs", _("Souvenirs, furniture and decoration")
    TOURISM = "tourism", _("Community and rural tourism services")


class ProducerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    COOPERATIVE = "cooperative", _("Cooperative")
    COOPERATIVE_GROUP = "cooperative_group", _("Cooperative group")
    HOUSEHOLD = "household", _("Household business")


def stars_for_score(score):
    """Star rating for a score out of 100 (3★ 50–69, 4★ 70–89, 5★ 90–100); below 50 none."""
    if score is None or score < 0 or score > 100:
        raise ValueError(f"An OCOP score is between 0 and 100, not {score!r}")
    if score >= 90:
        return 5
    if score >= 70:
        return 4
    if score >= 50:
        return 3
    if score >= 30:
        return 2
    return 1


def add_months(day, months):
    """`day` moved by whole months, clamped to the last day of the target month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


def validity_end(decision_date):
    """The last day a certificate decided on `decision_date` is valid by the 36-month rule."""
    return add_months(decision_date, CERTIFICATE_VALIDITY_MONTHS)


def certifying_level(stars, decision_date):
    """Which tier certifies a rating on a date: district, province or national."""
    if stars == 5:
        return "national"
    if decision_date < REFORM_DATE and stars == 3:
        return "district"
    return "province"
