package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/** A refused permission is not bad input: no dead letter, no count, no retry loop, and a message that names it. */
class AuthorizationFailureTest {
    private static final Properties SERVICE = new Properties();

    static {
        SERVICE.put("application.id", "online-em");
        SERVICE.put("security.protocol", "SASL_SSL");
        SERVICE.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"em-service\" password=\"x\";");
    }

    /** A context whose every method answers null or zero: the authorization path reads none of it. */
    private static ErrorHandlerContext context() {
        return (ErrorHandlerContext) Proxy.newProxyInstance(ErrorHandlerContext.class.getClassLoader(), new Class<?>[] {ErrorHandlerContext.class},
                (proxy, method, args) -> method.getReturnType() == long.class ? 0L : method.getReturnType() == int.class ? 0 : null);
    }

    @Test
    void shouldFailTheOutputWithoutADeadLetterWhenWriteIsRefused() {
        DeadLetters.OnProduction handler = new DeadLetters.OnProduction();
        handler.configure(Map.of("errors.dead.letter.queue.topic.name", "points-dlq", "max.record.bytes", "1048576", "application.id", "online-em"));
        long before = DeadLetterCounts.get().total();
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>("models", "m".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));
        ProductionExceptionHandler.Response r = handler.handleError(context(), out, new TopicAuthorizationException(Set.of("models")));
        assertEquals(ProductionExceptionHandler.Result.FAIL, r.result());
        assertEquals(List.of(), r.deadLetterQueueRecords(), "no dead letter for a refused permission");
        assertEquals(before, DeadLetterCounts.get().total(), "not counted as rejected input");
    }

    @Test
    void shouldStopTheInstanceOnARefusedPermissionAndReplaceAThreadOtherwise() {
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT,
                StreamApp.onUncaught(new StreamsException("task failed", new GroupAuthorizationException("Not authorized", "online-em")), SERVICE, new java.util.concurrent.atomic.AtomicReference<>()));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, StreamApp.onUncaught(new StreamsException("boom", new IllegalStateException()), SERVICE, new java.util.concurrent.atomic.AtomicReference<>()));
    }

    @Test
    void shouldNamePrincipalResourceAndOperation() {
        String topic = AuthorizationFailure.describe(new TopicAuthorizationException(Set.of("models")), "WRITE", SERVICE);
        assertTrue(topic.contains("WRITE on topic(s) [models]") && topic.contains("principal User:em-service")
                && topic.contains("kafka-acls.sh --add --allow-principal User:em-service --operation WRITE --topic models"), topic);
        String group = AuthorizationFailure.describe(new GroupAuthorizationException("Not authorized", "online-em"), null, SERVICE);
        assertTrue(group.contains("READ on group online-em") && group.contains("--group online-em"), group);
        String txn = AuthorizationFailure.describe(new TransactionalIdAuthorizationException("Not authorized"), null, SERVICE);
        assertTrue(txn.contains("transactional ids of application online-em") && txn.contains("--resource-pattern-type prefixed"), txn);
    }
}
