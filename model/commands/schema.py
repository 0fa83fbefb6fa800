"""``tradesim schema``: print the JSON Schema of scenario files."""

from __future__ import annotations

import argparse
import json

from model.scenario import json_schema


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of scenario files",
                       description="Print the JSON Schema of scenario files, e.g. for editors: "
                                   "tradesim schema > scenario.schema.json")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2))
    return 0
