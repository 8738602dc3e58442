import sys

from django.core.management.base import BaseCommand, CommandError

from catalogue.importer import ImportFileError, import_file


class ProgressBar:
    """A one-line bar redrawn in place; silent when the output is not a terminal."""

    def __init__(self, stream, width=30):
        self.stream = stream
        self.width = width
        self.enabled = stream.isatty()

    def __call__(self, done, total):
        if not self.enabled or not total:
            return
        filled = self.width * done // total
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} releases")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import releases from a JSON file (format: docs/import-format.md). Every record is "
        "checked first; good ones are imported, bad ones reported. Exits non-zero when any failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the JSON file to import")

    def handle(self, *args, file, **options):
        try:
            report = import_file(file, on_progress=ProgressBar(sys.stderr))
        except ImportFileError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        for error in report.errors:
            self.stderr.write(f"{file}: {error}")
        self.stdout.write(
            f"{report.created} releases added, {report.updated} updated, "
            f"{len(report.errors)} rejected, of {report.total} in {file}."
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} record(s) were not imported; see above.")
