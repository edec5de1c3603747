package dev.onlineem.bench;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two or more builds' per-point mixture update, side by side in one JVM: each build's classes in a class loader of their
 * own, the same warmed-up model and points as {@link EmUpdateBenchmark}, and timed blocks alternating between the builds,
 * so that every build sees the same machine. On a machine whose speed wanders by a factor of two from minute to minute
 * (the development machine), separate JMH runs cannot tell a 10% change; the block medians here can. The call goes
 * through reflection (a few ns a point, the same for every build).
 *
 * <pre>
 * java -cp target/test-classes dev.onlineem.bench.UpdateAB 8x16 40 \
 *     before=/path/to/old/target/classes:EJML_JARS after=target/classes:EJML_JARS
 * </pre>
 *
 * Prints, per build, the fastest and the median block in ns per point, and the median of the per-round ratios to the
 * first build.
 */
public final class UpdateAB {
    private UpdateAB() {
    }

    /** One build's model, driven through its own classes. */
    private static final class Build {
        final String name;
        final Object model;
        final Method update;
        final Object result;
        final double[][] points;

        /** The class under its name in this build, or under the one it had before the core was split into packages. */
        static Class<?> loadEither(ClassLoader loader, String name, String before) throws ClassNotFoundException {
            try {
                return loader.loadClass(name);
            } catch (ClassNotFoundException e) {
                return loader.loadClass(before);
            }
        }

        Build(String name, ClassLoader loader, int k, int d) throws ReflectiveOperationException {
            this.name = name;
            points = EmUpdateBenchmark.points(k, d, false);
            Class<?> settingsClass = loader.loadClass("dev.onlineem.em.ModelSettings");
            Class<?> typeClass = loadEither(loader, "dev.onlineem.em.density.CovarianceType", "dev.onlineem.em.CovarianceType");
            Object builder = settingsClass.getMethod("builder").invoke(null);
            Class<?> builderClass = builder.getClass();
            builderClass.getMethod("k", int.class).invoke(builder, k);
            builderClass.getMethod("covarianceType", typeClass).invoke(builder, typeClass.getField("FULL").get(null));
            builderClass.getMethod("initPoints", int.class).invoke(builder, Math.max(500, 20 * k * d));
            Object settings = builderClass.getMethod("build").invoke(builder);
            Class<?> modelClass = loader.loadClass("dev.onlineem.em.OnlineModel");
            Method create = modelClass.getDeclaredMethod("create", settingsClass);
            create.setAccessible(true);
            model = create.invoke(null, settings);
            Class<?> resultClass = loader.loadClass("dev.onlineem.em.PointResult");
            result = resultClass.getConstructor().newInstance();
            update = modelClass.getMethod("update", double[].class, resultClass);
            for (double[] p : points) {
                update.invoke(model, p, result);
            }
        }

        double nanosPerPoint(int n) throws ReflectiveOperationException {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                update.invoke(model, points[i & (points.length - 1)], result);
            }
            return (System.nanoTime() - start) / (double) n;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: UpdateAB KxD ROUNDS NAME=CLASSPATH NAME=CLASSPATH ...");
            System.exit(2);
        }
        String[] kd = args[0].split("x");
        int k = Integer.parseInt(kd[0]);
        int d = Integer.parseInt(kd[1]);
        int rounds = Integer.parseInt(args[1]);
        List<Build> builds = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String[] nameAndPath = args[i].split("=", 2);
            List<URL> urls = new ArrayList<>();
            for (String p : nameAndPath[1].split(":")) {
                urls.add(Path.of(p).toUri().toURL());
            }
            ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
            builds.add(new Build(nameAndPath[0], loader, k, d));
        }
        // blocks of roughly 0.2 s whatever the shape
        int block = (int) Math.max(10_000, 200_000_000L / (50L * k * d * d + 300));
        for (int w = 0; w < 10; w++) {
            for (Build b : builds) {
                b.nanosPerPoint(block);
            }
        }
        Map<String, List<Double>> times = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            double first = Double.NaN;
            for (Build b : builds) {
                double t = b.nanosPerPoint(block);
                times.computeIfAbsent(b.name, x -> new ArrayList<>()).add(t);
                if (Double.isNaN(first)) {
                    first = t;
                }
                ratios.computeIfAbsent(b.name, x -> new ArrayList<>()).add(t / first);
            }
        }
        for (Build b : builds) {
            List<Double> t = times.get(b.name);
            List<Double> r = ratios.get(b.name);
            Collections.sort(t);
            Collections.sort(r);
            System.out.printf("%s %s: fastest block %.0f ns/point, median %.0f; median ratio to %s %.3f%n", args[0], b.name,
                    t.get(0), t.get(t.size() / 2), builds.get(0).name, r.get(r.size() / 2));
        }
    }
}
