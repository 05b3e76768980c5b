#!/usr/bin/env bash
# Serve a bench shop (written by `scraper-server bench-shop SITE_DIR`) with
# nginx on 127.0.0.1, in the foreground; Ctrl-C or kill PID stops it.
# Usage: serve.sh SITE_DIR [PORT]   env: WORKERS (nginx worker processes, 1)
# The rendered config, pid and logs go to /tmp/bench-nginx-PORT; the access
# log is what peers/score.py counts requests from.
set -euo pipefail
SITE=$(cd "${1:?usage: serve.sh SITE_DIR [PORT]}" && pwd)
PORT=${2:-8080}
HERE=$(cd "$(dirname "$0")" && pwd)
RUN=/tmp/bench-nginx-$PORT
[ -f "$SITE/redirects.conf" ] || { echo "$SITE has no bench shop (scraper-server bench-shop $SITE)" >&2; exit 1; }
command -v nginx >/dev/null || { apt-get update && apt-get install -y nginx; }
mkdir -p "$RUN" && : > "$RUN/access.log"
sed -e "s#@PORT@#$PORT#g" -e "s#@ROOT@#$SITE/www#g" -e "s#@RUN@#$RUN#g" \
    -e "s#@SITE@#$SITE#g" -e "s#@WORKERS@#${WORKERS:-1}#g" \
    "$HERE/nginx.conf.template" > "$RUN/nginx.conf"
echo "serving $SITE/www on http://127.0.0.1:$PORT/ (config $RUN/nginx.conf)" >&2
exec nginx -p "$RUN" -c "$RUN/nginx.conf"
