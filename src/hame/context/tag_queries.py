"""Per-language tree-sitter queries: `@def` marks the name of a definition; reference names are any of
`ref_types` (identifier-like leaves) that are not themselves a definition's name.

Written for hame; to add a language, add a `LangSpec` and its file extensions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LangSpec:
    name: str  # the grammar's name in tree-sitter-language-pack
    defs: str  # top-level patterns; ones that a grammar version lacks are dropped when compiled
    ref_types: tuple[str, ...]

    def patterns(self) -> list[str]:
        return split_patterns(self.defs) + [f"({node_type}) @ref" for node_type in self.ref_types]

    def query(self) -> str:
        return "\n".join(self.patterns())


def split_patterns(text: str) -> list[str]:
    """Top-level parenthesised patterns, in order (these queries hold no string literals)."""
    patterns, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "(":
            start = i if depth == 0 else start
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                patterns.append(" ".join(text[start : i + 1].split()))
    return patterns


PYTHON = LangSpec(
    "python",
    """
    (function_definition name: (identifier) @def)
    (class_definition name: (identifier) @def)
    (module (assignment left: (identifier) @def))
    (module (expression_statement (assignment left: (identifier) @def)))
    """,
    ("identifier",),
)

_JS_DEFS = """
    (function_declaration name: (identifier) @def)
    (generator_function_declaration name: (identifier) @def)
    (method_definition name: (property_identifier) @def)
    (variable_declarator name: (identifier) @def value: [(arrow_function) (function_expression) (class)])
"""

JAVASCRIPT = LangSpec(
    "javascript",
    _JS_DEFS + "(class_declaration name: (identifier) @def)",
    ("identifier", "property_identifier", "shorthand_property_identifier"),
)

_TS_DEFS = (
    _JS_DEFS
    + """
    (class_declaration name: (type_identifier) @def)
    (abstract_class_declaration name: (type_identifier) @def)
    (interface_declaration name: (type_identifier) @def)
    (type_alias_declaration name: (type_identifier) @def)
    (enum_declaration name: (identifier) @def)
    (method_signature name: (property_identifier) @def)
    (abstract_method_signature name: (property_identifier) @def)
    """
)
_TS_REFS = ("identifier", "type_identifier", "property_identifier", "shorthand_property_identifier")
TYPESCRIPT = LangSpec("typescript", _TS_DEFS, _TS_REFS)
TSX = LangSpec("tsx", _TS_DEFS, _TS_REFS)

GO = LangSpec(
    "go",
    """
    (function_declaration name: (identifier) @def)
    (method_declaration name: (field_identifier) @def)
    (type_spec name: (type_identifier) @def)
    (method_elem name: (field_identifier) @def)
    """,
    ("identifier", "type_identifier", "field_identifier"),
)

RUST = LangSpec(
    "rust",
    """
    (function_item name: (identifier) @def)
    (function_signature_item name: (identifier) @def)
    (struct_item name: (type_identifier) @def)
    (enum_item name: (type_identifier) @def)
    (union_item name: (type_identifier) @def)
    (trait_item name: (type_identifier) @def)
    (type_item name: (type_identifier) @def)
    (mod_item name: (identifier) @def)
    (impl_item type: (type_identifier) @def)
    (macro_definition name: (identifier) @def)
    (const_item name: (identifier) @def)
    (static_item name: (identifier) @def)
    """,
    ("identifier", "type_identifier", "field_identifier"),
)

JAVA = LangSpec(
    "java",
    """
    (class_declaration name: (identifier) @def)
    (interface_declaration name: (identifier) @def)
    (enum_declaration name: (identifier) @def)
    (record_declaration name: (identifier) @def)
    (annotation_type_declaration name: (identifier) @def)
    (method_declaration name: (identifier) @def)
    """,
    ("identifier", "type_identifier"),
)

_C_DEFS = """
    (function_definition declarator: (function_declarator declarator: (identifier) @def))
    (function_definition
      declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @def)))
    (declaration declarator: (function_declarator declarator: (identifier) @def))
    (struct_specifier name: (type_identifier) @def body: (_))
    (union_specifier name: (type_identifier) @def body: (_))
    (enum_specifier name: (type_identifier) @def body: (_))
    (type_definition declarator: (type_identifier) @def)
    (preproc_def name: (identifier) @def)
    (preproc_function_def name: (identifier) @def)
"""

C = LangSpec("c", _C_DEFS, ("identifier", "type_identifier", "field_identifier"))

CPP = LangSpec(
    "cpp",
    _C_DEFS
    + """
    (class_specifier name: (type_identifier) @def body: (_))
    (namespace_definition name: (namespace_identifier) @def)
    (function_declarator declarator: (field_identifier) @def)
    (function_declarator declarator: (qualified_identifier name: (identifier) @def))
    (alias_declaration name: (type_identifier) @def)
    """,
    ("identifier", "type_identifier", "field_identifier", "namespace_identifier"),
)

SPEC_BY_EXT: dict[str, LangSpec] = {
    ".py": PYTHON, ".pyi": PYTHON,
    ".js": JAVASCRIPT, ".jsx": JAVASCRIPT, ".mjs": JAVASCRIPT, ".cjs": JAVASCRIPT,
    ".ts": TYPESCRIPT, ".mts": TYPESCRIPT, ".cts": TYPESCRIPT, ".tsx": TSX,
    ".go": GO, ".rs": RUST, ".java": JAVA, ".c": C,
    ".h": CPP, ".hh": CPP, ".hpp": CPP, ".hxx": CPP, ".cc": CPP, ".cpp": CPP, ".cxx": CPP,
}  # fmt: skip
