"""`manage.py ensure_roles`: create or update the staff roles (also done after every migrate)."""

from django.core.management.base import BaseCommand

from staff.provisioning import ensure_roles
from staff.roles import ROLES


class Command(BaseCommand):
    help = "Create or update the staff role groups, their permissions and the moderation workflow."

    def handle(self, *args, **options):
        groups = ensure_roles()
        for role in ROLES:
            group = groups[role.name]
            self.stdout.write(
                f"{role.name}: {group.permissions.count()} permissions, "
                f"{group.user_set.count()} members"
            )
