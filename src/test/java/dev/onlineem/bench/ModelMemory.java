package dev.onlineem.bench;

import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.StateCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Memory per held model: N mixtures (K components, d = 2, the service's default scoring and half-life)
 * taken past warm-up, heap in use after GC before and after, divided by N; and the size of one encoded
 * state. A measurement, not a test. Run:
 * {@code java -cp target/test-classes:target/online-em.jar dev.onlineem.bench.ModelMemory [N] [K] [init.points]}
 */
public final class ModelMemory {
    private ModelMemory() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int k = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int init = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        List<OnlineModel> models = new ArrayList<>(n);
        Random r = new Random(1);
        PointResult result = new PointResult();
        ModelSettings settings = ModelSettings.builder().k(k).initPoints(init).halfLife(2000).build();
        for (int i = 0; i < n; i++) {
            OnlineModel m = OnlineModel.create(settings);
            for (int p = 0; p < init + 10; p++) {
                m.update(new double[] {r.nextGaussian() + (p % k) * 3, r.nextGaussian()}, result);
            }
            models.add(m);
        }
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        System.out.printf(Locale.ROOT, "%,d models, K=%d, d=2, past a %d-point warm-up: %,.0f bytes of heap each; one encoded state %,d bytes%n",
                n, k, init, (after - before) / (double) n, StateCodec.encode(models.get(0)).length);
    }
}
