#!/usr/bin/env python3
"""Seeds of the JSON target: request bodies of the API's shapes, the escapes,
numbers and nesting the parser must get right, and a description of every
fixture image as the media routes answer it."""
import json
import os
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Fixtures", "images")
corpus = sys.argv[1]
documents = [
    '{"name": "Studio"}',
    '{"email": "a@example.com", "password": "password-123", "is_active": false, "full_name": null}',
    '{"name": "Front full body", "view_angle": "front", "framing": "full_body", "margins": {"top": 0.1, "left": 5, "nested": {"a": [1, 2.5e-3, -0]}}}',
    '{"rule_kind": "category", "rule_value": "dresses", "shot_type_ids": ["6f1c2d3e-0000-4000-8000-000000000001"]}',
    '{"name": "\\u0000", "margins": {"k\\u0000": "v\\u0000"}}',
    '"\\ud83d\\ude00\\ud83d\\u00e9\\/\\b\\f\\n\\r\\t\\"\\\\"',
    '[1, -1, 0, -0, 1.0, 1e3, 1E-3, 99999999999999999999, -9223372036854775808, 9223372036854775807, 1.7976931348623157e308]',
    '{"a": 1, "a": 2, "b": {"a": 3}, "": null}',
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
    ' \t\r\n{ } ',
    '[true, false, null, "", {}, []]',
]
for index, document in enumerate(documents):
    with open(os.path.join(corpus, f"seed-{index}"), "wb") as seed:
        seed.write(document.encode())
for name in sorted(os.listdir(root)):
    described = {"extension": name.rsplit(".", 1)[-1], "file_size": os.path.getsize(os.path.join(root, name)), "alt_text": name}
    with open(os.path.join(corpus, f"fixture-{name}.json"), "wb") as seed:
        seed.write(json.dumps(described, ensure_ascii=False).encode())
