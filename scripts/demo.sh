#!/usr/bin/env bash
# From a fresh clone to a running demo at http://127.0.0.1:8000 (SQLite, in-memory layer).
# PORT=8001 serves on another port; e-mail and calendar links follow it (FAIRSITE_SITE_URL).
source "$(dirname "$0")/_env.sh"
PORT="${PORT:-8000}"
export FAIRSITE_SITE_URL="${FAIRSITE_SITE_URL:-http://127.0.0.1:$PORT}"
python manage.py migrate --noinput -v0
python manage.py seed_demo
python manage.py collectstatic --noinput -v0
# Background work runs in the web process after each commit; the worker here only runs the
# schedule (reminders before meetings, request expiry) and stops with the demo.
python manage.py worker &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null || true' EXIT INT TERM
daphne -b 127.0.0.1 -p "$PORT" fairsite.asgi:application
