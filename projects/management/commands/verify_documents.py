from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError

from projects.models import Project, ProjectDocument
from trail.models import Event


class Command(BaseCommand):
    help = (
        "Check every stored procedure document against the SHA-256 the public log recorded when "
        "it was attached: name each file that was changed, lost, or differs from the log."
    )

    def handle(self, *args, **options):
        logged = {
            (event.subject_id, event.changes.get("sha256"))
            for event in Event.objects.filter(
                subject_type=ContentType.objects.get_for_model(Project),
                action=Event.Action.ATTACH,
            ).only("subject_id", "changes")
        }
        problems = []
        documents = ProjectDocument.objects.order_by("pk")
        for document in documents.iterator(500):
            if (document.project_id, document.sha256) not in logged:
                problems.append(f"document {document.pk}: its hash is not the one in the log")
            elif not document.file_is_intact():
                problems.append(f"document {document.pk}: the stored file was changed or lost")
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} of {documents.count()} documents fail.")
        self.stdout.write(f"OK: {documents.count()} documents match the public log.")
