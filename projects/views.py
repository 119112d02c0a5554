"""Staff screens of the small-project procedure: township staff and bookkeepers move a project
through its stages, seeing what the current stage still lacks. Thin: the rules are in
projects.procedure, and the forms only parse input.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from projects import procedure
from projects import selectors as procedure_selectors
from projects.forms import ACTIONS, forms_for
from projects.models import Project, ProjectDocument, Stage
from registry.form_errors import form_errors
from registry.http import HtmxHttpRequest
from registry.roles import Task
from registry.scoping import covers, ensure_may, may

PROJECTS_PER_PAGE = 50


def _project_or_404(user, pk: int) -> Project:
    project = procedure_selectors.projects_for(user).filter(pk=pk).first()
    if project is None:
        raise Http404(_("No such project among those you look after."))
    return project


@login_required
@require_safe
def project_list(request: HtmxHttpRequest) -> HttpResponse:
    """The user's projects by stage, each with what its current stage still lacks."""
    projects = procedure_selectors.projects_for(request.user)
    stage = request.GET.get("stage", "")
    if stage in Stage.values:
        projects = projects.filter(stage=stage)
    projects = procedure.with_inspection_counts(projects).prefetch_related(
        "deliberations", "disclosures", "documents"
    )
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(project, procedure.missing_for(project)) for project in page]
    context = {"page": page, "rows": rows, "stages": list(Stage), "stage": stage}
    return render(request, "projects/staff/projects.html", context)


def _apply(request: HtmxHttpRequest, project: Project) -> tuple[list[str], dict]:
    """Run the posted action. (errors, the refused form to show again with its input)."""
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return [_("Choose what to record.")], {}
    form_class, service, _stages = ACTIONS[action]
    form = form_class(request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        return form_errors(form), {action: form}
    try:
        service(project, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        return exc.messages, {action: form}
    return [], {}


@login_required
@require_http_methods(["GET", "POST"])
def project_procedure(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One project's procedure: the timeline, what is missing, and the forms of its stage."""
    project = _project_or_404(request.user, pk)
    may_run = may(request.user, Task.RUN_PROCEDURE, project)
    errors: list[str] = []
    bound: dict = {}
    status = 200
    if request.method == "POST":
        try:
            ensure_may(request.user, Task.RUN_PROCEDURE, project)
            errors, bound = _apply(request, project)
        except PermissionDenied as exc:
            errors, status = [str(exc)], 403
        if errors:
            status = max(status, 400)
        elif not request.htmx:
            return redirect(reverse("staff:project", args=[project.pk]))
        project = _project_or_404(request.user, pk)
    context = procedure_selectors.procedure_context(project) | {
        "may_run": may_run,
        "errors": errors,
        "forms": forms_for(project, bound) if may_run else {},
        "done": request.method == "POST" and not errors,
    }
    template = "projects/staff/procedure.html"
    if request.htmx:
        template += "#panel"
    return render(request, template, context, status=status)


def _document_or_404(user, pk: int) -> ProjectDocument:
    document = ProjectDocument.objects.select_related("project").filter(pk=pk).first()
    if document is None or not covers(user, document.project):
        raise Http404(_("No such document among those you look after."))
    return document


@login_required
@require_safe
def document_check(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Hash the stored file again and say whether it still matches the public log."""
    document = _document_or_404(request.user, pk)
    context = {"intact": document.file_is_intact()}
    return render(request, "projects/staff/partials/file_check.html", context)


@login_required
@require_safe
def document_file(request: HtmxHttpRequest, pk: int) -> FileResponse:
    """The original document, for staff of the project's units only (it may hold personal data)."""
    document = _document_or_404(request.user, pk)
    try:
        handle = document.file.open("rb")
    except OSError as exc:
        raise Http404(_("The stored file is missing.")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{document.title}.{document.file.name.rsplit('.', 1)[-1]}",
        content_type=document.content_type,
    )
    response["X-Content-SHA256"] = document.sha256
    response["Cache-Control"] = "private, no-store"
    return response
