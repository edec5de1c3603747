#!/bin/bash
# Kafka's topic tool, as /opt/kafka/bin/kafka-topics.sh of the official image (compose's health check uses it).
exec java -Xmx256m -Dlog4j2.configurationFile=/opt/kafka/config/log4j2-tools.properties -cp '/opt/kafka/libs/*' org.apache.kafka.tools.TopicCommand "$@"
