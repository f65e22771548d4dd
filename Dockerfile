# CPU image with both the Streamlit app and the REST API. One image, two commands:
#   docker run -p 8501:8501 --env-file .env medrag                     # the workbench (default)
#   docker run -p 8000:8000 --env-file .env medrag api                 # the REST API
# Environment variables are the same as the original MedRAG backend (SUPABASE_URL, SUPABASE_KEY,
# GEMINI_API_KEY, HF_TOKEN) plus MEDRAG_* (see README). The embedded database lives in /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    MEDRAG_DATA_DIR=/data HF_HOME=/data/hf \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false HF_HUB_DISABLE_TELEMETRY=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install -r requirements.txt
COPY . .
RUN useradd --create-home medrag && mkdir -p /data && chown medrag /data
USER medrag
VOLUME /data
EXPOSE 8501 8000
ENTRYPOINT ["/app/scripts/docker_entrypoint.sh"]
CMD ["app"]
