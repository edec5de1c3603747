# The processor image. scripts/docker-setup.sh builds it on a local Debian base (no registry needed):
#   docker build --build-arg BASE_IMAGE=online-em/base:bookworm -t online-em/processor .
# With Docker Hub at hand the default base works too. The jar comes first: mvn -B package -DskipTests.
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}
WORKDIR /app
COPY target/online-em.jar /app/online-em.jar
COPY config /app/config
ENTRYPOINT ["java", "-jar", "/app/online-em.jar"]
CMD ["run", "--config", "/app/config/application.properties"]
