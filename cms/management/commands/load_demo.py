"""`manage.py load_demo`: load (or refresh) the demo data and print the staff logins."""

from django.core.management.base import BaseCommand

from cms.demo import load_demo
from config.progress import progress, write_line


class Command(BaseCommand):
    help = "Load demo producers, certificates, products and pages; create staff logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin-password", help="Password for the 'admin' user (random by default)."
        )

    def handle(self, *args, **options):
        # Each line the loader logs is one step done: a count on a terminal, the lines elsewhere.
        with progress(desc="Loading the demo", unit="steps", stream=self.stderr) as bar:

            def log(line):
                write_line(bar, f"  {line}", self.stdout)
                bar.update()

            username, password, role_users = load_demo(
                log=log, admin_password=options["admin_password"]
            )
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            f"Staff login: {username} / {password}  "
            "(Wagtail /admin/, shop dashboard /shop/dashboard/, Django /django-admin/)"
        )
        for role_username, role in role_users:
            self.stdout.write(f"  {role.label}: {role_username} / {password}  ({role.description})")
