"""Make the database match `staff.roles`: groups, permissions, Wagtail rights and the workflow.

`ensure_roles` runs after every `migrate` (so a fresh install and the test database have the
roles) and from `manage.py ensure_roles`. The declarations are authoritative: a group's model
permissions and its rights on the root page and root collection are set to exactly what is
declared, so change roles in `staff/roles.py`, not in the admin. Rights an administrator gives a
group on other pages or collections are left alone.
"""

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .roles import MODERATORS, ROLES, STAFF_ROLE_NAMES

# Found by any of these names (Wagtail's install creates "Moderators approval" for its
# "Moderators" group: we adopt it), then shown to staff in the site's language.
WORKFLOW_NAMES = ("Moderator approval", "Moderators approval")
WORKFLOW_LABEL = _("Moderator approval")


def model_permissions(patterns):
    """Permission objects for "app.codename" and "app.verb_*" patterns; unknown ones are errors."""
    wanted = Q(pk__in=[])
    for pattern in patterns:
        app_label, codename = pattern.split(".", 1)
        if codename.endswith("_*"):
            verb = codename[:-1]
            models = global_apps.get_app_config(app_label).get_models()
            codenames = [f"{verb}{model._meta.model_name}" for model in models]
            wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
        else:
            wanted |= Q(content_type__app_label=app_label, codename=codename)
    found = Permission.objects.filter(wanted).select_related("content_type")
    missing = {p for p in patterns if "*" not in p} - {
        f"{p.content_type.app_label}.{p.codename}" for p in found
    }
    if missing:
        raise LookupError(f"Unknown permissions in staff roles: {sorted(missing)}")
    return list(found)


def page_permissions(types):
    page_type = ContentType.objects.get_for_model(Page)
    codenames = [f"{kind}_page" for kind in types]
    return list(Permission.objects.filter(content_type=page_type, codename__in=codenames))


def collection_permissions(verbs):
    found = []
    for model in (get_image_model(), get_document_model()):
        content_type = ContentType.objects.get_for_model(model)
        codenames = [f"{verb}_{model._meta.model_name}" for verb in verbs]
        found += Permission.objects.filter(content_type=content_type, codename__in=codenames)
    return found


def _set_object_permissions(model, group, target_field, target, permissions):
    """Exactly `permissions` for `group` on one page or collection."""
    rows = model.objects.filter(group=group, **{target_field: target})
    rows.exclude(permission__in=permissions).delete()
    have = set(rows.values_list("permission_id", flat=True))
    for permission in permissions:
        if permission.pk not in have:
            model.objects.create(group=group, permission=permission, **{target_field: target})


def _adopt(model, name):
    """The `model` object under `name` or one of the known names, else a new one."""
    names = [name, *WORKFLOW_NAMES]
    found = next((obj for n in names for obj in model.objects.filter(name=n)[:1]), None)
    return found or model(name=name)


def ensure_moderation_workflow(moderators, root):
    with translation.override(settings.LANGUAGE_CODE):
        name = str(WORKFLOW_LABEL)
    task = _adopt(GroupApprovalTask, name)
    task.name, task.active = name, True
    task.save()
    task.groups.set([moderators])

    workflow = _adopt(Workflow, name)
    workflow.name, workflow.active = name, True
    workflow.save()
    WorkflowTask.objects.filter(workflow=workflow).exclude(task=task).delete()
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})

    if root is not None:
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    return workflow


@transaction.atomic
def ensure_roles():
    """Create or update every role; safe to run any number of times. Returns the groups."""
    # Our post_migrate may come before other apps' permissions exist (app order); make them now.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)

    # After a test database flush there is no page tree or collection: groups and permissions only.
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    groups = {}
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.name)
        group.permissions.set(model_permissions(role.permissions))
        if root_page is not None:
            _set_object_permissions(
                GroupPagePermission,
                group,
                "page",
                root_page,
                page_permissions(role.page_permissions),
            )
        if root_collection is not None:
            _set_object_permissions(
                GroupCollectionPermission,
                group,
                "collection",
                root_collection,
                collection_permissions(role.collection_permissions),
            )
        groups[role.name] = group
    ensure_moderation_workflow(groups[MODERATORS.name], root_page)
    return groups


def roles_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    if using != DEFAULT_DB_ALIAS:
        return
    ensure_roles()


# --- is_staff follows the roles -------------------------------------------------------------
# Wagtail's user form (Settings → Users → Roles) has no "staff status" box, yet Oscar's dashboard
# and the Django admin let in only is_staff users. So joining a role that needs them turns
# is_staff on, and leaving the last such role turns it off again (superusers keep it).


def _in_staff_role(user):
    return user.groups.filter(name__in=STAFF_ROLE_NAMES).exists()


def _users_concerned(instance, reverse, pk_set):
    if not reverse:
        return [instance]
    users = get_user_model().objects.all()
    return users.filter(pk__in=pk_set) if pk_set is not None else users.filter(groups=instance)


def staff_status_follows_roles(sender, instance, action, reverse, pk_set, **kwargs):
    if action in ("pre_remove", "pre_clear"):
        instance._staff_role_before = {
            user.pk: _in_staff_role(user) for user in _users_concerned(instance, reverse, pk_set)
        }
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    before = getattr(instance, "_staff_role_before", {})
    if not reverse:
        users = [instance]
    elif action == "post_add":
        users = _users_concerned(instance, reverse, pk_set)
    else:
        users = get_user_model().objects.filter(pk__in=before)
    for user in users:
        now = _in_staff_role(user)
        if now and not user.is_staff:
            user.is_staff = True
        elif not now and before.get(user.pk) and user.is_staff and not user.is_superuser:
            user.is_staff = False
        else:
            continue
        get_user_model().objects.filter(pk=user.pk).update(is_staff=user.is_staff)
