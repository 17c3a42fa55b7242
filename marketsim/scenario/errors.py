"""Pydantic's validation errors turned into messages that name the field in the file's own terms
(list items by their name), never quoting more than a short, cleaned piece of a value."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .schema import NAME_PATTERN, plain


def _loc_to_path(raw: Any, loc: tuple) -> str:
    """Turn a pydantic location into a readable path, naming list items by their 'name'."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int):
            label = str(key)
            if isinstance(node, list) and key < len(node):
                node = node[key]
                if isinstance(node, dict) and isinstance(node.get("name"), str) \
                        and NAME_PATTERN.fullmatch(node["name"]) and len(node["name"]) <= 64:
                    label = node["name"]
            else:
                node = None
            parts.append(f"[{label}]")
        else:
            if isinstance(node, dict) and key not in node and (
                    key == node.get("type") or not key.isidentifier() or key[0].isupper()):
                continue  # a union's tag (a network type, a class name), not a field of the file
            node = node.get(key) if isinstance(node, dict) else None
            parts.append(("." if parts else "") + key.rstrip("_"))
    return "".join(parts)


def _describe(error: dict) -> str:
    msg = error["msg"]
    if error["type"] == "extra_forbidden":
        return "unknown field (check its spelling against docs/scenarios.md)"
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "union_tag_invalid":  # pydantic's message quotes the whole tag
        ctx = error["ctx"]
        return f"{ctx['discriminator']} must be one of {ctx['expected_tags']} (got {plain(repr(ctx['tag']), 60)})"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if "input" in error and error["type"] != "model_type" and not isinstance(error["input"], (dict, list)):
        msg += f" (got {plain(repr(error['input']), 60)})"
    return msg


def validation_problems(raw: dict, exc: ValidationError) -> list[tuple[str, str]]:
    """Pydantic's errors as (field path, message), in the file's own terms."""
    # a table given for "everyone"-or-rule was meant as a rule: report only the rule's errors
    return [(_loc_to_path(raw, e["loc"]), _describe(e)) for e in exc.errors()
            if not (e["loc"] and str(e["loc"][-1]).startswith("literal[") and isinstance(e["input"], dict))]
