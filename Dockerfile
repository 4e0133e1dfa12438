# verordening-engine as an HTTP service (`verordening serve`).
#
#   docker build -t verordening-engine .
#   docker run --rm -p 127.0.0.1:8000:8000 \
#     -v /etc/verordening/token:/run/secrets/token:ro verordening-engine
#
# The rules and schemas are inside the wheel; mount another folder and add
# `--regels /regels` to serve a municipality's own set instead.
# Not built in the project's CI (no container engine there): see the README.

FROM python:3.11-slim AS build
# durable-rules is published as a source distribution only: it is compiled here.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
# the in-tree build backend pyproject.toml names (durable-rules on Python 3.13)
COPY build_backend ./build_backend
COPY src ./src
COPY regels ./regels
COPY schemas ./schemas
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[serve]'

FROM python:3.11-slim
RUN useradd --system --create-home --uid 10001 verordening
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels 'verordening-engine[serve]' \
    && rm -rf /wheels
USER verordening
WORKDIR /home/verordening
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"
# Inside a container the service must listen on all interfaces of the container; publish
# the port on 127.0.0.1 or behind a reverse proxy, and keep the token.
ENTRYPOINT ["verordening", "serve", "--host", "0.0.0.0", "--port", "8000"]
CMD ["--token-file", "/run/secrets/token"]
