"""A form template uploaded as a YAML file: read it, check it with the one template loader
(``lib.domain.forms.parse_template``), and when something is wrong say where — the line of
the file and the key — so that the person fixes it in their editor.

Pure: bytes in, a ``FormTemplate`` or a ``TemplateProblem`` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from lib.domain.forms import FormTemplate, FormTemplateError, parse_template
from lib.domain.framework import Framework

# An uploaded template is a page or two of YAML; anything far larger is not one.
MAX_BYTES = 512 * 1024

# The key paths the loader names in its messages: sections[1].questions[0].type, or a
# top-level key between guillemets (« slug »).
_PATH = re.compile(r"[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)+|[a-z_]+\[\d+\]")
_TOP_KEY = re.compile(r"«\s*([a-z_]+)\s*»")
_STEP = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


@dataclass(frozen=True)
class TemplateProblem(Exception):
    """What is wrong with an uploaded template: ``code`` a translation key with ``params``
    (``line`` from 1 and ``path`` the key's path, when known; ``detail`` the reader's own words)."""

    code: str
    params: dict[str, Any]


def _problem(code: str, line: int | None = None, key: str = "", detail: str = "") -> TemplateProblem:
    """``code`` said with what is known: ``….at_key`` (line and key), ``….at_line``, or as is."""
    if line is not None and key:
        return TemplateProblem(f"{code}.at_key", {"line": line, "path": key, "detail": detail})
    if line is not None:
        return TemplateProblem(f"{code}.at_line", {"line": line, "detail": detail})
    return TemplateProblem(code, {"detail": detail})


def _line_of(root: yaml.Node | None, path: str) -> int | None:
    """The line (from 1) where ``path`` is written, or where its nearest written parent is:
    a missing key is reported at the mapping that should hold it."""
    node, line = root, (root.start_mark.line + 1) if root is not None else None
    for name, index in _STEP.findall(path.removeprefix("formulaire.").removeprefix("formulaire")):
        if not isinstance(node, yaml.MappingNode):
            break
        found = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == name), None)
        if found is None:
            break
        node, line = found, found.start_mark.line + 1
        if index:
            if not isinstance(node, yaml.SequenceNode) or int(index) >= len(node.value):
                break
            node = node.value[int(index)]
            line = node.start_mark.line + 1
    return line


def read_template(content: bytes, framework: Framework, source: str = "modèle") -> tuple[FormTemplate, dict]:
    """The template in ``content`` (UTF-8 YAML) and its document as stored, or a
    ``TemplateProblem`` naming the line and key of the first thing wrong."""
    if len(content) > MAX_BYTES:
        raise _problem("admin.template.error.too_big", detail=f"{MAX_BYTES // 1024} Ko")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _problem("admin.template.error.encoding", detail=str(exc.reason)) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise _problem(
            "admin.template.error.yaml", line=mark.line + 1 if mark else None, detail=detail
        ) from exc
    except yaml.YAMLError as exc:
        raise _problem("admin.template.error.yaml", detail=str(exc)) from exc
    try:
        template = parse_template(document, source=source, framework=framework)
    except FormTemplateError as exc:
        message = str(exc).removeprefix(f"formulaire {source} : ")
        paths = _PATH.findall(message) or _TOP_KEY.findall(message)
        key = max(paths, key=lambda p: p.count(".") + p.count("["), default="").removeprefix("formulaire.")
        if key == "formulaire":
            key = ""
        raise _problem(
            "admin.template.error.content", line=_line_of(root, key), key=key, detail=message
        ) from exc
    return template, document
