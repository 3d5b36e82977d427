"""The template workspace: customize, edit, preview and check a clinic's templates."""

from .dialog import TemplateWorkspace

__all__ = ["TemplateWorkspace"]
