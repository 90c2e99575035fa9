#!/usr/bin/env bash
# Restart the daphne processes one at a time: nginx sends requests to the others meanwhile and
# sockets reconnect and resume. Usage: deploy/rolling-restart.sh [instances…] (default: all
# running daphne@ instances).
set -euo pipefail
instances=("$@")
if [ ${#instances[@]} -eq 0 ]; then
  mapfile -t instances < <(systemctl list-units --plain --no-legend 'daphne@*.service' \
    | sed -E 's/^daphne@([^.]+)\.service.*/\1/')
fi
host=$(sed -n 's/^FAIRSITE_ALLOWED_HOSTS=\([^,]*\).*/\1/p' /etc/fairsite/fairsite.env)
for i in "${instances[@]}"; do
  systemctl restart "daphne@$i.service"
  for _ in $(seq 1 60); do
    if curl -fsS --unix-socket "/run/fairsite/daphne-$i.sock" -H "Host: $host" \
        -H "X-Forwarded-Proto: https" http://localhost/healthz >/dev/null 2>&1; then
      break
    fi
    sleep 0.5
  done
  echo "daphne@$i is back"
done
