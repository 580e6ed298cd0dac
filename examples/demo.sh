#!/usr/bin/env bash
# The demo: copy examples/demo-repo to a temp dir and let the embedded local model fix its failing test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)/demo-repo"
cp -r "$here/demo-repo" "$work"
cd "$work"
git init -q && git add -A && git -c user.name=demo -c user.email=demo@example.com commit -qm "demo repo"
echo "== the failing test"; python3 -m pytest -q 2>&1 | tail -3 || true
echo "== hame (embedded local model, no API key)"
hame -p "The tests in test_stats.py fail because of a bug in stats.py. Fix stats.py so the tests pass." --cwd "$work"
echo "== what changed"; git --no-pager diff
echo "== the tests now"; python3 -m pytest -q 2>&1 | tail -3
