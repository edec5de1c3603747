package dev.onlineem.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class OnlineEmConfigTest {
    private static Map<String, Object> base() {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", "broker:9093");
        return m;
    }

    @Test
    void shouldPassEveryClientSecuritySettingThroughUntouched() {
        Map<String, Object> m = base();
        m.put("security.protocol", "SASL_SSL");
        m.put("sasl.mechanism", "SCRAM-SHA-512");
        m.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p;\\\"q\";");
        m.put("ssl.truststore.location", "/etc/online-em/truststore.jks");
        m.put("ssl.truststore.password", "s3cret");
        m.put("ssl.keystore.type", "PKCS12");
        m.put("ssl.endpoint.identification.algorithm", "");
        m.put("producer.ssl.key.password", "k");
        m.put("consumer.sasl.login.callback.handler.class", "com.example.Handler");
        m.put("admin.security.protocol", "SSL");
        Properties p = new OnlineEmConfig(m).streamsProperties();
        m.forEach((k, v) -> assertSame(v, p.get(k), k));
    }

    @Test
    void shouldDefaultToExactlyOnceAndKeepAtLeastOnceAvailable() {
        assertEquals("exactly_once_v2", new OnlineEmConfig(base()).streamsProperties().get("processing.guarantee"));
        Map<String, Object> m = base();
        m.put("processing.guarantee", "at_least_once");
        assertEquals("at_least_once", new OnlineEmConfig(m).streamsProperties().get("processing.guarantee"));
    }

    @Test
    void shouldFailOverFastByDefaultAndLeaveTheUsersChoiceAlone() {
        Map<String, Object> m = base();
        m.put("application.id", "svc");
        m.put("state.dir", "/var/lib/svc/state");
        Properties p = new OnlineEmConfig(m).streamsProperties();
        String id = (String) p.get("group.instance.id");
        assertTrue(id.startsWith("svc-") && id.length() > "svc-".length() + 13, id);
        assertEquals(id, new OnlineEmConfig(m).streamsProperties().get("group.instance.id"), "stable across restarts");
        m.put("state.dir", "/var/lib/svc/state2");
        assertTrue(!id.equals(new OnlineEmConfig(m).streamsProperties().get("group.instance.id")), "another state directory, another instance");
        assertEquals("10000", p.get("main.consumer.session.timeout.ms"));
        assertEquals("1", p.get("producer.max.in.flight.requests.per.connection"));
        m.put("group.instance.id", "mine");
        m.put("session.timeout.ms", "45000");
        Properties own = new OnlineEmConfig(m).streamsProperties();
        assertEquals("mine", own.get("group.instance.id"));
        assertEquals("45000", own.get("session.timeout.ms"));
        assertNull(own.get("main.consumer.session.timeout.ms"));
        // a plain client key of the user's is not shadowed by a prefixed default
        m.put("max.in.flight.requests.per.connection", "5");
        Properties inFlight = new OnlineEmConfig(m).streamsProperties();
        assertEquals("5", inFlight.get("max.in.flight.requests.per.connection"));
        assertNull(inFlight.get("producer.max.in.flight.requests.per.connection"));
    }

    @Test
    void shouldSendLargerBatchesSoonerByDefaultAndLeaveTheUsersChoiceAlone() {
        Map<String, Object> m = base();
        Properties p = new OnlineEmConfig(m).streamsProperties();
        assertEquals(String.valueOf(256 * 1024), p.get("producer.batch.size"));
        assertEquals("5", p.get("producer.linger.ms"));
        m.put("producer.batch.size", "65536");
        m.put("linger.ms", "100"); // plain: for every client, and not shadowed by the prefixed default
        Properties own = new OnlineEmConfig(m).streamsProperties();
        assertEquals("65536", own.get("producer.batch.size"));
        assertEquals("100", own.get("linger.ms"));
        assertNull(own.get("producer.linger.ms"));
    }

    @Test
    void shouldSizeTheProducerSoThatEveryDeadLetterFits() {
        Map<String, Object> m = base();
        m.put("max.record.bytes", "4194304");
        OnlineEmConfig c = new OnlineEmConfig(m);
        assertEquals(String.valueOf(4194304 + 256 * 1024), c.streamsProperties().get("producer.max.request.size"));
        assertEquals("4194304", c.streamsProperties().get("max.record.bytes"));
        m.put("max.request.size", "8388608"); // the user's own setting is not shadowed by the prefixed default
        Properties p = new OnlineEmConfig(m).streamsProperties();
        assertEquals("8388608", p.get("max.request.size"));
        assertNull(p.get("producer.max.request.size"));
    }

    @Test
    void shouldFailFastNamingALimitAndItsRange() {
        Map<String, Object> m = base();
        m.put("max.models", "0");
        ConfigException e = assertThrows(ConfigException.class, () -> new OnlineEmConfig(m));
        assertTrue(e.getMessage().contains("max.models"), e.getMessage());
        m.put("max.models", "10");
        m.put("max.dimension", "100000");
        e = assertThrows(ConfigException.class, () -> new OnlineEmConfig(m));
        assertTrue(e.getMessage().contains("max.dimension"), e.getMessage());
    }

    @Test
    void shouldTakeStudentTComponentsPerPrefixAndRefuseDegreesOfFreedomForGaussians() {
        Map<String, Object> m = base();
        m.put("model.override.fx-.distribution", "student-t");
        m.put("model.override.fx-.df", "4");
        OnlineEmConfig c = new OnlineEmConfig(m);
        assertEquals(dev.onlineem.em.density.Distribution.studentT(4), c.settingsFor("fx-eurusd").distribution());
        assertEquals(dev.onlineem.em.density.Distribution.GAUSSIAN, c.settingsFor("sensor-1").distribution());
        Map<String, Object> bad = base();
        bad.put("model.df", "4");
        ConfigException e = assertThrows(ConfigException.class, () -> new OnlineEmConfig(bad));
        assertTrue(e.getMessage().contains("model.df = 4.0") && e.getMessage().contains("model.distribution=student-t"), e.getMessage());
        bad.put("model.distribution", "student");
        e = assertThrows(ConfigException.class, () -> new OnlineEmConfig(bad));
        assertTrue(e.getMessage().contains("model.distribution") && e.getMessage().contains("student-t"), e.getMessage());
    }

    @Test
    void shouldTakeTheRangeRulePerPrefixAndRefuseANegativeTolerance() {
        Map<String, Object> m = base();
        m.put("model.override.calm-.anomaly.range.tolerance", "0");
        OnlineEmConfig c = new OnlineEmConfig(m);
        assertEquals(0.1, c.settingsFor("sensor-1").scoring().rangeTolerance(), "the default");
        assertEquals(0.0, c.settingsFor("calm-1").scoring().rangeTolerance(), "off for the prefix");
        Map<String, Object> bad = base();
        bad.put("model.anomaly.range.tolerance", "-0.1");
        ConfigException e = assertThrows(ConfigException.class, () -> new OnlineEmConfig(bad));
        assertTrue(e.getMessage().contains("model.anomaly.range.tolerance"), e.getMessage());
    }

    @Test
    void shouldAdvertiseTheHttpServerWhereItListens() {
        Map<String, Object> m = base();
        m.put("http.port", "8080");
        assertEquals("127.0.0.1:8080", new OnlineEmConfig(m).streamsProperties().get("application.server"), "loopback by default");
        m.put("http.bind.address", "0.0.0.0");
        assertEquals(OnlineEmConfig.hostName() + ":8080", new OnlineEmConfig(m).streamsProperties().get("application.server"),
                "every interface: the host name");
        m.put("http.bind.address", "no-such-host.invalid");
        ConfigException e = assertThrows(ConfigException.class, () -> new OnlineEmConfig(m).streamsProperties());
        assertTrue(e.getMessage().contains("http.bind.address") && e.getMessage().contains("no-such-host.invalid"), e.getMessage());
        m.put("http.bind.address", "127.0.0.1");
        m.put("application.server", "lb.example:443");
        assertEquals("lb.example:443", new OnlineEmConfig(m).streamsProperties().get("application.server"), "the user's own wins");
    }

    @Test
    void shouldFailFastOnAMisspeltSettingOfItsOwnNamingTheClosest() {
        for (String[] typo : new String[][] {{"http.recent.enabeld", "http.recent.enabled"}, {"model.k.rang", "model.k.range"},
            {"model.distribtion", "model.distribution"}, {"http.auth.tokn", "http.auth.token"}}) {
            Map<String, Object> m = base();
            m.put(typo[0], "x");
            ConfigException e = assertThrows(ConfigException.class, () -> new OnlineEmConfig(m));
            assertTrue(e.getMessage().contains(typo[0]) && e.getMessage().contains("did you mean " + typo[1]), e.getMessage());
        }
        Map<String, Object> m = base();
        m.put("state.cleanup.delay.ms", "1000"); // Kafka Streams' own settings pass through
        m.put("max.task.idle.ms", "0");
        new OnlineEmConfig(m);
    }
}
