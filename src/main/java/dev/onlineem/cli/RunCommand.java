package dev.onlineem.cli;

import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.http.HttpApi;
import dev.onlineem.stream.StreamApp;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code run}: the processor against a broker, until stopped (SIGTERM or Ctrl-C close it cleanly). */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Runs the processor against a Kafka cluster.")
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Properties file (see config/application.properties).")
    Path config;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--partitions", paramLabel = "P", defaultValue = "1", description = "Partitions for topics this command creates (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Override
    public Integer call() throws Exception {
        OnlineEmConfig cfg = OnlineEmConfig.load(config, model.settings());
        CountDownLatch stopped = new CountDownLatch(1);
        StreamApp app = StreamApp.start(cfg, partitions);
        HttpApi http = cfg.httpPort() > 0 ? HttpApi.start(app, cfg) : null;
        if (http != null) {
            System.out.println("HTTP on port " + http.port() + ": /models, /health/live, /health/ready, /metrics, dashboard at /");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (http != null) {
                http.close();
            }
            app.close();
            stopped.countDown();
        }, "online-em-shutdown"));
        Thread watcher = new Thread(() -> {
            try {
                app.awaitFailure();
                // the processor stopped itself (a refused permission, logged as one ERROR line naming it): exit, so that
                // an orchestrator sees it, rather than idle with /health/live DOWN
                System.err.println("error: the processor stopped (state ERROR); see the ERROR line above");
                System.exit(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "online-em-failure-watch");
        watcher.setDaemon(true);
        watcher.start();
        stopped.await();
        return 0;
    }
}
