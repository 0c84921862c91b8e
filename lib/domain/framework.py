"""The reference framework, loaded from ``data/framework.yaml`` and checked on load."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from lib.domain.formats import LANGUAGES

FRAMEWORK_PATH = Path(__file__).resolve().parents[2] / "data" / "framework.yaml"

LEVELS = (0, 1, 2, 3, 4)


class FrameworkError(ValueError):
    """The framework file is broken; the message names the faulty key."""


@dataclass(frozen=True)
class Label:
    fr: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


@dataclass(frozen=True)
class Item:
    """An entry of one of the framework's lists (phase, role, dimension...)."""

    id: str
    label: Label
    description: Label | None = None
    flag: bool = False  # ``fantastique`` for roles, ``sourced`` for value dimensions


@dataclass(frozen=True)
class Level:
    level: int
    label: Label
    description: Label


@dataclass(frozen=True)
class Criterion:
    id: str
    axis_id: str
    label: Label
    description: Label


@dataclass(frozen=True)
class Axis:
    id: str
    label: Label
    description: Label
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Framework:
    version: str
    scale: tuple[Level, ...]
    axes: tuple[Axis, ...]
    phases: tuple[Item, ...]
    storytelling_dimensions: tuple[Item, ...]
    stakeholder_roles: tuple[Item, ...]
    value_dimensions: tuple[Item, ...]
    raw: dict[str, Any]

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for axis in self.axes for c in axis.criteria)

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def axis(self, axis_id: str) -> Axis:
        for a in self.axes:
            if a.id == axis_id:
                return a
        raise KeyError(axis_id)

    def level(self, level: int) -> Level:
        return self.scale[level]


def _get(node: Any, key: str, where: str) -> Any:
    if not isinstance(node, dict) or key not in node or node[key] in (None, ""):
        raise FrameworkError(f"framework: clé manquante « {where}.{key} »")
    return node[key]


def _label(node: Any, key: str, where: str) -> Label:
    value = _get(node, key, where)
    for lang in LANGUAGES:
        text = value.get(lang) if isinstance(value, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise FrameworkError(f"framework: texte « {lang} » manquant pour « {where}.{key} »")
    return Label(fr=value["fr"].strip(), en=value["en"].strip())


def _list(data: dict, key: str, where: str = "framework") -> list:
    value = _get(data, key, where)
    if not isinstance(value, list) or not value:
        raise FrameworkError(f"framework: « {key} » doit être une liste non vide")
    return value


def _unique_ids(items: list, where: str) -> None:
    seen: set[str] = set()
    for i, node in enumerate(items):
        ident = _get(node, "id", f"{where}[{i}]")
        if ident in seen:
            raise FrameworkError(f"framework: identifiant en double « {ident} » dans « {where} »")
        seen.add(ident)


def _items(data: dict, key: str, flag: str | None = None, described: bool = False) -> tuple[Item, ...]:
    nodes = _list(data, key)
    _unique_ids(nodes, key)
    return tuple(
        Item(
            id=str(node["id"]),
            label=_label(node, "label", f"{key}[{i}]"),
            description=_label(node, "description", f"{key}[{i}]") if described else None,
            flag=bool(node.get(flag, False)) if flag else False,
        )
        for i, node in enumerate(nodes)
    )


def parse_framework(data: Any) -> Framework:
    if not isinstance(data, dict):
        raise FrameworkError("framework: le fichier doit contenir un dictionnaire YAML")
    version = str(_get(data, "version", "framework"))

    scale_nodes = _list(data, "scale")
    levels = tuple(
        Level(
            level=int(_get(node, "level", f"scale[{i}]")),
            label=_label(node, "label", f"scale[{i}]"),
            description=_label(node, "description", f"scale[{i}]"),
        )
        for i, node in enumerate(scale_nodes)
    )
    if tuple(lv.level for lv in levels) != LEVELS:
        raise FrameworkError("framework: « scale » doit décrire les niveaux 0, 1, 2, 3 et 4 dans l’ordre")

    axis_nodes = _list(data, "axes")
    _unique_ids(axis_nodes, "axes")
    axes = []
    all_criteria: set[str] = set()
    for i, node in enumerate(axis_nodes):
        where = f"axes[{i}]"
        crit_nodes = _list(node, "criteria", where)
        if not 3 <= len(crit_nodes) <= 5:
            raise FrameworkError(f"framework: « {where}.criteria » doit compter de 3 à 5 critères")
        _unique_ids(crit_nodes, f"{where}.criteria")
        criteria = []
        for j, c in enumerate(crit_nodes):
            cwhere = f"{where}.criteria[{j}]"
            if c["id"] in all_criteria:
                raise FrameworkError(f"framework: identifiant en double « {c['id']} » dans « {cwhere} »")
            all_criteria.add(c["id"])
            criteria.append(
                Criterion(
                    id=str(c["id"]),
                    axis_id=str(node["id"]),
                    label=_label(c, "label", cwhere),
                    description=_label(c, "description", cwhere),
                )
            )
        axes.append(
            Axis(
                id=str(node["id"]),
                label=_label(node, "label", where),
                description=_label(node, "description", where),
                criteria=tuple(criteria),
            )
        )

    return Framework(
        version=version,
        scale=levels,
        axes=tuple(axes),
        phases=_items(data, "phases", described=True),
        storytelling_dimensions=_items(data, "storytelling_dimensions", described=True),
        stakeholder_roles=_items(data, "stakeholder_roles", flag="fantastique"),
        value_dimensions=_items(data, "value_dimensions", flag="sourced"),
        raw=data,
    )


def load_framework_file(path: Path) -> Framework:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FrameworkError(f"framework: YAML illisible dans {path.name} : {exc}") from exc
    return parse_framework(data)


@cache
def load_framework() -> Framework:
    """The current framework; the same for every user, read once per process."""
    return load_framework_file(FRAMEWORK_PATH)
