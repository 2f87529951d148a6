# warroom: HTTP mode behind a load balancer. Run N replicas on one PostgreSQL.
#
# The base image is pinned by its full version tag (Python 3.11.13 on Debian bookworm).
# Pin it by digest as well where you build: `docker buildx imagetools inspect
# python:3.11.13-slim-bookworm` prints it; write FROM python:3.11.13-slim-bookworm@sha256:...
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

# Build the wheel: what runs is what `pip install` of a release would install.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY constraints.txt ./
RUN pip install --constraint constraints.txt "setuptools>=77"
COPY pyproject.toml README.md LICENSE MANIFEST.in ./
COPY bot ./bot
COPY runbooks ./runbooks
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PORT=3000
# Every dependency at the version constraints.txt pins (regenerate: python3 dev.py lock).
COPY constraints.txt /tmp/constraints.txt
COPY --from=build /wheels /tmp/wheels
RUN pip install --constraint /tmp/constraints.txt /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels /tmp/constraints.txt \
    && groupadd --gid 10001 warroom \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin warroom
WORKDIR /tmp
# Numeric, so Kubernetes' runAsNonRoot can verify it is not root.
USER 10001:10001
EXPOSE 3000
# Exec form, no shell and no curl: python asks /healthz on $PORT (the port `serve` uses).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4).status == 200 else 1)"]
# `warroom serve` listens on $PORT; SIGTERM (docker stop) drains and exits within 8 s.
# Migrations run at start-up under a PostgreSQL advisory lock, so replicas may start
# together; deploy/ also runs `warroom db upgrade` once before them.
CMD ["warroom", "serve", "--host", "0.0.0.0"]
