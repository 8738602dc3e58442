#!/usr/bin/env bash
# Audit the installed dependencies for known vulnerabilities with pip-audit (PyPI's advisory data).
# A known vulnerability fails the run. When the advisory data cannot be reached (a registry mirror
# that serves packages but not PyPI's per-release JSON), nothing can be audited: say so plainly
# rather than pass in silence.
set -uo pipefail
output=$("$1" --progress-spinner off --skip-editable 2>&1)
status=$?
echo "$output" | grep -v "could not be audited" | grep -v "^Name \+Skip Reason" | grep -v "^-\+ -\+$"
skipped=$(echo "$output" | grep -c "could not be audited" || true)
if [ "$status" -ne 0 ]; then
    echo "pip-audit: known vulnerabilities found (or pip-audit failed); see above."
    exit "$status"
fi
if [ "$skipped" -gt 0 ]; then
    echo "WARNING: $skipped installed packages could not be audited: PyPI's advisory data is not reachable from here."
    echo "         Run 'make lint' where pypi.org answers /pypi/<name>/<version>/json to audit them."
fi
exit 0
