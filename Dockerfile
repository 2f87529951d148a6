# warroom: HTTP mode behind a load balancer. Run N replicas on one PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --create-home --uid 10001 warroom

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY runbooks ./runbooks
# Editable install keeps the shipped runbooks/ beside the package, where the bot looks.
RUN pip install -e .

USER warroom
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status != 200)"
# Migrations run at start-up under a PostgreSQL advisory lock, so replicas may start together.
CMD ["warroom", "serve", "--host", "0.0.0.0", "--port", "3000"]
