package dev.onlineem.em;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.density.Distribution;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** HMMs with Student-t emissions: fat-tail days are not regimes. */
class StudentTRegimesTest {
    private static final Path DJIA = Path.of("src/test/resources/data/AER__DJIA8012.csv");
    private static final Path NYSE = Path.of("src/test/resources/data/AER__NYSESW.csv");
    private static final Path SP500 = Path.of("src/test/resources/data/MASS__SP500.csv");
    /** The service's memory (model.half.life) and the issue's 250-day warm-up. */
    private static final double SERVICE_HALF_LIFE = 2000;

    static double[] djiaReturns() throws IOException {
        return logReturns(DJIA);
    }

    /** 100 times the log returns of a file of dated levels ("time","level"). */
    static double[] logReturns(Path levels) throws IOException {
        List<String> lines = Files.readAllLines(levels);
        double[] r = new double[lines.size() - 2];
        for (int i = 2; i < lines.size(); i++) {
            r[i - 2] = 100 * Math.log(Double.parseDouble(lines.get(i).split(",")[1]) / Double.parseDouble(lines.get(i - 1).split(",")[1]));
        }
        return r;
    }

    /** The mean one-step predictive log-density of the returns after the warm-up (prequential: each day before it is learned). */
    private static double prequential(double[] r, Distribution distribution) {
        return prequential(r, ModelSettings.builder().kind(ModelKind.HMM).k(2).halfLife(SERVICE_HALF_LIFE).initPoints(250)
                .distribution(distribution).build());
    }

    private static double prequential(double[] r, ModelSettings settings) {
        OnlineModel m = OnlineModel.create(settings);
        PointResult out = new PointResult();
        double sum = 0;
        int n = 0;
        for (double v : r) {
            m.update(new double[] {v}, out);
            if (!out.warmup) {
                sum += out.logDensity;
                n++;
            }
        }
        return sum / n;
    }

    @Test
    void shouldPredictDjiaReturnsBetterWithTEmissionsThanGaussianOnesOrOneTInHindsight() throws IOException {
        double[] r = djiaReturns();
        double t = prequential(r, Distribution.STUDENT_T);
        double gaussian = prequential(r, Distribution.GAUSSIAN);
        // the single t fitted to all 8,609 returns in hindsight (FitCommandTest's reference fit: MASS::fitdistr), scored on the
        // same days after the warm-up: scipy.stats.t.logpdf(r[250:], 3.0670866, 0.0462211, 0.6815907).mean(), SciPy 1.10.1
        double hindsight = -1.3808547300345073;
        // measured: t -1.3289, Gaussian -1.3578 (2026-12-08, with the memory bank; without it -1.3559 and -1.3851)
        assertTrue(t > gaussian && t > hindsight, "prequential mean log-density: t HMM " + t + ", Gaussian HMM " + gaussian
                + ", t in hindsight " + hindsight);
    }

    @Test
    void shouldPredictTheIssuesTwoOtherSeriesBetterWithTEmissionsThanGaussianOnesOrOneTInHindsight() throws IOException {
        // The 1990s S&P 500 daily returns in percent (MASS::SP500, 2,780) and 100 times the daily log returns of the NYSE
        // composite 1990-2005 (AER::NYSESW, 4,002), the series on which the fat-tails issue measured the Gaussian HMM. The
        // single t fitted in hindsight is scipy.stats.t.fit(r) (SciPy 1.10.1; fit --batch --k 1 --distribution student-t
        // lands on the same df, 3.7202 and 3.7093), scored on the days after the warm-up: t.logpdf(r[250:], ...).mean().
        List<String> lines = Files.readAllLines(SP500);
        double[] sp500 = new double[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
            sp500[i - 1] = Double.parseDouble(lines.get(i));
        }
        double t = prequential(sp500, Distribution.STUDENT_T);
        double gaussian = prequential(sp500, Distribution.GAUSSIAN);
        // measured: t -1.2259, Gaussian -1.2390 with the memory bank (2026-12-08); without it -1.2488 and -1.2516. Before the
        // warm-up tried a start split by scale, the three k-means++ starts all ended in a "state" of 2% of the variance that
        // was left after a day in 4, and the t HMM scored -1.2867
        assertTrue(t > gaussian && t > -1.283776636868838, "S&P 500, prequential mean log-density: t HMM " + t + ", Gaussian HMM " + gaussian);
        double mainOnly = prequential(sp500, ModelSettings.builder().kind(ModelKind.HMM).k(2).halfLife(SERVICE_HALF_LIFE).initPoints(250)
                .distribution(Distribution.STUDENT_T).memoryBank(false).build());
        assertTrue(t > mainOnly + 0.01, "S&P 500: the memory bank's fast chain follows the volatility: " + t + " against " + mainOnly);

        double[] nyse = logReturns(NYSE);
        t = prequential(nyse, Distribution.STUDENT_T);
        gaussian = prequential(nyse, Distribution.GAUSSIAN);
        // measured: t -1.1773, Gaussian -1.1831 with the memory bank; without it -1.1895 and -1.1982
        assertTrue(t > gaussian && t > -1.2400391321874416, "NYSE, prequential mean log-density: t HMM " + t + ", Gaussian HMM " + gaussian);
    }

    /** Regime events per true change and the share of points whose regime is right, after the warm-up. */
    record Flicker(double eventsPerChange, double right) {
    }

    static Flicker flicker(long seed, Distribution distribution) {
        return flicker(seed, distribution, 500);
    }

    static Flicker flicker(long seed, Distribution distribution, int initPoints) {
        return flicker(seed, ModelSettings.builder().kind(ModelKind.HMM).k(2).halfLife(SERVICE_HALF_LIFE).initPoints(initPoints)
                .distribution(distribution).build());
    }

    static Flicker flicker(long seed, ModelSettings settings) {
        // a 2-state chain staying with probability 0.99 (100 points a visit), t(3) emissions of scale 1 at 0 and 3
        Random r = new Random(seed);
        OnlineModel m = OnlineModel.create(settings);
        PointResult out = new PointResult();
        int state = 0;
        int previous = 0;
        int events = 0;
        int changes = 0;
        int right = 0;
        int scored = 0;
        for (int i = 0; i < 20_000; i++) {
            if (i > 0 && r.nextDouble() > 0.99) {
                state = 1 - state;
            }
            double chi = 0;
            for (int j = 0; j < 3; j++) {
                double z = r.nextGaussian();
                chi += z * z;
            }
            m.update(new double[] {3 * state + r.nextGaussian() / Math.sqrt(chi / 3)}, out);
            if (!out.warmup) {
                changes += state != previous ? 1 : 0;
                events += out.regimeChanged && out.previousRegime >= 0 ? 1 : 0;
                right += out.regime == state ? 1 : 0;
                scored++;
            }
            previous = state;
        }
        return new Flicker(events / (double) changes, right / (double) scored);
    }

    @Test
    void shouldFindTheRegimeItsWarmUpMissedByDriftRepair() {
        // seed 4 with the default 200-point warm-up: the warm-up saw one regime; without drift repair the HMM keeps one regime
        // for good (0.46 of the points right); with it a check replaces the model with one of both regimes (0.954 right)
        ModelSettings.Builder b = ModelSettings.builder().kind(ModelKind.HMM).k(2).halfLife(SERVICE_HALF_LIFE).initPoints(200)
                .distribution(Distribution.STUDENT_T);
        Flicker repaired = flicker(4, b.build());
        assertTrue(repaired.right() >= 0.95 && repaired.eventsPerChange() <= 1.2, "with repair: " + repaired);
        Flicker stuck = flicker(4, b.repairWindow(0).build());
        assertTrue(stuck.right() < 0.6, "without repair: " + stuck);
    }

    @Test
    void shouldNotTakeFatTailPointsForRegimeChanges() {
        // measured over seeds 1-8 with model.init.points=500 (2026-12-07, HMMs with drift repair): t 0.91-1.00 events a change,
        // 0.976-0.981 right; Gaussian 0.83-1.19 events a change, 0.882-0.967 right (seed 2 finds its second regime late). With the
        // default 200-point warm-up: t 0.86-1.00 and 0.954-0.980 (docs/student-t.md).
        StringBuilder gaussian = new StringBuilder();
        for (long seed = 1; seed <= 8; seed++) {
            Flicker t = flicker(seed, Distribution.STUDENT_T);
            Flicker g = flicker(seed, Distribution.GAUSSIAN);
            gaussian.append(String.format(" seed %d: %.3f events a change, %.4f right;", seed, g.eventsPerChange(), g.right()));
            assertTrue(t.eventsPerChange() <= 1.2 && t.right() >= 0.95, "seed " + seed + ": t emissions " + t + "; Gaussian" + gaussian);
        }
    }
}
