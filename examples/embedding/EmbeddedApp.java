// The processor's topology inside one's own Kafka Streams application: OnlineEmTopology.build gives the public
// Topology, to which the application adds its own nodes (here, every anomaly turned into a one-line alert on an
// "alerts" topic) before it runs the whole as one KafkaStreams instance, with the processor's properties
// (exactly-once, the dead-letter handlers) under its own application id.
//
//   mvn -B -q package -DskipTests
//   java -cp target/online-em.jar examples/embedding/EmbeddedApp.java localhost:9092
//
// Then send points (`java -jar target/online-em.jar produce --bootstrap-servers localhost:9092 --input FILE --model m-1`)
// and read the "alerts" topic. Ctrl-C stops it.
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.stream.OnlineEmTopology;
import dev.onlineem.stream.StreamApp;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

public class EmbeddedApp {
    public static void main(String[] args) throws Exception {
        Map<String, Object> settings = new HashMap<>();
        settings.put("bootstrap.servers", args.length > 0 ? args[0] : "localhost:9092");
        settings.put("application.id", "my-embedding-app");
        settings.put("state.dir", Files.createTempDirectory("my-embedding-app").toString());
        settings.put("model.k", "2");
        settings.put("model.anomaly.alpha", "1e-4");
        OnlineEmConfig config = new OnlineEmConfig(settings); // a misspelt setting fails here, naming it

        Topology topology = OnlineEmTopology.build(config);
        // our own stage, downstream of the processor's anomalies topic
        topology.addSource("my-anomalies", Serdes.String().deserializer(), Serdes.String().deserializer(), config.anomaliesTopic());
        topology.addProcessor("my-alerts", AlertLine::new, "my-anomalies");
        topology.addSink("my-alerts-sink", "alerts", Serdes.String().serializer(), Serdes.String().serializer(), "my-alerts");

        StreamApp.createTopics(config, 2); // the processor's topics, where they are missing
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", settings.get("bootstrap.servers")))) {
            // our own topic, with the cluster's default partitions and replication
            admin.createTopics(List.of(new NewTopic("alerts", Optional.empty(), Optional.empty()))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        KafkaStreams streams = new KafkaStreams(topology, StreamApp.properties(config));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close();
            stopped.countDown();
        }));
        streams.start();
        System.out.println("running: points in on " + config.pointsTopic() + ", alerts out on alerts");
        stopped.await();
    }

    /** Each anomaly (the assignment's JSON) as "ALERT <model> <anomaly JSON>". */
    static final class AlertLine implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, String> record) {
            context.forward(record.withValue("ALERT " + record.key() + " " + record.value()));
        }
    }
}
