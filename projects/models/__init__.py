from projects.models.procedure import Deliberation, Disclosure, ProjectDocument
from projects.models.projects import STAGE_DATE_FIELDS, Project, Stage

__all__ = ["STAGE_DATE_FIELDS", "Deliberation", "Disclosure", "Project", "ProjectDocument", "Stage"]
