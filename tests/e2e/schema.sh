#!/usr/bin/env bash
# The published XML Schemas (assets/schema/*.xsd) and the program's own
# checks (the only validator at run time) give the same verdict on every
# data and template fixture, valid and invalid, and on a few hundred
# mutations of valid files: xmllint --schema against tests/verdict.c.
# See schema.py for the rules the schemas cannot express.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v xmllint >/dev/null || { echo "xmllint is missing: apt-get install libxml2-utils"; exit 1; }
exec /usr/bin/python3 "$here/schema.py"
