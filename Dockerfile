# The fargate executor's task-runner image: Node 24 with the bundled task runner, and Python 3 for
# `python` tasks. Multi-arch base images: build with `docker build --platform linux/arm64 .` for the
# ARM64 task definition (CDK's DockerImageAsset does this from infra/).

# The bundle is plain JavaScript, so it is built on the build machine's own platform (no emulation).
FROM --platform=$BUILDPLATFORM node:24-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
# No install scripts: nothing the bundle needs runs one (esbuild finds its binary without it).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY functions ./functions
COPY sdk/python ./sdk/python
COPY scripts/build-container.ts ./scripts/build-container.ts
RUN node --import tsx scripts/build-container.ts dist/container

FROM node:24-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 ca-certificates \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
# The bundle, its source map and sdk/python/ (where the runner looks for the Python client).
COPY --from=build /build/dist/container/ /app/
# The node image's unprivileged user; task code never runs as root. Bundles are cached under /tmp.
USER node
CMD ["node", "/app/container-worker.mjs"]
