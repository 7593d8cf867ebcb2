#!/usr/bin/env python3
"""Validates XML files against an XSD (lxml).

    validate_xml.py SCHEMA.xsd FILE...
"""

import sys

from lxml import etree


def main(schema_path, *files):
    schema = etree.XMLSchema(etree.parse(schema_path))
    failed = 0
    for path in files:
        if schema.validate(etree.parse(path)):
            print(f"{path}: valid")
        else:
            failed += 1
            print(f"{path}: INVALID")
            for error in schema.error_log:
                print(f"    line {error.line}: {error.message}")
    print(f"{len(files) - failed} passed, {failed} failed")
    return 1 if failed or not files else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
