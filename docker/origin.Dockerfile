# The example origin of docker-compose.yml: busybox's httpd (Debian's busybox package)
# serving /srv/www on $PORT. BASE_IMAGE: a Debian image (tests/docker uses one it makes).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends busybox \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*
USER nobody
ENV PORT=8080
EXPOSE 8080
CMD exec busybox httpd -f -v -p "$PORT" -h /srv/www
