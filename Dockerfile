# The processor image: build the jar first (mvn -B package -DskipTests), then docker compose up.
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY target/online-em.jar /app/online-em.jar
COPY config /app/config
ENTRYPOINT ["java", "-jar", "/app/online-em.jar"]
CMD ["run", "--config", "/app/config/application.properties"]
