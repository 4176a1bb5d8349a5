#!/usr/bin/env bash
# `make cluster`: the cluster mode on this machine. PostgreSQL (database gongjiang) and Redis,
# started if not running; two gunicorn server processes; nginx in front on $CLUSTER_PORT
# (8080) with sticky sessions; the demo contest loaded. Ctrl-C stops the servers and nginx
# (PostgreSQL and Redis stay up: other things may use them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=$ROOT/.venv/bin
CLUSTER_PORT=${CLUSTER_PORT:-8080}
SERVER_PORTS=${SERVER_PORTS:-"8001 8002"}
RUN=$ROOT/instance/cluster
mkdir -p "$RUN"

start_postgres() {
  if pg_isready -h 127.0.0.1 -p 5432 -q; then return; fi
  echo "Starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && return; sleep 1; done
  echo "PostgreSQL did not start" >&2; exit 1
}
start_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return; fi
  echo "Starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return; sleep 1; done
  echo "Redis did not start" >&2; exit 1
}
start_postgres
start_redis
if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'gongjiang'" | grep -q 1; then
  echo "Creating the database gongjiang"
  createdb -h 127.0.0.1 -U postgres gongjiang
fi

[ -s "$RUN/secret_key" ] || (umask 077; "$BIN/python" -c "import secrets; print(secrets.token_hex(32))" > "$RUN/secret_key")
[ -s "$RUN/id_number_keys" ] || (umask 077; "$BIN/python" -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" > "$RUN/id_number_keys")
[ -s "$RUN/id_index_key" ] || (umask 077; "$BIN/python" -c "import secrets; print(secrets.token_hex(32))" > "$RUN/id_index_key")
# Not APP_ENV=production: that makes cookies Secure, which plain http on 8080 cannot carry.
# Every process seals and finds ID numbers with the same keys.
export SECRET_KEY=$(cat "$RUN/secret_key")
export ID_NUMBER_KEYS=$(cat "$RUN/id_number_keys") ID_INDEX_KEY=$(cat "$RUN/id_index_key")
export DATABASE_URL=${CLUSTER_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/gongjiang}
export SOCKETIO_MESSAGE_QUEUE=${CLUSTER_REDIS_URL:-redis://127.0.0.1:6379/0}
export RATELIMIT_STORAGE_URI=$SOCKETIO_MESSAGE_QUEUE SOCKETIO_CHANNEL=gongjiang-cluster
export SOCKETIO_ASYNC_MODE=${SOCKETIO_ASYNC_MODE:-gevent}  # docs/deploy.md: chosen by measurement
# A quick Ctrl-C: in-flight requests get 5 s (production: 20).
export GUNICORN_GRACEFUL_TIMEOUT=${GUNICORN_GRACEFUL_TIMEOUT:-5}
export TRUSTED_PROXIES=1 PUBLIC_URL=${PUBLIC_URL:-http://127.0.0.1:$CLUSTER_PORT}

"$BIN/flask" --app wsgi db upgrade
"$BIN/flask" --app wsgi demo-load | tee "$RUN/logins.txt"

PIDS=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "Stopping nginx and the server processes"
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "Stopped (PostgreSQL and Redis are still running)."
}
trap stop_all INT TERM EXIT

UPSTREAM=""
for port in $SERVER_PORTS; do
  PORT=$port HOST=127.0.0.1 "$BIN/gunicorn" -c deploy/gunicorn.conf.py >"$RUN/server-$port.log" 2>&1 &
  PIDS+=($!)
  UPSTREAM+="    server 127.0.0.1:$port;"$'\n'
done
for port in $SERVER_PORTS; do
  for _ in $(seq 120); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.5; done
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { echo "server on $port did not start:"; cat "$RUN/server-$port.log"; exit 1; }
done

mkdir -p "$RUN/nginx"
cat > "$RUN/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $RUN/nginx/nginx.pid;
error_log $RUN/nginx/error.log warn;
events { worker_connections 8192; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path $RUN/nginx/body;
    proxy_temp_path $RUN/nginx/proxy;
    upstream gongjiang {
        ip_hash;
$UPSTREAM    }
    server {
        listen 127.0.0.1:$CLUSTER_PORT;
        set \$gongjiang_root $ROOT;
        include $ROOT/deploy/nginx/gongjiang-proxy.conf;
    }
}
CONF
nginx -t -q -p "$RUN/nginx" -e "$RUN/nginx/error.log" -c "$RUN/nginx/nginx.conf"
nginx -p "$RUN/nginx" -e "$RUN/nginx/error.log" -c "$RUN/nginx/nginx.conf" -g "daemon off;" &
PIDS+=($!)
for _ in $(seq 20); do curl -fs "http://127.0.0.1:$CLUSTER_PORT/readyz" >/dev/null && break; sleep 0.5; done

echo
echo "Gongjiang cluster: http://127.0.0.1:$CLUSTER_PORT  (servers on $SERVER_PORTS, $SOCKETIO_ASYNC_MODE mode,"
echo "PostgreSQL database gongjiang, Redis queue $SOCKETIO_MESSAGE_QUEUE). Logs in $RUN."
sed -n '2,$p' "$RUN/logins.txt"
echo "Ctrl-C stops it."
wait
