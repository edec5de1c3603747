package dev.onlineem.cli;

import dev.onlineem.config.OnlineEmConfig;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The model options {@code score}, {@code run} and {@code demo} share with {@code fit}: each sets the service setting it
 * names, over the configuration file; {@code -D KEY=VALUE} sets any other. A picocli mixin.
 */
public final class ModelOptions {
    @Option(names = "--model", paramLabel = "TYPE", description = "mixture or hmm: sets model.type.")
    String modelType;

    @Option(names = "--k", paramLabel = "N", description = "Components (states with --model hmm): sets model.k.")
    Integer k;

    @Option(names = "--covariance", paramLabel = "TYPE", description = "full, diag or spherical: sets model.covariance.type.")
    String covariance;

    @Option(names = "--half-life", paramLabel = "H", description = "Points after which a point's weight has halved (0: a stationary model): "
            + "sets model.half.life.")
    Double halfLife;

    @Option(names = "--distribution", paramLabel = "D", description = "gaussian or student-t: sets model.distribution.")
    String distribution;

    @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Sets any setting of config/application.properties (repeatable).")
    Map<String, String> overrides = new HashMap<>();

    /** The -D settings with the named options over them. */
    Map<String, String> settings() {
        Map<String, String> s = new HashMap<>(overrides);
        put(s, OnlineEmConfig.TYPE_CONFIG, modelType);
        put(s, OnlineEmConfig.K_CONFIG, k);
        put(s, OnlineEmConfig.COVARIANCE_TYPE_CONFIG, covariance);
        put(s, OnlineEmConfig.HALF_LIFE_CONFIG, halfLife);
        put(s, OnlineEmConfig.DISTRIBUTION_CONFIG, distribution);
        return s;
    }

    private static void put(Map<String, String> s, String key, Object value) {
        if (value != null) {
            s.put(key, String.valueOf(value));
        }
    }
}
