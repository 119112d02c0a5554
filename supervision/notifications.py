"""Who hears of a case, through the task queue: the station's members and the township
discipline office of new and overdue cases, a reporter who left an e-mail address of every
change. An anonymous reporter reads the changes with the receipt code; nobody writes to them."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from registry.background import enqueue_after_commit
from supervision.models import Case, ReporterContact


def notify_later(case: Case, kind: str) -> None:
    """Queue the messages about `case` once the transaction commits ("new", "moved", "overdue")."""
    enqueue_after_commit("supervision.notifications.send", case.pk, kind)


def _staff(case: Case, kind: str) -> list[str]:
    from supervision.services import station_members, township_officers

    people = []
    if case.route == Case.Route.STATION:
        people += [u for u in station_members(case.village) if u.pk != case.about_member_id]
    if case.route == Case.Route.TOWNSHIP or kind == "overdue":
        people += township_officers(case.village)
    return sorted({u.email for u in people if u.email})


def _link(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def send(case_id: int, kind: str) -> int:
    """Send the messages of one change; how many were sent."""
    case = Case.objects.select_related("category", "village").filter(pk=case_id).first()
    if case is None:
        return 0
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        state = case.get_state_display()
        if kind in ("new", "overdue"):
            recipients = _staff(case, kind)
            subject = (
                _("New report in %(village)s: %(category)s")
                if kind == "new"
                else _("Overdue report in %(village)s: %(category)s")
            ) % {"village": case.village.name, "category": case.category}
            body = _("Case %(ref)s, due %(due)s: %(url)s") % {
                "ref": case.reference,
                "due": case.due_on.isoformat(),
                "url": _link("supervision:field-case", case.pk),
            }
            if recipients:
                sent += send_mail(subject, body, None, recipients)
        contact = ReporterContact.objects.filter(case=case).exclude(email="").first()
        if kind == "moved" and contact is not None:
            subject = _("Your report %(ref)s: %(state)s") % {"ref": case.reference, "state": state}
            body = _("Your report is now “%(state)s”. See it with your receipt code at %(url)s") % {
                "state": state,
                "url": _link("supervision:receipt"),
            }
            sent += send_mail(subject, body, None, [contact.email])
    return sent


def daily() -> None:
    """The daily round on the task queue's schedule: escalate overdue cases, ask reporters
    whether closed cases stayed fixed, wipe old contacts."""
    from supervision.services import ask_if_fixed, escalate_overdue, wipe_contacts

    escalate_overdue()
    ask_if_fixed()
    wipe_contacts()
