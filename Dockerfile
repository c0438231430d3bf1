# knetsim in a container: the same setup script as the README and CI.
#
#   docker build -t knetsim .
#   docker run -it --privileged --rm knetsim                 # the prompt (knetsim up)
#   docker run --privileged --rm knetsim npx knetsim test    # the default scenarios
#
# --privileged is required: the simulation creates network namespaces, veth pairs,
# bridges, VXLAN devices and nftables tables (all inside namespaces it owns).
FROM node:20-bookworm

# Go builds flanneld, cnitool and the flannel CNI plugin (Debian's golang is too old).
COPY --from=golang:1.26-bookworm /usr/local/go /usr/local/go
ENV PATH=/usr/local/go/bin:/root/go/bin:$PATH

WORKDIR /opt/knetsim-ts
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY conf ./conf
COPY tools ./tools
RUN bash scripts/setup.sh
COPY . .
# The helper bundles need the sources, copied only now (setup.sh skipped them above).
RUN npm run build:helpers

ENTRYPOINT []
CMD ["node", "bin/knetsim.js", "up"]
