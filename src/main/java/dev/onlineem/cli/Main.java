package dev.onlineem.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command-line program: {@code fit}, {@code score}, {@code run}, {@code demo}, {@code produce}, {@code bench}. */
@Command(name = "online-em", mixinStandardHelpOptions = true, version = "online-em-streams 0.1.0",
        description = "Online (stepwise) EM for Gaussian mixtures, on files and on Kafka streams.",
        subcommands = {FitCommand.class, ScoreCommand.class, RunCommand.class, DemoCommand.class, ProduceCommand.class, BenchCommand.class, DriftCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** System property naming the file the logs go to when {@code demo} keeps its console for its own output. */
    static final String LOG_FILE_PROPERTY = "org.slf4j.simpleLogger.logFile";

    public static void main(String[] args) {
        quietDemo(args);
        System.exit(commandLine().execute(args));
    }

    /**
     * {@code demo} without {@code --verbose}: the logs (the in-process broker's and Kafka Streams') go to a file
     * the demo names, so the console shows the demo's own progress and summary only. Must run before the
     * first logger exists (slf4j-simple reads its settings once).
     */
    static void quietDemo(String[] args) {
        java.util.List<String> a = java.util.List.of(args);
        if (a.isEmpty() || !a.get(0).equals("demo") || a.contains("--verbose") || a.contains("--help") || a.contains("-h")
                || System.getProperty(LOG_FILE_PROPERTY) != null) {
            return;
        }
        String file = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "online-em-demo-" + ProcessHandle.current().pid() + ".log")
                .toString();
        System.setProperty(LOG_FILE_PROPERTY, file);
    }

    /** The parser with the project's error handling: a bad option or value names itself and exits 2. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof org.apache.kafka.common.config.ConfigException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }
}
