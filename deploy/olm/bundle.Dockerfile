# The OperatorHub bundle image (registry+v1): the manifests and metadata of this folder, nothing else.
#   npm run olm:bundle && docker build -f deploy/olm/bundle.Dockerfile -t ghcr.io/keyport/keyport-bundle:v0.1.0 deploy/olm
FROM scratch

LABEL operators.operatorframework.io.bundle.mediatype.v1=registry+v1
LABEL operators.operatorframework.io.bundle.manifests.v1=manifests/
LABEL operators.operatorframework.io.bundle.metadata.v1=metadata/
LABEL operators.operatorframework.io.bundle.package.v1=keyport
LABEL operators.operatorframework.io.bundle.channels.v1=stable
LABEL operators.operatorframework.io.bundle.channel.default.v1=stable
LABEL com.redhat.openshift.versions=v4.14

COPY manifests /manifests/
COPY metadata /metadata/
