"""The four staff roles, declared once, and the questions the rest of the code asks about a user.

A role is a Django group with a stable English name (the key everything else uses; Wagtail's own
"Editors" and "Moderators" groups are adopted, not duplicated) and a translatable label for people.
`staff.provisioning.ensure_roles` turns these declarations into groups, permissions, page and
collection permissions and the moderation workflow; code elsewhere asks `can_see_sales`,
`can_use_shop_dashboard` … instead of checking group names or `is_staff` itself.

Permissions are written "app_label.codename"; "app_label.verb_*" means that verb on every model
of the app (Oscar's apps have many small models that its dashboard needs together).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Whoever may see orders may see sales figures; the Oscar dashboard's home is mostly sales.
SALES_PERMISSION = "order.view_order"

CRUD = ("add", "change", "delete", "view")


def every(app_label, verbs=CRUD):
    """Permission patterns for `verbs` on every model of an app."""
    return tuple(f"{app_label}.{verb}_*" for verb in verbs)


@dataclass(frozen=True)
class Role:
    name: str
    label: Promise
    description: Promise
    # Oscar's dashboard and the Django admin let in only `is_staff` users; Wagtail doesn't need it.
    is_staff: bool = False
    permissions: tuple[str, ...] = ()
    # Wagtail page permission types on the whole page tree (the root page).
    page_permissions: tuple[str, ...] = ()
    # Wagtail image and document permissions on the root collection.
    collection_permissions: tuple[str, ...] = ()


EDITORS = Role(
    name="Editors",
    label=_("Editors"),
    description=_("Write news, trade-fair and livestream pages as drafts and submit them."),
    permissions=(
        "wagtailadmin.access_admin",
        "simple_translation.submit_translation",
    ),
    # "add" lets an editor edit and delete their own drafts; "change" edits any page. Neither
    # publishes: that goes through the moderation workflow.
    page_permissions=("add", "change"),
    collection_permissions=("add", "choose"),
)

MODERATORS = Role(
    name="Moderators",
    label=_("Moderators"),
    description=_("Approve and publish pages, look after the site identity, images and redirects."),
    permissions=(
        "wagtailadmin.access_admin",
        "simple_translation.submit_translation",
        "cms.change_siteidentity",
        "cms.view_siteidentity",
        *every("news"),  # the category snippet
        *every("wagtailredirects"),
    ),
    page_permissions=("add", "change", "lock", "publish", "unlock"),
    collection_permissions=("add", "change", "choose", "delete"),
)

SHOP_STAFF = Role(
    name="Shop staff",
    label=_("Shop staff"),
    description=_(
        "Handle orders and payments, the catalogue, stock, offers, delivery and payment methods."
    ),
    is_staff=True,
    permissions=(
        "wagtailadmin.access_admin",
        # Orders change only through shop.order.actions (whoever may change an order may run
        # them); every other screen shows orders, their lines and payments read-only, and
        # nobody deletes them.
        *every("order", ("view",)),
        "order.change_order",
        "order.add_ordernote",
        *every("catalogue"),
        *every("partner"),
        *every("offer"),
        *every("voucher"),
        *every("shipping"),
        *every("flatpages"),
        # The email templates; not the emails sent (customers' correspondence).
        "communication.change_communicationeventtype",
        "communication.view_communicationeventtype",
        *every("payment", ("view",)),
        *every("analytics", ("view",)),
        *every("customer", ("view",)),
        "payments.change_paymentsettings",
        "payments.view_paymentsettings",
        "payments.view_banktransfer",
        "payments.view_stripeevent",
        # Who gets the daily alerts (the unpaid-transfer ones are this role's).
        "alerts.change_alertsettings",
        "alerts.view_alertsettings",
        # No auth permissions at all: orders carry the customer's details, a customer list would
        # also list staff, and change_user edits groups (a way to give oneself any role).
    ),
)

REGISTRY_OFFICERS = Role(
    name="Registry officers",
    label=_("Registry officers"),
    description=_(
        "Keep the certification mirror true (sync, spreadsheet import), producers, lots and labels."
    ),
    is_staff=True,
    permissions=(
        "wagtailadmin.access_admin",
        "traceability.view_producer",
        "traceability.add_producer",
        "traceability.change_producer",
        "traceability.view_certification",
        "traceability.change_certification",
        "traceability.view_syncrun",
        "traceability.view_certificationchange",
        "traceability.add_lot",
        "traceability.change_lot",
        "traceability.view_lot",
        "traceability.add_lotevent",
        "traceability.change_lotevent",
        "traceability.delete_lotevent",
        "traceability.view_lotevent",
        "traceability.view_label",
        "traceability.view_labelsheet",  # label sheets printed before, to download again
        "traceability.view_scan",
        # Who gets the daily alerts (certificates and counterfeit signals are this role's).
        "alerts.change_alertsettings",
        "alerts.view_alertsettings",
        # A lot names its product: the product picker in the lot form lists the catalogue.
        "catalogue.view_product",
    ),
)

ROLES = (EDITORS, MODERATORS, SHOP_STAFF, REGISTRY_OFFICERS)
STAFF_ROLE_NAMES = tuple(role.name for role in ROLES if role.is_staff)
MODERATION_ROLE = MODERATORS


def role_named(name):
    return next((role for role in ROLES if role.name == name), None)


def can_see_sales(user):
    """Order lists, totals and sales figures."""
    return user.is_active and user.has_perm(SALES_PERMISSION)


def can_use_shop_dashboard(user):
    return user.is_staff and can_see_sales(user)


def can_use_data_admin(user):
    """The Django admin (it shows each user only the models they have permissions on)."""
    return user.is_active and user.is_staff
