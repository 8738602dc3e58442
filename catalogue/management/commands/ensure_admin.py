import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the superuser 'admin' with a random password, printed once, unless one exists."

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(username="admin").exists():
            self.stdout.write("Admin user 'admin' already exists; its password is unchanged.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", "admin@needledrop.test", password)
        self.stdout.write(
            self.style.SUCCESS(f"Created admin user 'admin' with password: {password}")
        )
        self.stdout.write("Log in at http://127.0.0.1:8000/admin/ (shown once; keep it).")
