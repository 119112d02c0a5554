"""A record's summary in a few spoken sentences, for the plaque page's "read it to me" button:
what it is, who holds it, the money, the stage and when it last changed (issue 15: many who
scan a plaque are elderly and read poorly). The phone speaks it with its own voice; nothing is
sent anywhere."""

from decimal import Decimal

from django.utils import formats, translation
from django.utils.translation import gettext as _

from projects.models import Project
from registry.models import Asset
from visits.models import Site


def _yuan(amount: Decimal | None) -> str:
    return formats.number_format(amount, 0, use_l10n=True, force_grouping=True) if amount else ""


def _asset(asset: Asset, lease) -> list[str]:
    said = [
        _("%(kind)s %(name)s, in %(village)s.")
        % {"kind": asset.get_kind_display(), "name": asset.name, "village": asset.village.name},
        _("It is %(status)s.") % {"status": asset.get_status_display()},
    ]
    if asset.owner_id:
        said.append(_("It belongs to %(owner)s.") % {"owner": asset.owner.name})
    if lease is not None:
        said.append(
            _("It is rented to %(tenant)s for %(rent)s yuan a year.")
            % {"tenant": lease.lease.tenant_public_name, "rent": _yuan(lease.lease.annual_rent)}
        )
    return said


def _project(project: Project) -> list[str]:
    said = [
        _("Small project %(name)s, in %(village)s.")
        % {"name": project.name, "village": project.village.name},
        _("Its stage: %(stage)s, %(progress)s%% done.")
        % {"stage": project.get_stage_display(), "progress": project.progress_percent},
    ]
    if project.contract_amount:
        said.append(
            _("The contract is for %(amount)s yuan; %(paid)s yuan have been paid.")
            % {
                "amount": _yuan(project.contract_amount),
                "paid": _yuan(project.paid_amount) or "0",
            }
        )
    return said


def _site(site: Site) -> list[str]:
    said = [_("%(kind)s %(name)s.") % {"kind": site.get_kind_display(), "name": site.name}]
    if site.address:
        said.append(_("Address: %(address)s.") % {"address": site.address})
    return said


def spoken_summary(record: Asset | Project | Site, *, lease=None) -> str:
    """The record in a few sentences, in the active language, ending with its last change."""
    if isinstance(record, Asset):
        said = _asset(record, lease)
    elif isinstance(record, Project):
        said = _project(record)
    else:
        said = _site(record)
    said.append(
        _("Last changed on %(day)s.")
        % {"day": formats.date_format(record.updated, "DATE_FORMAT", use_l10n=True)}
    )
    # Chinese sentences end in their own full stop, with no space after it; English wants one.
    return ("" if translation.get_language().startswith("zh") else " ").join(said)
