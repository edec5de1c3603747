package dev.onlineem.config;

import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.density.Distribution;
import dev.onlineem.em.features.BarFeature;
import dev.onlineem.em.features.BarSettings;
import dev.onlineem.em.features.FeatureSettings;
import dev.onlineem.em.hmm.RegimeSettings;
import dev.onlineem.em.scoring.LikelihoodTail;
import dev.onlineem.em.scoring.ScoreSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The processor's settings, Kafka style: each a {@code FOO_CONFIG} / {@code FOO_DOC} pair with a
 * validator. Every key that is not one of ours passes straight through to Kafka Streams (and so to its
 * clients: security settings included). Model settings have defaults under {@code model.*} and
 * per-model-id-prefix overrides under {@code model.override.<prefix>.*}; the longest matching prefix wins.
 */
public final class OnlineEmConfig extends AbstractConfig {
    public static final String POINTS_TOPIC_CONFIG = "points.topic";
    private static final String POINTS_TOPIC_DOC = "Input topic: key = model id, value = a JSON point.";
    public static final String ASSIGNMENTS_TOPIC_CONFIG = "assignments.topic";
    private static final String ASSIGNMENTS_TOPIC_DOC = "One assignment per accepted point.";
    public static final String ASSIGNMENTS_MODE_CONFIG = "assignments.mode";
    private static final String ASSIGNMENTS_MODE_DOC = "full: every point's assignment as it is; compact: without its vectors (responsibilities, "
            + "regime probabilities, imputed values); off: no assignments (every anomaly still goes to the anomalies topic with its full "
            + "record). Per model-id prefix: assignments.override.<prefix>.mode.";
    /** Per model-id prefix: assignments.override.PREFIX.mode; the longest matching prefix wins. */
    public static final String ASSIGNMENTS_OVERRIDE_PREFIX = "assignments.override.";
    public static final String ANOMALIES_TOPIC_CONFIG = "anomalies.topic";
    public static final String REGIMES_TOPIC_CONFIG = "regimes.topic";
    private static final String REGIMES_TOPIC_DOC = "HMM models only: one event when a model's most probable regime changes (held with model.regime.min.probability for model.regime.persistence points).";
    private static final String ANOMALIES_TOPIC_DOC = "Assignments flagged as anomalies: 2 min(pValue, likelihood tail probability) below the model's anomaly.alpha, one alert per event.";
    public static final String MODELS_TOPIC_CONFIG = "models.topic";
    /** What a dead letter adds to the record it carries, at most: its error headers (the stack trace cut to 8,192 characters). */
    public static final int DEAD_LETTER_OVERHEAD_BYTES = 256 * 1024;
    public static final String TOPICS_CREATE_CONFIG = "topics.create";
    private static final String TOPICS_CREATE_DOC = "true: topics missing at start are created (CREATE on them); topics that exist are "
            + "left alone and need no CREATE. false: nothing is created; the service checks at start that its topics exist, that the "
            + "models topic is compacted and that the dead-letter topic takes max.record.bytes, and stops naming the topic and the "
            + "fix when one does not (its principal then needs no CREATE but on Kafka Streams' own internal topics).";
    private static final String MODELS_TOPIC_DOC = "Compacted topic of model snapshots, key = model id.";
    public static final String DEAD_LETTER_TOPIC_CONFIG = "dead.letter.topic";
    private static final String DEAD_LETTER_TOPIC_DOC = "Dead-letter topic: the original bytes of every rejected record with headers naming the reason "
            + "and the source topic, partition and offset (Kafka Streams' built-in dead-letter queue).";
    public static final String SNAPSHOT_EVERY_POINTS_CONFIG = "snapshot.every.points";
    private static final String SNAPSHOT_EVERY_POINTS_DOC = "Publish a model's snapshot each time its pointsSeen reaches a multiple of this.";
    public static final String SNAPSHOT_INTERVAL_MS_CONFIG = "snapshot.interval.ms";
    private static final String SNAPSHOT_INTERVAL_MS_DOC = "Also publish each model updated since its last snapshot about this many milliseconds (wall clock) after its first such "
            + "update (checked ten times per interval, so many models are published as spread out as their updates were).";
    public static final String CHECKPOINT_POINTS_CONFIG = "state.checkpoint.points";
    private static final String CHECKPOINT_POINTS_DOC = "Each commit writes what a model changed since the last: a busy model's full state, a "
            + "quiet model's few points to the log, replayed on restore; a quiet model's full state is written again at least every this many "
            + "points. Larger: fewer full writes for quiet models, a longer replay on restore.";
    public static final String MAX_DIMENSION_CONFIG = "max.dimension";
    private static final String MAX_DIMENSION_DOC = "Largest accepted point dimension; longer points go to the dead-letter topic.";
    public static final String MAX_RECORD_BYTES_CONFIG = "max.record.bytes";
    private static final String MAX_RECORD_BYTES_DOC = "Largest accepted input record value, in bytes; larger records go to the dead-letter topic.";

    public static final String MAX_MODELS_CONFIG = "max.models";
    private static final String MAX_MODELS_DOC = "Most models one task (input partition) holds. A point for a new model id beyond it goes to the "
            + "dead-letter topic with the reason; existing models go on. At most state.held.models of them are in memory at once "
            + "(about 8 (K d^2 + 2 K d) bytes times 2 for parameters and statistics, each).";

    public static final String HELD_MODELS_CONFIG = "state.held.models";
    private static final String HELD_MODELS_DOC = "Most models one task keeps decoded in memory. Past it the least recently used model is dropped "
            + "from memory (its state is in the stores) and restored, bit for bit, from its checkpoint and logged points at its next point, "
            + "so memory stays bounded however many models a task holds (max.models).";

    public static final String HTTP_PORT_CONFIG = "http.port";
    private static final String HTTP_PORT_DOC = "Port of the HTTP server (models, health, Prometheus metrics, dashboard); 0 = no server. "
            + "With a server and no application.server set, application.server becomes <http.bind.address>:<http.port> (<host name>:<http.port> "
            + "when bound to every interface), so that any instance answers for any model by forwarding to its owner.";
    public static final String HTTP_BIND_ADDRESS_CONFIG = "http.bind.address";
    private static final String HTTP_BIND_ADDRESS_DOC = "Address the HTTP server listens on: 127.0.0.1 (the default) for this host only; "
            + "0.0.0.0 for every interface (containers, other hosts), then with http.auth.token and http.ssl.keystore.location set.";
    public static final String HTTP_AUTH_TOKEN_CONFIG = "http.auth.token";
    private static final String HTTP_AUTH_TOKEN_DOC = "When set, every HTTP path but /health/live and /health/ready requires it: "
            + "'Authorization: Bearer <token>', or HTTP basic authentication with the token as password (any user name; how a browser "
            + "opens the dashboard). A request without it gets 401 and nothing else. Instances forward to each other with it.";
    public static final String HTTP_RECENT_ENABLED_CONFIG = "http.recent.enabled";
    private static final String HTTP_RECENT_ENABLED_DOC = "Whether /models/{id}/recent serves each model's last raw points (http.recent.points) "
            + "and the dashboard shows them; false keeps no points in memory and answers 404.";
    public static final String HTTP_SSL_KEYSTORE_LOCATION_CONFIG = "http.ssl.keystore.location";
    public static final String HTTP_SSL_KEYSTORE_PASSWORD_CONFIG = "http.ssl.keystore.password";
    public static final String HTTP_SSL_KEYSTORE_TYPE_CONFIG = "http.ssl.keystore.type";
    public static final String HTTP_SSL_KEY_PASSWORD_CONFIG = "http.ssl.key.password";
    public static final String HTTP_SSL_TRUSTSTORE_LOCATION_CONFIG = "http.ssl.truststore.location";
    public static final String HTTP_SSL_TRUSTSTORE_PASSWORD_CONFIG = "http.ssl.truststore.password";
    public static final String HTTP_SSL_TRUSTSTORE_TYPE_CONFIG = "http.ssl.truststore.type";
    public static final String HTTP_RECENT_POINTS_CONFIG = "http.recent.points";
    private static final String HTTP_RECENT_POINTS_DOC = "Points per model kept in memory for the dashboard and /models/{id}/recent.";
    public static final String HTTP_RECENT_MODELS_CONFIG = "http.recent.models";
    private static final String HTTP_RECENT_MODELS_DOC = "Models whose recent points are kept (the least recently updated is dropped first); "
            + "also the models with a per-model points counter in /metrics.";
    public static final String HTTP_HISTORY_EVERY_POINTS_CONFIG = "http.history.every.points";
    private static final String HTTP_HISTORY_EVERY_POINTS_DOC = "A model's weights are recorded for the dashboard every this many points (a snapshot each time).";

    public static final String TICKS_TOPIC_CONFIG = "ticks.topic";
    private static final String TICKS_TOPIC_DOC = "Input topic of market ticks: key = symbol, value = {\"symbol\", \"price\", \"size\", \"ts\"}. "
            + "Each symbol's ticks become bars, and each bar's feature vector a point of model ticks.model.prefix + symbol on the points topic.";
    public static final String TICKS_BAR_TYPE_CONFIG = "ticks.bar.type";
    public static final String TICKS_BAR_MS_CONFIG = "ticks.bar.ms";
    public static final String TICKS_BAR_TICKS_CONFIG = "ticks.bar.ticks";
    public static final String TICKS_GRACE_MS_CONFIG = "ticks.grace.ms";
    public static final String TICKS_FEATURES_CONFIG = "ticks.features";
    public static final String TICKS_GAP_BARS_CONFIG = "ticks.gap.bars";
    public static final String TICKS_MODEL_PREFIX_CONFIG = "ticks.model.prefix";
    public static final String TICKS_MAX_AHEAD_MS_CONFIG = "ticks.max.ahead.ms";

    public static final String MODEL_PREFIX = "model.";
    public static final String OVERRIDE_PREFIX = "model.override.";
    public static final String TYPE_CONFIG = "model.type";
    public static final String REGIME_MIN_PROBABILITY_CONFIG = "model.regime.min.probability";
    public static final String REGIME_PERSISTENCE_CONFIG = "model.regime.persistence";
    public static final String K_CONFIG = "model.k";
    public static final String K_RANGE_CONFIG = "model.k.range";
    public static final String COVARIANCE_TYPE_CONFIG = "model.covariance.type";
    public static final String STEP_EXPONENT_CONFIG = "model.step.exponent";
    public static final String STEP_OFFSET_CONFIG = "model.step.offset";
    public static final String HALF_LIFE_CONFIG = "model.half.life";
    /** The service's default memory, in points (the core's default, {@link ModelSettings#builder()}, is a stationary stream). */
    public static final double DEFAULT_HALF_LIFE = 2000;
    /**
     * The service's warm-up: 200 points (the engine's own default, for whole files, is 500). A live model
     * scores sooner; NAB's short streams score 60.9 with 200 or 300 against 59.5 with 500 (README).
     */
    public static final int DEFAULT_INIT_POINTS = 200;
    /** The main consumer's session timeout unless the user sets one: how soon a killed instance's work moves. */
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 10_000;
    /** The processor's producer batch size unless the user sets one (see {@link #streamsProperties}). */
    public static final int PRODUCER_BATCH_BYTES = 256 * 1024;
    public static final String MSTEP_INTERVAL_CONFIG = "model.mstep.interval";
    public static final String REGULARIZATION_CONFIG = "model.regularization";
    public static final String INIT_POINTS_CONFIG = "model.init.points";
    public static final String INIT_RESTARTS_CONFIG = "model.init.restarts";
    public static final String ANOMALY_ALPHA_CONFIG = "model.anomaly.alpha";
    public static final String ANOMALY_HALF_LIFE_CONFIG = "model.anomaly.half.life";
    public static final String LIKELIHOOD_WINDOW_CONFIG = "model.anomaly.likelihood.window";
    public static final String LIKELIHOOD_HALF_LIFE_CONFIG = "model.anomaly.likelihood.half.life";
    public static final String SUPPRESS_POINTS_CONFIG = "model.anomaly.suppress.points";
    public static final String LIKELIHOOD_TAIL_CONFIG = "model.anomaly.likelihood.tail";
    public static final String RANGE_TOLERANCE_CONFIG = "model.anomaly.range.tolerance";
    public static final String RANGE_TOLERANCE_DOC = "The range rule: once past its warm-up, a model flags a point with a coordinate beyond the range of "
            + "that coordinate's values so far by more than this fraction of the range (a value the stream has never come near), "
            + "whatever its density; the record says beyondRange. The default, 0.1, takes NAB's standard score from 62.2 to 64.6. 0: off.";
    public static final String REPEAT_TOLERANCE_CONFIG = "model.anomaly.repeat.tolerance";
    public static final String REPEAT_TOLERANCE_DOC = "The repeat rule: a point that would alert, rare by its own pValue, inside the range of the "
            + "model's values so far, and within this fraction of each coordinate's range of one of the model's last "
            + ScoreSettings.REPEAT_MEMORY + " alerts repeats "
            + "what that alert said: it is not an anomaly, and the record says repeat. The default, 0.07, takes NAB's standard score "
            + "from 64.6 to 69.3. 0: off.";
    public static final String FEATURES_LAGS_CONFIG = "model.features.lags";
    public static final String FEATURES_DIFFERENCES_CONFIG = "model.features.differences";
    public static final String FEATURES_WINDOW_CONFIG = "model.features.window";
    public static final String FEATURES_TIME_OF_DAY_CONFIG = "model.features.time.of.day";
    public static final String FEATURES_DAY_OF_WEEK_CONFIG = "model.features.day.of.week";
    public static final String WEIGHT_FLOOR_CONFIG = "model.weight.floor";
    public static final String SEED_CONFIG = "model.seed";
    public static final String REPAIR_WINDOW_CONFIG = "model.repair.window";
    public static final String REPAIR_WINDOW_DOC = "Drift repair (mixtures and HMMs): the number of recent points a model keeps to test its structure. "
            + "When its surprise rises (a CUSUM), and periodically, a batch fit with restarts (EM, or Baum-Welch for an HMM) on the "
            + "older half is judged on the newer half and, when it predicts them better, replaces the model, so an abrupt change "
            + "of the whole model does not leave it in a bad local optimum. A mixture also runs challengers from the window: fresh "
            + "fits in another basin that learn beside it and replace it when they predict the stream better. 0 turns both off; "
            + "else at least max(50, 20 * k.max).";
    public static final String DISTRIBUTION_CONFIG = "model.distribution";
    public static final String DF_CONFIG = "model.df";
    public static final String MEMORY_BANK_CONFIG = "model.memory.bank";
    public static final String MEMORY_BANK_DOC = "HMMs with a half-life: also learn a second chain with the stationary steps (t + t0)^-alpha, never "
            + "below the half-life's floor (a memory that stays short for hundreds of thousands of points), and predict with the two, "
            + "weighted by how well each predicted (fixed share 0.001). Costs an HMM 1.6 to 1.9 times its per-point update. Ignored by mixtures.";
    public static final String AVERAGING_CONFIG = "model.averaging";
    public static final String AVERAGING_DOC = "Polyak-Ruppert averaging of a mixture's statistics after warm-up: snapshots publish the parameters "
            + "of the running mean of the statistics (forgetting at model.half.life when set) instead of the last iterate, which "
            + "removes most of the step-size noise on a stationary stream; points are still scored by the iterate. Mixtures only.";

    /** The model settings that may be overridden per prefix, without the {@code model.} prefix. */
    static final List<String> MODEL_KEYS = List.of("type", "distribution", "df", "regime.min.probability", "regime.persistence", "k", "k.range", "covariance.type", "step.exponent", "step.offset",
            "half.life", "mstep.interval", "regularization", "init.points", "init.restarts", "anomaly.alpha",
            "anomaly.half.life", "anomaly.likelihood.window", "anomaly.likelihood.half.life", "anomaly.suppress.points",
            "anomaly.range.tolerance", "anomaly.repeat.tolerance", "features.lags", "features.differences", "features.window", "features.time.of.day", "features.day.of.week",
            "weight.floor", "seed", "averaging", "repair.window");

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(POINTS_TOPIC_CONFIG, Type.STRING, "points", new ConfigDef.NonEmptyString(), Importance.HIGH, POINTS_TOPIC_DOC)
            .define(ASSIGNMENTS_TOPIC_CONFIG, Type.STRING, "assignments", new ConfigDef.NonEmptyString(), Importance.HIGH, ASSIGNMENTS_TOPIC_DOC)
            .define(REGIMES_TOPIC_CONFIG, Type.STRING, "regimes", new ConfigDef.NonEmptyString(), Importance.MEDIUM, REGIMES_TOPIC_DOC)
            .define(ANOMALIES_TOPIC_CONFIG, Type.STRING, "anomalies", new ConfigDef.NonEmptyString(), Importance.HIGH, ANOMALIES_TOPIC_DOC)
            .define(MODELS_TOPIC_CONFIG, Type.STRING, "models", new ConfigDef.NonEmptyString(), Importance.HIGH, MODELS_TOPIC_DOC)
            .define(TOPICS_CREATE_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, TOPICS_CREATE_DOC)
            .define(ASSIGNMENTS_MODE_CONFIG, Type.STRING, "full", ValidString.in(AssignmentsMode.SETTINGS.toArray(new String[0])), Importance.MEDIUM,
                    ASSIGNMENTS_MODE_DOC)
            .define(DEAD_LETTER_TOPIC_CONFIG, Type.STRING, "points-dlq", new ConfigDef.NonEmptyString(), Importance.HIGH, DEAD_LETTER_TOPIC_DOC)
            .define(TICKS_TOPIC_CONFIG, Type.STRING, "ticks", new ConfigDef.NonEmptyString(), Importance.HIGH, TICKS_TOPIC_DOC)
            .define(TICKS_BAR_TYPE_CONFIG, Type.STRING, "time", ValidString.in("time", "ticks"), Importance.HIGH,
                    "time: bars of ticks.bar.ms in event time; ticks: a bar every ticks.bar.ticks ticks.")
            .define(TICKS_BAR_MS_CONFIG, Type.LONG, BarSettings.DEFAULT_BAR_MS, Range.atLeast(1), Importance.HIGH, "Length of a time bar, in milliseconds of event time.")
            .define(TICKS_BAR_TICKS_CONFIG, Type.INT, BarSettings.DEFAULT_BAR_TICKS, Range.atLeast(1), Importance.MEDIUM, "Ticks per tick-count bar.")
            .define(TICKS_GRACE_MS_CONFIG, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
                    "A time bar stays open this long past its end (in event time) for out-of-order ticks; a tick for a closed bar is late and dead-lettered.")
            .define(TICKS_FEATURES_CONFIG, Type.LIST, "volatility,return,volume,range", Importance.MEDIUM,
                    "Each bar's feature vector, in order, among: volatility (realised), return (log, close to close), volume (log 1 + size), range (log high/low). "
                            + "The first one orders an HMM's regimes: volatility first makes regime 0 the calmest.")
            .define(TICKS_GAP_BARS_CONFIG, Type.INT, 0, Range.between(0, 10_000), Importance.LOW,
                    "Empty time bars (no trades) are reported as up to this many points with volume 0 and the other features missing; 0 skips them.")
            .define(TICKS_MODEL_PREFIX_CONFIG, Type.STRING, "ticks/", Importance.MEDIUM,
                    "A symbol's bars go to model id <prefix><symbol>, so model.override.<prefix>.* configures every market model.")
            .define(TICKS_MAX_AHEAD_MS_CONFIG, Type.LONG, 86_400_000L, Range.atLeast(0), Importance.LOW,
                    "A tick whose ts is more than this ahead of its record's timestamp is dead-lettered, so one bad clock cannot make every later tick late.")
            .define(SNAPSHOT_EVERY_POINTS_CONFIG, Type.LONG, 1000L, Range.atLeast(1), Importance.MEDIUM, SNAPSHOT_EVERY_POINTS_DOC)
            .define(SNAPSHOT_INTERVAL_MS_CONFIG, Type.LONG, 10_000L, Range.atLeast(100), Importance.MEDIUM, SNAPSHOT_INTERVAL_MS_DOC)
            .define(CHECKPOINT_POINTS_CONFIG, Type.INT, 100, Range.between(1, 100_000), Importance.LOW, CHECKPOINT_POINTS_DOC)
            .define(MAX_DIMENSION_CONFIG, Type.INT, 1024, Range.between(1, 65_536), Importance.MEDIUM, MAX_DIMENSION_DOC)
            .define(MAX_RECORD_BYTES_CONFIG, Type.INT, 1 << 20, Range.between(16, 64 << 20), Importance.MEDIUM, MAX_RECORD_BYTES_DOC)
            .define(MAX_MODELS_CONFIG, Type.LONG, 10_000L, Range.atLeast(1), Importance.MEDIUM, MAX_MODELS_DOC)
            .define(HELD_MODELS_CONFIG, Type.INT, 10_000, Range.atLeast(1), Importance.MEDIUM, HELD_MODELS_DOC)
            .define(TYPE_CONFIG, Type.STRING, "mixture", ValidString.in("mixture", "hmm"), Importance.HIGH,
                    "The kind of model: mixture (independent points from a Gaussian mixture) or hmm (a Gaussian hidden Markov model: regimes with persistence; model.k is its number of states).")
            .define(REGIME_MIN_PROBABILITY_CONFIG, Type.DOUBLE, RegimeSettings.DEFAULT_MIN_PROBABILITY, Range.between(0.5000001, 1.0), Importance.MEDIUM,
                    "HMM: a change of regime is announced when the new most probable regime's filtered probability is at least this ...")
            .define(REGIME_PERSISTENCE_CONFIG, Type.INT, RegimeSettings.DEFAULT_PERSISTENCE, Range.atLeast(1), Importance.MEDIUM,
                    "... for this many consecutive points (no flapping).")
            .define(K_CONFIG, Type.INT, ModelSettings.DEFAULT_K, Range.between(1, 1000), Importance.HIGH, "Components per model (ignored when model.k.range is set).")
            .define(K_RANGE_CONFIG, Type.STRING, "", Importance.MEDIUM, "MIN..MAX: choose K per model by BIC on its warm-up buffer. Empty: a fixed model.k.")
            .define(COVARIANCE_TYPE_CONFIG, Type.STRING, "full", ValidString.in("full", "diag", "spherical"), Importance.HIGH, "Covariance per component: full, diag or spherical.")
            .define(DISTRIBUTION_CONFIG, Type.STRING, "gaussian", ValidString.in("gaussian", "student-t"), Importance.HIGH,
                    "The components' family (a mixture's components, an HMM's emissions): gaussian, or student-t for fat tails (market returns; "
                    + "an outlier moves a t component little). A t component's covariance in snapshots is its scale matrix.")
            .define(DF_CONFIG, Type.DOUBLE, 0.0, Range.between(0, Distribution.MAX_DF), Importance.MEDIUM,
                    "Student-t degrees of freedom, the same for every component; 0 estimates each component's at every M-step, within ["
                    + Distribution.MIN_DF + ", " + Distribution.MAX_DF + "].")
            .define(STEP_EXPONENT_CONFIG, Type.DOUBLE, ModelSettings.DEFAULT_STEP_EXPONENT, Range.between(0.5000001, 1.0), Importance.MEDIUM, "alpha in gamma_t = (t + t0)^-alpha, in (0.5, 1].")
            .define(STEP_OFFSET_CONFIG, Type.DOUBLE, ModelSettings.DEFAULT_STEP_OFFSET, Range.atLeast(2), Importance.LOW, "t0 in gamma_t = (t + t0)^-alpha, at least 2.")
            .define(HALF_LIFE_CONFIG, Type.DOUBLE, DEFAULT_HALF_LIFE, Range.atLeast(0), Importance.HIGH,
                    "The memory of each model's statistics from the start, in points: gamma_t = max(1/(t + t0), 1 - 2^(-1/h)). "
                    + "Live streams drift: the default 2,000 is what NAB's 58 real streams score best with (README). 0: a stationary stream, gamma_t = (t + t0)^-alpha.")
            .define(MSTEP_INTERVAL_CONFIG, Type.INT, 1, Range.atLeast(1), Importance.LOW, "Points between M-steps.")
            .define(REGULARIZATION_CONFIG, Type.DOUBLE, ModelSettings.DEFAULT_REGULARIZATION, Range.between(1e-300, 0.999), Importance.LOW, "Added to covariance diagonals, relative to each coordinate's warm-up variance.")
            .define(INIT_POINTS_CONFIG, Type.INT, DEFAULT_INIT_POINTS, Range.atLeast(2), Importance.HIGH,
                    "Points buffered per model before its first batch-EM fit; no scores until then. 200 is what NAB's streams score best with (README).")
            .define(INIT_RESTARTS_CONFIG, Type.INT, ModelSettings.DEFAULT_INIT_RESTARTS, Range.atLeast(1), Importance.LOW, "k-means++ restarts of the warm-up batch EM.")
            .define(ANOMALY_ALPHA_CONFIG, Type.DOUBLE, ScoreSettings.DEFAULT_ALPHA, Range.between(1e-300, 0.5), Importance.HIGH,
                    "A point is an anomaly when its combined tail probability 2 min(pValue, likelihoodPValue) is below this, i.e. when its anomalyScore reaches D/(D+3) with D = -log10(alpha) (0.5 at 0.001). "
                    + "The default, 0.004, is what NAB's 58 streams score best with; an alarm budget of one per 10,000 points on well-modelled streams is 1e-4 with model.anomaly.likelihood.tail=gamma.")
            .define(ANOMALY_HALF_LIFE_CONFIG, Type.DOUBLE, ScoreSettings.DEFAULT_HALF_LIFE, Range.atLeast(10), Importance.LOW, "Memory of the per-model surprise sketch behind pValue, in points. On a stream whose points look exchangeable (independent records) pValue comes from a second sketch of 300 points instead (README, \"Messages\"); drift repair always reads this one.")
            .define(LIKELIHOOD_WINDOW_CONFIG, Type.INT, ScoreSettings.DEFAULT_LIKELIHOOD_WINDOW, Range.between(1, 10_000), Importance.MEDIUM,
                    "Points in the short window of the anomaly likelihood (the mean surprise of the last w points against its long-run history). 1: off, for i.i.d. data.")
            .define(LIKELIHOOD_HALF_LIFE_CONFIG, Type.DOUBLE, ScoreSettings.DEFAULT_LIKELIHOOD_HALF_LIFE, Range.atLeast(10), Importance.LOW,
                    "Memory of the long-run mean and spread that the anomaly likelihood compares the short window with, in points.")
            .define(LIKELIHOOD_TAIL_CONFIG, Type.STRING, ScoreSettings.DEFAULT_LIKELIHOOD_TAIL.label(), ValidString.in("gaussian", "gamma"), Importance.MEDIUM,
                    "The distribution the likelihood's window mean is judged against: gaussian (Numenta's; quick on bursts and shifts, above its nominal rate on i.i.d. points: 1.4x at 1e-4 with a 100-point window, 5.4x with 30) "
                    + "or gamma (calibrated on i.i.d. points from the model: for an alarm budget).")
            .define(SUPPRESS_POINTS_CONFIG, Type.INT, ScoreSettings.DEFAULT_SUPPRESS_POINTS, Range.atLeast(0), Importance.MEDIUM,
                    "After an alert (anomaly = true), the model's further alerts are held back for this many points: one event, one alert. 0: no suppression.")
            .define(RANGE_TOLERANCE_CONFIG, Type.DOUBLE, ScoreSettings.DEFAULT_RANGE_TOLERANCE, Range.between(0, 1e6), Importance.MEDIUM,
                    RANGE_TOLERANCE_DOC)
            .define(REPEAT_TOLERANCE_CONFIG, Type.DOUBLE, ScoreSettings.DEFAULT_REPEAT_TOLERANCE, Range.between(0, 1e6), Importance.MEDIUM,
                    REPEAT_TOLERANCE_DOC)
            .define(FEATURES_LAGS_CONFIG, Type.INT, FeatureSettings.DEFAULT.lags(), Range.between(0, 64), Importance.HIGH,
                    "Lagged blocks in the feature vector (past points, or differences with model.features.differences). 0: the mixture sees the points alone (i.i.d. data).")
            .define(FEATURES_DIFFERENCES_CONFIG, Type.BOOLEAN, FeatureSettings.DEFAULT.differences(), Importance.MEDIUM,
                    "The lagged blocks hold first differences x_t - x_{t-1}, ... instead of past points.")
            .define(FEATURES_WINDOW_CONFIG, Type.INT, FeatureSettings.DEFAULT.window(), Importance.MEDIUM,
                    "Rolling window w: adds the mean and standard deviation of each coordinate over the w points before the current one. 0: off.")
            .define(FEATURES_TIME_OF_DAY_CONFIG, Type.BOOLEAN, FeatureSettings.DEFAULT.timeOfDay(), Importance.MEDIUM,
                    "Adds the time of day (UTC) of the point's timestamp, as (cos, sin).")
            .define(FEATURES_DAY_OF_WEEK_CONFIG, Type.BOOLEAN, FeatureSettings.DEFAULT.dayOfWeek(), Importance.MEDIUM,
                    "Adds the day of the week (UTC) of the point's timestamp, as (cos, sin).")
            .define(WEIGHT_FLOOR_CONFIG, Type.DOUBLE, ModelSettings.DEFAULT_WEIGHT_FLOOR, Range.between(0, 0.4), Importance.LOW, "A component whose weight falls below this is re-seeded by splitting the heaviest.")
            .define(SEED_CONFIG, Type.LONG, ModelSettings.DEFAULT_SEED, Importance.LOW, "Seed of the warm-up k-means++, so models are reproducible.")
            .define(AVERAGING_CONFIG, Type.BOOLEAN, false, Importance.LOW, AVERAGING_DOC)
            .define(MEMORY_BANK_CONFIG, Type.BOOLEAN, true, Importance.LOW, MEMORY_BANK_DOC)
            .define(REPAIR_WINDOW_CONFIG, Type.INT, ModelSettings.DEFAULT_REPAIR_WINDOW, Range.atLeast(0), Importance.MEDIUM, REPAIR_WINDOW_DOC)
            .define(HTTP_PORT_CONFIG, Type.INT, 0, Range.between(0, 65_535), Importance.MEDIUM, HTTP_PORT_DOC)
            .define(HTTP_BIND_ADDRESS_CONFIG, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.HIGH, HTTP_BIND_ADDRESS_DOC)
            .define(HTTP_AUTH_TOKEN_CONFIG, Type.PASSWORD, null, Importance.HIGH, HTTP_AUTH_TOKEN_DOC)
            .define(HTTP_RECENT_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, HTTP_RECENT_ENABLED_DOC)
            .define(HTTP_SSL_KEYSTORE_LOCATION_CONFIG, Type.STRING, null, Importance.HIGH,
                    "A keystore with the HTTP server's key and certificate: the server then speaks HTTPS only (as Kafka's ssl.keystore.location).")
            .define(HTTP_SSL_KEYSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.HIGH, "The password of http.ssl.keystore.location.")
            .define(HTTP_SSL_KEYSTORE_TYPE_CONFIG, Type.STRING, "PKCS12", Importance.LOW, "The type of http.ssl.keystore.location: PKCS12 or JKS.")
            .define(HTTP_SSL_KEY_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.LOW, "The password of the key in the keystore, when it differs from the keystore's.")
            .define(HTTP_SSL_TRUSTSTORE_LOCATION_CONFIG, Type.STRING, null, Importance.MEDIUM,
                    "The certificates an instance trusts when it forwards a request to another over HTTPS; default: the JVM's.")
            .define(HTTP_SSL_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, "The password of http.ssl.truststore.location.")
            .define(HTTP_SSL_TRUSTSTORE_TYPE_CONFIG, Type.STRING, "PKCS12", Importance.LOW, "The type of http.ssl.truststore.location.")
            .define(HTTP_RECENT_POINTS_CONFIG, Type.INT, 500, Range.between(1, 100_000), Importance.LOW, HTTP_RECENT_POINTS_DOC)
            .define(HTTP_RECENT_MODELS_CONFIG, Type.INT, 1000, Range.between(1, 1_000_000), Importance.LOW, HTTP_RECENT_MODELS_DOC)
            .define(HTTP_HISTORY_EVERY_POINTS_CONFIG, Type.INT, 50, Range.atLeast(1), Importance.LOW, HTTP_HISTORY_EVERY_POINTS_DOC);

    private final Map<String, Object> passThrough;
    private final ModelSettings defaults;
    private final List<Map.Entry<String, ModelSettings>> overrides; // longest prefix first
    private final List<Map.Entry<String, AssignmentsMode>> assignmentsOverrides = new ArrayList<>(); // longest prefix first
    private final AssignmentsMode assignmentsMode;

    /**
     * @throws ConfigException naming the setting and what it must be
     */
    public OnlineEmConfig(Map<?, ?> props) {
        this(props, true);
    }

    /**
     * The settings of a file, for what runs without Kafka (the {@code score} command): the model settings
     * are checked as for the service, and {@code bootstrap.servers} is not required.
     */
    public static OnlineEmConfig withoutKafka(Map<?, ?> props) {
        return new OnlineEmConfig(props, false);
    }

    private OnlineEmConfig(Map<?, ?> props, boolean kafka) {
        super(CONFIG, props, false);
        Map<String, Object> rest = new HashMap<>();
        Map<String, Map<String, String>> overrideProps = new HashMap<>();
        for (Map.Entry<?, ?> e : props.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (key.startsWith(OVERRIDE_PREFIX)) {
                String tail = key.substring(OVERRIDE_PREFIX.length());
                String setting = MODEL_KEYS.stream().filter(s -> tail.endsWith("." + s))
                        .max(Comparator.comparingInt(String::length)).orElse(null);
                if (setting == null) {
                    throw new ConfigException(key, e.getValue(), "an override must look like model.override.<prefix>.<setting> with <setting> one of " + MODEL_KEYS);
                }
                String prefix = tail.substring(0, tail.length() - setting.length() - 1);
                overrideProps.computeIfAbsent(prefix, p -> new HashMap<>()).put(MODEL_PREFIX + setting, String.valueOf(e.getValue()));
            } else if (key.startsWith(ASSIGNMENTS_OVERRIDE_PREFIX)) {
                String tail = key.substring(ASSIGNMENTS_OVERRIDE_PREFIX.length());
                String value = String.valueOf(e.getValue()).trim();
                if (!tail.endsWith(".mode") || !AssignmentsMode.SETTINGS.contains(value)) {
                    throw new ConfigException(key, e.getValue(), "a per-prefix assignments mode must look like assignments.override.<prefix>.mode "
                            + "with a value of full, compact or off");
                }
                assignmentsOverrides.add(Map.entry(tail.substring(0, tail.length() - ".mode".length()), AssignmentsMode.parse(value)));
            } else if (!CONFIG.names().contains(key)) {
                rejectMisspelt(key, e.getValue());
                rest.put(key, e.getValue());
            }
        }
        this.passThrough = rest;
        this.defaults = modelSettings(originalsStrings(), "");
        this.overrides = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> o : overrideProps.entrySet()) {
            Map<String, String> merged = new HashMap<>(originalsStrings());
            merged.putAll(o.getValue());
            overrides.add(Map.entry(o.getKey(), modelSettings(merged, OVERRIDE_PREFIX + o.getKey() + ".")));
        }
        overrides.sort(Comparator.comparingInt((Map.Entry<String, ModelSettings> e) -> e.getKey().length()).reversed());
        assignmentsOverrides.sort(Comparator.comparingInt((Map.Entry<String, AssignmentsMode> e) -> e.getKey().length()).reversed());
        assignmentsMode = AssignmentsMode.parse(getString(ASSIGNMENTS_MODE_CONFIG));
        barSettings(); // fail fast on a bad tick setting
        if (kafka && !passThrough.containsKey(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new ConfigException(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, null, "it is required: set it to your brokers, e.g. localhost:9092");
        }
    }

    /** The prefixes only this service's own settings use (Kafka has none of them), so an unknown key there is a typo. */
    static final List<String> OWN_PREFIXES = List.of(MODEL_PREFIX, "http.", "ticks.", "snapshot.", "topics.", "assignments.");

    /** Fails on a key under one of {@link #OWN_PREFIXES} that is not a setting, naming the closest one. */
    private static void rejectMisspelt(String key, Object value) {
        if (OWN_PREFIXES.stream().noneMatch(key::startsWith)) {
            return;
        }
        String closest = CONFIG.names().stream().min(Comparator.comparingInt(n -> editDistance(key, n))).orElse("");
        throw new ConfigException(key, value, "there is no such setting; did you mean " + closest + "? (config/application.properties lists every one)");
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Reads a properties file, then applies {@code extra} over it. */
    public static OnlineEmConfig load(Path file, Map<String, String> extra) throws IOException {
        return new OnlineEmConfig(read(file, extra));
    }

    /**
     * The settings of a properties file (none when {@code file} is null) with {@code extra} applied over it.
     */
    public static Map<String, Object> read(Path file, Map<String, String> extra) throws IOException {
        Map<String, Object> m = new HashMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
            p.forEach((k, v) -> m.put(String.valueOf(k), String.valueOf(v).trim()));
        }
        m.putAll(extra);
        return m;
    }

    private static ModelSettings modelSettings(Map<String, String> props, String keyPrefixForErrors) {
        Map<String, Object> parsed;
        try {
            parsed = CONFIG.parse(props);
        } catch (ConfigException e) {
            throw keyPrefixForErrors.isEmpty() ? e
                    : new ConfigException(e.getMessage().replace("configuration " + MODEL_PREFIX, "configuration " + keyPrefixForErrors));
        }
        String range = ((String) parsed.get(K_RANGE_CONFIG)).trim();
        String where = keyPrefixForErrors.isEmpty() ? MODEL_PREFIX : keyPrefixForErrors;
        try {
            ModelSettings.Builder b = ModelSettings.builder()
                    .covarianceType(CovarianceType.parse((String) parsed.get(COVARIANCE_TYPE_CONFIG)))
                    .stepExponent((Double) parsed.get(STEP_EXPONENT_CONFIG))
                    .stepOffset((Double) parsed.get(STEP_OFFSET_CONFIG))
                    .halfLife((Double) parsed.get(HALF_LIFE_CONFIG))
                    .mStepInterval((Integer) parsed.get(MSTEP_INTERVAL_CONFIG))
                    .regularization((Double) parsed.get(REGULARIZATION_CONFIG))
                    .initPoints((Integer) parsed.get(INIT_POINTS_CONFIG))
                    .initRestarts((Integer) parsed.get(INIT_RESTARTS_CONFIG))
                    .scoring(new ScoreSettings((Double) parsed.get(ANOMALY_ALPHA_CONFIG), (Double) parsed.get(ANOMALY_HALF_LIFE_CONFIG),
                            (Integer) parsed.get(LIKELIHOOD_WINDOW_CONFIG), (Double) parsed.get(LIKELIHOOD_HALF_LIFE_CONFIG),
                            (Integer) parsed.get(SUPPRESS_POINTS_CONFIG), LikelihoodTail.parse((String) parsed.get(LIKELIHOOD_TAIL_CONFIG)),
                            (Double) parsed.get(RANGE_TOLERANCE_CONFIG), (Double) parsed.get(REPEAT_TOLERANCE_CONFIG)))
                    .features(new FeatureSettings((Integer) parsed.get(FEATURES_LAGS_CONFIG), (Boolean) parsed.get(FEATURES_DIFFERENCES_CONFIG),
                            (Integer) parsed.get(FEATURES_WINDOW_CONFIG), (Boolean) parsed.get(FEATURES_TIME_OF_DAY_CONFIG),
                            (Boolean) parsed.get(FEATURES_DAY_OF_WEEK_CONFIG)))
                    .weightFloor((Double) parsed.get(WEIGHT_FLOOR_CONFIG))
                    .seed((Long) parsed.get(SEED_CONFIG))
                    .averaging((Boolean) parsed.get(AVERAGING_CONFIG))
                    .memoryBank((Boolean) parsed.get(MEMORY_BANK_CONFIG))
                    .repairWindow((Integer) parsed.get(REPAIR_WINDOW_CONFIG))
                    .distribution(new Distribution(Distribution.Family.parse((String) parsed.get(DISTRIBUTION_CONFIG)), (Double) parsed.get(DF_CONFIG)))
                    .kind(ModelKind.parse((String) parsed.get(TYPE_CONFIG)))
                    .regime(new RegimeSettings((Double) parsed.get(REGIME_MIN_PROBABILITY_CONFIG), (Integer) parsed.get(REGIME_PERSISTENCE_CONFIG)));
            if (range.isEmpty()) {
                b.k((Integer) parsed.get(K_CONFIG));
            } else {
                String[] parts = range.split("\\.\\.");
                try {
                    b.kRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
                } catch (RuntimeException e) {
                    throw new ConfigException(where + "k.range", range, "it must look like MIN..MAX, e.g. 1..6");
                }
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            // ModelSettings names the setting without its prefix: "setting init.points = 3 is invalid: ..."
            throw new ConfigException(e.getMessage().replace("setting ", "setting " + where));
        }
    }

    /** The settings of the model with this id: the longest matching override prefix, else the defaults. */
    public ModelSettings settingsFor(String modelId) {
        for (Map.Entry<String, ModelSettings> o : overrides) {
            if (modelId.startsWith(o.getKey())) {
                return o.getValue();
            }
        }
        return defaults;
    }

    /** What the assignments topic gets for this model's points: the longest matching override's mode, else assignments.mode. */
    public AssignmentsMode assignmentsModeFor(String modelId) {
        for (Map.Entry<String, AssignmentsMode> o : assignmentsOverrides) {
            if (modelId.startsWith(o.getKey())) {
                return o.getValue();
            }
        }
        return assignmentsMode;
    }

    /** Whether every model gets the same assignments mode (no per-prefix override). */
    public boolean assignmentsModeUniform() {
        return assignmentsOverrides.isEmpty();
    }

    public ModelSettings defaultSettings() {
        return defaults;
    }

    /**
     * The Kafka Streams and client properties: every key that is not ours, plus the project's defaults where the
     * user set nothing (exactly-once v2, the dead-letter topic, the client defaults below). The stream layer adds its
     * exception handlers ({@code StreamApp.properties}).
     */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "online-em");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, getString(DEAD_LETTER_TOPIC_CONFIG));
        p.put(StreamsConfig.STATE_DIR_CONFIG, Path.of("state").toAbsolutePath().toString());
        // Client defaults, each only where the user set nothing for that client key (plain or prefixed: a prefixed
        // default would shadow the user's plain key).
        // A dead letter carries up to max.record.bytes of the rejected value, so the producer must be able to send it.
        clientDefault(p, StreamsConfig.PRODUCER_PREFIX, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, () -> String.valueOf(deadLetterMaxBytes()));
        // One produce request in flight per broker connection. With more, the first writes of a transaction to a
        // partition race: the broker (transactions v2, KAFKA-18202, apache/kafka#19902) rejects a batch whose
        // sequence is not 0 while that partition has no state for the producer yet, logs an ERROR
        // (OutOfOrderSequenceException) and the producer retries it. Harmless, but an ERROR on every clean start
        // hides the real ones. bench (K=4, d=2, 50,000 points): 40k, 47k and 56k points/s over three runs against
        // 57k before, within bench's run-to-run spread.
        clientDefault(p, StreamsConfig.PRODUCER_PREFIX, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, () -> "1");
        // With one request in flight, what one request carries bounds throughput: a request takes at most one batch per
        // partition, and Kafka's 16 KiB batch holds about 60 assignments. 256 KiB batches sent after 5 ms (Kafka Streams
        // waits 100 ms): while a request is out the next batch fills, and at a low rate a commit finds little left to
        // flush. bench (K=4, d=2), runs alternated: online EM 69,818, 74,416, 85,414 points/s and 25.5, 23.7, 20.1 us
        // of CPU a point with Kafka's defaults; 153,874, 112,159, 106,341 points/s and 11.4, 15.7, 16.3 us with these.
        // Every partition with an open batch holds batch.size of buffer.memory (32 MiB): 128 such partitions per
        // stream thread before a send waits for memory.
        clientDefault(p, StreamsConfig.PRODUCER_PREFIX, ProducerConfig.BATCH_SIZE_CONFIG, () -> String.valueOf(PRODUCER_BATCH_BYTES));
        clientDefault(p, StreamsConfig.PRODUCER_PREFIX, ProducerConfig.LINGER_MS_CONFIG, () -> "5");
        // Failover within seconds. A killed instance's partitions move once its session times out: Kafka's default
        // is 45 s, ours 10 s (heartbeats go every 3 s from a background thread, so only a whole-process stall of
        // 10 s costs a rebalance). A restarted instance need not wait even that long: it is a static member
        // (group.instance.id) whose id is derived from what makes an instance itself, its host and its state
        // directory (two instances cannot share one), so it takes its partitions back at once, with no rebalance.
        clientDefault(p, "", ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, () -> instanceId(
                String.valueOf(passThrough.getOrDefault(StreamsConfig.APPLICATION_ID_CONFIG, p.get(StreamsConfig.APPLICATION_ID_CONFIG))),
                String.valueOf(passThrough.getOrDefault(StreamsConfig.STATE_DIR_CONFIG, p.get(StreamsConfig.STATE_DIR_CONFIG)))));
        clientDefault(p, StreamsConfig.MAIN_CONSUMER_PREFIX, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, () -> String.valueOf(DEFAULT_SESSION_TIMEOUT_MS));
        if (httpPort() > 0) {
            // interactive queries: each instance advertises its HTTP server, so any one can forward to a key's owner: at the
            // address it listens on, or its host name when it listens on every interface
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, advertisedHttpHost() + ":" + httpPort());
        }
        p.putAll(passThrough);
        p.put(MAX_RECORD_BYTES_CONFIG, String.valueOf(getInt(MAX_RECORD_BYTES_CONFIG))); // read by the dead-letter handlers
        return p;
    }

    /** The HTTP server's port, or 0 when there is none. */
    public int httpPort() {
        return getInt(HTTP_PORT_CONFIG);
    }

    /** The host other instances reach this one's HTTP server at: the bind address, or the host name for a wildcard one. */
    String advertisedHttpHost() {
        String bind = getString(HTTP_BIND_ADDRESS_CONFIG).trim();
        try {
            InetAddress a = InetAddress.getByName(bind);
            if (a.isAnyLocalAddress()) {
                return hostName();
            }
        } catch (java.net.UnknownHostException e) {
            throw new ConfigException(HTTP_BIND_ADDRESS_CONFIG, bind, "it is not an address of this host (" + e.getMessage()
                    + "): set an address or host name this host has, e.g. 127.0.0.1, or 0.0.0.0 for every interface");
        }
        return bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
    }

    /** This host's name, as other instances should reach it ({@code HOSTNAME} in containers). */
    static String hostName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
        }
        return host;
    }

    /** Puts {@code prefix + key = value} unless the user set {@code key} for any client, plain or prefixed. */
    private void clientDefault(Properties p, String prefix, String key, Supplier<String> value) {
        for (String k : List.of(key, StreamsConfig.producerPrefix(key), StreamsConfig.consumerPrefix(key),
                StreamsConfig.mainConsumerPrefix(key))) {
            if (passThrough.containsKey(k)) {
                return;
            }
        }
        p.put(prefix + key, value.get());
    }

    /**
     * A stable, unique id for this instance: the application id, the host name and a hash of the state
     * directory's absolute path (two instances on one host cannot share a state directory).
     */
    static String instanceId(String applicationId, String stateDir) {
        String host = hostName();
        String dir = Path.of(stateDir).toAbsolutePath().normalize().toString();
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(dir.getBytes(StandardCharsets.UTF_8));
            return applicationId + "-" + host + "-" + HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The largest dead letter: {@code max.record.bytes} of value plus room for the key and headers. */
    public int deadLetterMaxBytes() {
        return getInt(MAX_RECORD_BYTES_CONFIG) + DEAD_LETTER_OVERHEAD_BYTES;
    }

    public String ticksTopic() {
        return getString(TICKS_TOPIC_CONFIG);
    }

    /** The tick stage's settings; checked at start-up. */
    public BarSettings barSettings() {
        List<BarFeature> features = new ArrayList<>();
        try {
            for (String f : getList(TICKS_FEATURES_CONFIG)) {
                features.add(BarFeature.parse(f));
            }
            return new BarSettings("time".equals(getString(TICKS_BAR_TYPE_CONFIG)), getLong(TICKS_BAR_MS_CONFIG), getInt(TICKS_BAR_TICKS_CONFIG),
                    getLong(TICKS_GRACE_MS_CONFIG), features, getInt(TICKS_GAP_BARS_CONFIG));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    public String tickModelPrefix() {
        return getString(TICKS_MODEL_PREFIX_CONFIG);
    }

    public String pointsTopic() {
        return getString(POINTS_TOPIC_CONFIG);
    }

    public String assignmentsTopic() {
        return getString(ASSIGNMENTS_TOPIC_CONFIG);
    }

    public String regimesTopic() {
        return getString(REGIMES_TOPIC_CONFIG);
    }

    public String anomaliesTopic() {
        return getString(ANOMALIES_TOPIC_CONFIG);
    }

    public String modelsTopic() {
        return getString(MODELS_TOPIC_CONFIG);
    }

    public String deadLetterTopic() {
        return getString(DEAD_LETTER_TOPIC_CONFIG);
    }
}
