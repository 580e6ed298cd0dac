"""The built-in tools. Each is a module with a pydantic argument model; `default_tools()` is the set a run gets."""

from __future__ import annotations

from .base import Tool, ToolContext


def default_tools(exclude: tuple[str, ...] = (), include: tuple[str, ...] = ()) -> list[Tool]:
    """The built-in tools less `exclude`, plus the optional ones named in `include` (`show_definition`)."""
    from .apply_patch import ApplyPatch
    from .edit_file import EditFile
    from .list_files import ListFiles
    from .read_file import ReadFile
    from .run_shell import RunShell
    from .search import Search
    from .show_definition import ShowDefinition
    from .write_file import WriteFile

    tools: list[Tool] = [ListFiles(), ReadFile(), Search(), WriteFile(), EditFile(), ApplyPatch(), RunShell()]
    tools += [t for t in (ShowDefinition(),) if t.name in include]
    return [t for t in tools if t.name not in exclude]


__all__ = ["Tool", "ToolContext", "default_tools"]
