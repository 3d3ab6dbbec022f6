"""Babel extractor for the labels and explanations in backend/data/taxonomy.json."""
from __future__ import annotations

import json
from typing import Any, Iterator


def extract_taxonomy(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, str, str, list[str]]]:
    data = json.loads(fileobj.read().decode("utf-8"))

    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key in ("label", "explanation"):
                if isinstance(node.get(key), str):
                    yield node[key]
            for v in node.values():
                if isinstance(v, (dict, list)):
                    yield from walk(v)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v)

    for text in walk(data):
        yield 1, "gettext", text, ["taxonomy"]
