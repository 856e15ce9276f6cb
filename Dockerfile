# listbot: the GitHub App webhook service. Configuration comes only from the environment
# (`docker run --env-file .env ...`); see README.md, "Docker".

# --- build: the listbot wheel -----------------------------------------------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN pip install --no-cache-dir hatchling==1.33.0
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels .

# --- runtime ----------------------------------------------------------------------------------
FROM python:3.11-slim
# The commit the image is built from: docker build --build-arg REVISION="$(git rev-parse HEAD)" .
ARG REVISION=unknown
# Open Containers image labels; the version is pyproject.toml's (a test keeps them equal).
LABEL org.opencontainers.image.title="listbot" \
      org.opencontainers.image.description="A self-hosted GitHub App that turns issue-form submissions into pull requests against a curated list." \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.authors="listbot contributors" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11-slim"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system --gid 10001 listbot \
    && useradd --system --no-log-init --no-create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin listbot
COPY requirements.lock /tmp/requirements.lock
COPY --from=build /wheels /tmp/wheels
# Every dependency is pinned with its sha256 (requirements.lock, made by `bash .ci/lock`).
RUN pip install --no-cache-dir --require-hashes --no-deps -r /tmp/requirements.lock \
    && pip install --no-cache-dir --no-deps /tmp/wheels/listbot-*.whl \
    && pip check \
    && rm -rf /tmp/wheels /tmp/requirements.lock
WORKDIR /app
# The manifest setup mode registers the app from.
COPY app.yml ./
USER 10001:10001
EXPOSE 3000
# Liveness: /healthz answers from memory in milliseconds and never waits on GitHub, so a GitHub
# outage does not make the container "unhealthy" (readiness, /readyz, is for load balancers).
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import json, sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=2); sys.exit(0 if json.load(r).get('status') == 'ok' else 1)"]
# On SIGTERM listbot exits 0 within its shutdown grace (10 s by default); `docker stop` waits 10 s,
# so give it a little more: docker stop -t 15 (or stop_grace_period: 15s in compose).
STOPSIGNAL SIGTERM
CMD ["listbot", "serve", "--host", "0.0.0.0", "--port", "3000"]
