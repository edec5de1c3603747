package dev.onlineem.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command-line program: {@code fit}, {@code score}, {@code run}, {@code demo}, {@code produce}, {@code bench}. */
@Command(name = "online-em", mixinStandardHelpOptions = true, version = "online-em-streams 0.1.0",
        description = "Online (stepwise) EM for Gaussian mixtures, on files and on Kafka streams.",
        subcommands = {FitCommand.class, ScoreCommand.class, RunCommand.class, DemoCommand.class, ProduceCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
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
