#!/usr/bin/env bash
# Docker for the tests and docker-compose, on a machine that reaches no image registry: installs the
# engine and compose where missing (Debian's docker.io and docker-compose, as root), starts dockerd
# where none runs, and builds three images here:
#   online-em/base:bookworm       a Debian root file system with a Java 17 runtime (debootstrap, from
#                                 the package mirror apt is configured with, then docker import)
#   online-em/kafka:<version>     a single-node KRaft broker of the pom's Kafka version, from Kafka's
#                                 jars on Maven Central, configured from the environment like apache/kafka
#   online-em/processor:latest    this project's jar on the base image (the Dockerfile)
# Idempotent: an image that exists is kept (the processor image is rebuilt when the jar changed).
# Exit status 0 when Docker is ready with the images; otherwise a one-line reason and status 1.
# Usage: scripts/docker-setup.sh [--rebuild]   (--rebuild: build the three images again)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=$ROOT/target/docker
mkdir -p "$WORK"
REBUILD=${1:-}
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' pom.xml | head -1)
BASE_IMAGE=online-em/base:bookworm
KAFKA_IMAGE=online-em/kafka:$KAFKA_VERSION
PROCESSOR_IMAGE=online-em/processor:latest
START=$(date +%s)

say() { printf 'docker-setup: %s\n' "$*"; }
fail() { say "unavailable: $*"; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 )) s"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi
}

APT_UPDATED=
apt_install() {
  command -v apt-get >/dev/null || fail "$* missing and no apt-get to install it with (install Docker by hand)"
  if [ -z "$APT_UPDATED" ]; then
    as_root apt-get update -qq >"$WORK/apt.log" 2>&1 || fail "apt-get update failed (root needed; see $WORK/apt.log)"
    APT_UPDATED=1
  fi
  say "installing $* (Debian packages)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$WORK/apt.log" 2>&1 \
    || fail "could not install $* (see $WORK/apt.log)"
}

# 1. The engine.
if ! docker info >/dev/null 2>&1; then
  { command -v dockerd && command -v docker; } >/dev/null || apt_install docker.io
  if ! { command -v pgrep >/dev/null && pgrep -x dockerd >/dev/null; }; then
    say "starting dockerd (log: $WORK/dockerd.log)"
    as_root sh -c "nohup dockerd >'$WORK/dockerd.log' 2>&1 &" || fail "cannot start dockerd (root needed)"
  fi
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || fail "dockerd did not come up in 60 s: $(tail -1 "$WORK/dockerd.log" 2>/dev/null)"
fi
say "engine $(docker version --format '{{.Server.Version}}' 2>/dev/null), storage $(docker info --format '{{.Driver}}' 2>/dev/null)"

# 2. Compose: docker compose (v2) or docker-compose (v1).
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
  apt_install docker-compose
fi

image_exists() { [ -z "$REBUILD" ] && docker image inspect "$1" >/dev/null 2>&1; }

# 3. The base image: debootstrap from apt's own mirror.
if image_exists "$BASE_IMAGE"; then
  say "$BASE_IMAGE exists"
else
  t=$(date +%s)
  command -v debootstrap >/dev/null || apt_install debootstrap
  . /etc/os-release
  SUITE=${VERSION_CODENAME:-bookworm}
  MIRROR=$( { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}';
              grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'; } \
            | grep -v -e security -e nodesource -e google | head -1) || true
  [ -n "$MIRROR" ] || fail "no Debian mirror in apt's configuration (/etc/apt/sources.list*)"
  ROOTFS=$WORK/rootfs
  as_root rm -rf "$ROOTFS"
  say "building $BASE_IMAGE: debootstrap $SUITE from $MIRROR (about a minute)"
  as_root debootstrap --variant=minbase --include=openjdk-17-jre-headless "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || fail "debootstrap failed (see $WORK/debootstrap.log)"
  as_root sh -c "rm -rf '$ROOTFS'/var/cache/apt/archives/*.deb '$ROOTFS'/var/lib/apt/lists/*"
  JAVA_HOME_IN=$(cd "$ROOTFS" && ls -d usr/lib/jvm/java-17-openjdk-* | head -1)
  as_root tar -C "$ROOTFS" -c . | docker import \
      --change "ENV JAVA_HOME=/$JAVA_HOME_IN" \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' \
      - "$BASE_IMAGE" >/dev/null || fail "docker import of the root file system failed"
  as_root rm -rf "$ROOTFS"
  say "$BASE_IMAGE built in $(elapsed "$t")"
fi

# 4. The Kafka broker image.
if image_exists "$KAFKA_IMAGE"; then
  say "$KAFKA_IMAGE exists"
else
  t=$(date +%s)
  CTX=$WORK/kafka
  rm -rf "$CTX" && mkdir -p "$CTX"
  cp scripts/docker/kafka/{Dockerfile,run,kafka-topics.sh,log4j2.properties,log4j2-tools.properties} "$CTX/"
  say "building $KAFKA_IMAGE: Kafka $KAFKA_VERSION's jars from Maven Central"
  mvn -B -q -ntp -f scripts/docker/kafka/pom.xml -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$CTX/libs" >"$WORK/kafka-jars.log" 2>&1 \
    || fail "could not fetch Kafka $KAFKA_VERSION's jars (see $WORK/kafka-jars.log)"
  docker build -q --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$KAFKA_IMAGE" "$CTX" >"$WORK/kafka-build.log" 2>&1 \
    || fail "docker build of $KAFKA_IMAGE failed (see $WORK/kafka-build.log)"
  say "$KAFKA_IMAGE built in $(elapsed "$t")"
fi

# 5. The processor image, from the jar (built first where missing or older than the sources).
t=$(date +%s)
JAR=target/online-em.jar
if [ ! -f "$JAR" ] || [ -n "$(find src/main pom.xml config -newer "$JAR" -type f 2>/dev/null | head -1)" ]; then
  say "building $JAR (mvn package -DskipTests)"
  mvn -B -q -ntp package -DskipTests >"$WORK/jar.log" 2>&1 || fail "mvn package failed (see $WORK/jar.log)"
fi
docker build -q --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$PROCESSOR_IMAGE" . >"$WORK/processor-build.log" 2>&1 \
  || fail "docker build of $PROCESSOR_IMAGE failed (see $WORK/processor-build.log)"
say "$PROCESSOR_IMAGE ready in $(elapsed "$t")"
say "ready in $(elapsed "$START"): $BASE_IMAGE, $KAFKA_IMAGE, $PROCESSOR_IMAGE"
