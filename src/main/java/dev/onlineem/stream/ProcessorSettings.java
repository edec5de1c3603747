package dev.onlineem.stream;

import dev.onlineem.config.OnlineEmConfig;

/**
 * The model stage's own settings, read once from the configuration (each model's settings come by its id).
 *
 * @param checkpointPoints {@code state.checkpoint.points}: a quiet model's full state is written again at least every this many points
 * @param maxModels {@code max.models}: models one task may hold
 * @param heldModels {@code state.held.models}: models one task keeps decoded in memory
 * @param snapshotEveryPoints {@code snapshot.every.points}: a model's snapshot is published every this many of its points
 * @param snapshotIntervalMs {@code snapshot.interval.ms}: and at most this long after its first unpublished update
 */
record ProcessorSettings(int checkpointPoints, long maxModels, int heldModels, long snapshotEveryPoints, long snapshotIntervalMs) {

    static ProcessorSettings of(OnlineEmConfig config) {
        return new ProcessorSettings(config.getInt(OnlineEmConfig.CHECKPOINT_POINTS_CONFIG), config.getLong(OnlineEmConfig.MAX_MODELS_CONFIG),
                config.getInt(OnlineEmConfig.HELD_MODELS_CONFIG), config.getLong(OnlineEmConfig.SNAPSHOT_EVERY_POINTS_CONFIG),
                config.getLong(OnlineEmConfig.SNAPSHOT_INTERVAL_MS_CONFIG));
    }
}
