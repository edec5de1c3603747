package dev.onlineem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.config.OnlineEmConfig;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DriftCommandTest {

    /** The command as parsed from these arguments, and the service's settings with these overrides. */
    private static DriftCommand.Run run(Map<String, String> settings, int k, int d, long seed, String... args) throws Exception {
        DriftCommand c = new DriftCommand();
        new CommandLine(c).parseArgs(args);
        return c.run(OnlineEmConfig.withoutKafka(OnlineEmConfig.read(null, settings)), k, d, seed);
    }

    @Test
    void shouldMeasureAnHmmsRecoveryFromAChangeOfEveryRegime() throws Exception {
        // drift --model hmm --shapes 3x4, seed 1 (2026-12-07): 62% below the new chain one half-life after the change, 0.28% after
        // two (the follow-up checks a shadow's fit of its own points called for); without repair 28.6% after six
        String[] args = {"--model", "hmm", "--half-lives", "4", "--held-out", "4000"};
        DriftCommand.Run repaired = run(Map.of("model.type", "hmm"), 3, 4, 1, args);
        assertEquals(5, repaired.gaps().length);
        assertTrue(repaired.gaps()[0] > 1, "the change is abrupt: " + Arrays.toString(repaired.gaps()));
        assertTrue(repaired.gaps()[4] < 0.01 && repaired.repairs() >= 1, "repaired within 4 half-lives: " + Arrays.toString(repaired.gaps()));
        DriftCommand.Run stuck = run(Map.of("model.type", "hmm", "model.repair.window", "0"), 3, 4, 1, args);
        assertTrue(stuck.gaps()[4] > 0.1, "without repair the chain stays far from the truth: " + Arrays.toString(stuck.gaps()));
    }

    @Test
    void shouldKeepAStudentTChainFiniteWhenARepairsWindowRulesOutEveryPath() throws Exception {
        // drift --model hmm --shapes 4x5 -D model.distribution=student-t (2026-12-07): seed 20's repair at point 801 and seed
        // 6's at point 21,501 refitted a window in which, after the M-step set transitions to 0, the backward pass's scaled
        // probabilities overflowed or its total underflowed to 4.9e-324; every statistic came out NaN, the NaN fit replaced
        // the model, and it never scored again
        String[] args = {"--model", "hmm", "--half-lives", "1", "--held-out", "10000"};
        for (long seed : new long[] {20, 6}) {
            DriftCommand.Run r = run(Map.of("model.type", "hmm", "model.distribution", "student-t"), 4, 5, seed, args);
            for (double gap : r.gaps()) {
                assertTrue(Double.isFinite(gap), "seed " + seed + ": " + Arrays.toString(r.gaps()));
            }
            assertTrue(r.repairs() >= 1, "the runs repair: seed " + seed);
        }
    }
}
