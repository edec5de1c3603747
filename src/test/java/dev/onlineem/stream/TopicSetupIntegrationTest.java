package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.config.OnlineEmConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * topics.create=false: the service creates nothing and checks the topics an administrator made, naming the topic and
 * the fix when one is missing or set up wrong; with them right it runs.
 */
@Tag("integration")
class TopicSetupIntegrationTest {
    @TempDir
    Path tmp;

    @Test
    void shouldCheckTheAdministratorsTopicsAndNameWhatIsWrong() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            Map<String, Object> settings = StreamingIntegrationTest.config(broker.bootstrapServers(), "topics-", tmp.resolve("state"));
            settings.put("topics.create", "false");
            OnlineEmConfig config = new OnlineEmConfig(settings);
            StreamApp.TopicSetupException e = assertThrows(StreamApp.TopicSetupException.class, () -> StreamApp.createTopics(config, 1));
            assertTrue(e.getMessage().contains("topic " + config.pointsTopic() + " does not exist") && e.getMessage().contains("topics.create=true"),
                    e.getMessage());
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (Admin admin = Admin.create(p)) {
                // the administrator's topics, the models topic not compacted and the dead-letter topic too small
                List<NewTopic> topics = List.of(new NewTopic(config.pointsTopic(), 2, (short) 1), new NewTopic(config.ticksTopic(), 1, (short) 1),
                        new NewTopic(config.assignmentsTopic(), 2, (short) 1), new NewTopic(config.anomaliesTopic(), 1, (short) 1),
                        new NewTopic(config.regimesTopic(), 1, (short) 1), new NewTopic(config.modelsTopic(), 1, (short) 1),
                        new NewTopic(config.deadLetterTopic(), 1, (short) 1).configs(Map.of("max.message.bytes", "100000")));
                admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
                e = assertThrows(StreamApp.TopicSetupException.class, () -> StreamApp.createTopics(config, 1));
                assertTrue(e.getMessage().contains("topic " + config.modelsTopic() + " (models.topic) has cleanup.policy=delete")
                        && e.getMessage().contains("cleanup.policy=compact"), e.getMessage());
                alter(admin, config.modelsTopic(), "cleanup.policy", "compact");
                e = assertThrows(StreamApp.TopicSetupException.class, () -> StreamApp.createTopics(config, 1));
                assertTrue(e.getMessage().contains("topic " + config.deadLetterTopic() + " (dead.letter.topic) has max.message.bytes=100000")
                        && e.getMessage().contains("max.message.bytes=" + config.deadLetterMaxBytes()), e.getMessage());
                alter(admin, config.deadLetterTopic(), "max.message.bytes", String.valueOf(config.deadLetterMaxBytes()));
            }
            // every topic right: the service runs on them
            try (StreamApp app = StreamApp.start(config, 1)) {
                app.awaitRunning(Duration.ofSeconds(60));
            }
        }
    }

    private static void alter(Admin admin, String topic, String key, String value) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET))))
                .all().get(60, TimeUnit.SECONDS);
    }
}
