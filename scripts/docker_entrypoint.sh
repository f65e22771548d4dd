#!/bin/sh
# `app` (default): the Streamlit workbench on 8501; `api`: the REST API on $PORT (8000); anything else runs as is.
# exec: the app itself gets SIGTERM from `docker stop` and shuts down cleanly (the API stops its embedded Postgres).
set -e
case "${1:-app}" in
  app) exec streamlit run streamlit_app.py --server.port 8501 --server.address 0.0.0.0 --server.headless true \
         --browser.gatherUsageStats false ;;
  api) exec uvicorn --factory api.app:create_app --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" ;;
  *) exec "$@" ;;
esac
