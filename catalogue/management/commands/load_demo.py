import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalogue.covers import add_generated_cover
from catalogue.importer import import_file
from catalogue.models import Release
from catalogue.signals import demo_loaded

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "catalogue.json"


class Command(BaseCommand):
    help = "Load the demo catalogue (and, through the other apps, its prices, reviews and polls). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Reload even when the catalogue already has releases.",
        )

    def handle(self, *args, **options):
        if Release.objects.exists() and not options["force"]:
            self.stdout.write(
                "The catalogue already has releases; demo data left as it is (--force reloads)."
            )
            return
        report = import_file(DEMO_FILE)
        if report.errors:
            raise CommandError("; ".join(str(error) for error in report.errors))
        slugs = [record["slug"] for record in json.loads(DEMO_FILE.read_text())["releases"]]
        for release in Release.objects.filter(slug__in=slugs, cover="").select_related("film"):
            add_generated_cover(release)
        demo_loaded.send(sender=self.__class__, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalogue ready: {report.created} releases added, {report.updated} refreshed."
            )
        )
