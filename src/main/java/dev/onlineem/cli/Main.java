package dev.onlineem.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The command-line program: {@code fit}, {@code score}, {@code run}, {@code demo}, {@code produce}, {@code bench}. */
@Command(name = "online-em", mixinStandardHelpOptions = true, version = "online-em-streams 0.1.0",
        description = "Online (stepwise) EM for Gaussian mixtures, on files and on Kafka streams.",
        subcommands = {FitCommand.class, ScoreCommand.class, RunCommand.class, DemoCommand.class, ProduceCommand.class, BenchCommand.class, DriftCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** System property naming the file the logs go to when {@code demo} or {@code bench} keeps its console for its own output. */
    static final String LOG_FILE_PROPERTY = "org.slf4j.simpleLogger.logFile";

    public static void main(String[] args) {
        dev.onlineem.stream.FencingAwareLoggers.install(); // before the first logger: a paused instance's fencing is not an ERROR
        quietLogs(args);
        System.exit(commandLine().execute(args));
    }

    /** The commands that run an in-process broker, whose log lines (and Kafka Streams') would fill the console. */
    static final java.util.Set<String> BROKER_COMMANDS = java.util.Set.of("demo", "bench");

    /**
     * {@code demo} and {@code bench} without {@code --verbose}: the logs (the in-process broker's and Kafka Streams') go to
     * a file the command names, so the console shows the command's own progress and results only. Must run before the
     * first logger exists (slf4j-simple reads its settings once).
     */
    static void quietLogs(String[] args) {
        java.util.List<String> a = java.util.List.of(args);
        if (a.isEmpty() || !BROKER_COMMANDS.contains(a.get(0)) || a.contains("--verbose") || a.contains("--help") || a.contains("-h")
                || System.getProperty(LOG_FILE_PROPERTY) != null) {
            return;
        }
        String file = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "online-em-" + a.get(0) + "-" + ProcessHandle.current().pid()
                + ".log").toString();
        System.setProperty(LOG_FILE_PROPERTY, file);
    }

    /** The line that names where the logs went, or null when they go to the console. */
    static String logFileLine() {
        String logFile = System.getProperty(LOG_FILE_PROPERTY);
        return logFile == null ? null : "Logs of the broker and the processor: " + logFile + " (--verbose shows them here)";
    }

    /** The parser with the project's error handling: a bad option or value names itself and exits 2. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof org.apache.kafka.common.config.ConfigException
                    || ex instanceof dev.onlineem.stream.StreamApp.TopicSetupException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }
}
