package dev.onlineem.cli;

import dev.onlineem.em.OnlineMixtureModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The rows {@code fit} learns from, pass after pass: a CSV file's selected columns, NaN for a missing
 * cell, rows with every selected cell missing skipped and counted. {@link FileRows} streams them from
 * the file on every pass (constant memory); {@link TableRows} holds them (shuffled passes, batch fits).
 */
sealed interface Rows permits FileRows, TableRows {
    List<String> columns();

    /** The first rows, up to n, read once and handed out again at the start of the first pass. */
    List<double[]> head(int n) throws IOException;

    /** A cursor over every row, in file order, or shuffled by {@code shuffle} when it is not null. */
    RowCursor pass(int pass, Random shuffle) throws IOException;

    /** Rows read (skipped ones aside); final once a whole pass is done. */
    long count();

    /** Rows whose selected cells were all missing. */
    long skipped();

    /** The sum over every row of the model's log-density (of its observed coordinates). @param model not modified */
    double logLikelihood(OnlineMixtureModel model) throws IOException;
}

/** One pass over the rows. */
interface RowCursor {
    /**
     * The next row: {@code buffer} filled, or a row of the cursor's own; null at the end.
     *
     * @param buffer may receive the row. Modified.
     */
    double[] next(double[] buffer) throws IOException;
}

/** Rows streamed from the file on every pass; the log-likelihood pass splits the file between the cores. */
final class FileRows implements Rows {
    private final Path file;
    private final List<String> columns;
    private List<double[]> head = List.of();
    private CsvRows first;
    private long count;
    private long skipped;
    private boolean counted;

    FileRows(Path file, List<String> columns) throws IOException {
        this.file = file;
        this.first = CsvRows.open(file, columns);
        this.columns = first.columns();
    }

    @Override
    public List<String> columns() {
        return columns;
    }

    @Override
    public List<double[]> head(int n) throws IOException {
        List<double[]> rows = new ArrayList<>();
        double[] row = new double[columns.size()];
        while (rows.size() < n && readRow(first, row)) {
            rows.add(row.clone());
        }
        head = rows;
        return rows;
    }

    /** Reads the next row with an observed cell into row; counts skipped rows on the first pass. */
    private boolean readRow(CsvRows in, double[] row) throws IOException {
        while (in.next(row)) {
            if (anyObserved(row)) {
                if (!counted) {
                    count++;
                }
                return true;
            }
            if (!counted) {
                skipped++;
            }
        }
        return false;
    }

    static boolean anyObserved(double[] row) {
        for (double v : row) {
            if (!Double.isNaN(v)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public RowCursor pass(int pass, Random shuffle) throws IOException {
        if (shuffle != null) {
            throw new IllegalStateException("a streamed file is not shuffled");
        }
        CsvRows in = pass == 0 ? first : CsvRows.open(file, columns);
        int[] fromHead = {pass == 0 ? 0 : head.size()};
        return buffer -> {
            if (fromHead[0] < head.size()) {
                return head.get(fromHead[0]++);
            }
            if (readRow(in, buffer)) {
                return buffer;
            }
            in.close();
            counted = true;
            return null;
        };
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public long skipped() {
        return skipped;
    }

    /** One reader per core (two at most), each parsing and scoring every other line of the file. */
    @Override
    public double logLikelihood(OnlineMixtureModel model) throws IOException {
        int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Double>> parts = new ArrayList<>();
            for (int part = 0; part < threads; part++) {
                int me = part;
                OnlineMixtureModel.Scorer scorer = model.scorer();
                parts.add(pool.submit(() -> {
                    double sum = 0;
                    double[] row = new double[columns.size()];
                    try (CsvRows in = CsvRows.open(file, columns)) {
                        long line = 0;
                        int r;
                        while ((r = in.advance(row, line++ % threads == me)) >= 0) {
                            if (r > 0 && anyObserved(row)) {
                                sum += scorer.logDensity(row);
                            }
                        }
                    }
                    return sum;
                }));
            }
            double total = 0;
            for (Future<Double> f : parts) {
                total += f.get();
            }
            return total;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new UncheckedIOException(new IOException(e.getCause()));
        } finally {
            pool.shutdownNow();
        }
    }
}

/** Every row in memory: for shuffled passes, batch fits and HMMs. */
final class TableRows implements Rows {
    final double[][] data;
    private final List<String> columns;
    private final long skipped;
    private final int[] order;

    private TableRows(double[][] data, List<String> columns, long skipped) {
        this.data = data;
        this.columns = columns;
        this.skipped = skipped;
        this.order = new int[data.length];
    }

    static TableRows load(Path file, List<String> columns) throws IOException {
        List<double[]> rows = new ArrayList<>();
        long skipped = 0;
        try (CsvRows in = CsvRows.open(file, columns)) {
            double[] row = new double[in.columns().size()];
            while (in.next(row)) {
                if (FileRows.anyObserved(row)) {
                    rows.add(row.clone());
                } else {
                    skipped++;
                }
            }
            return new TableRows(rows.toArray(new double[0][]), in.columns(), skipped);
        }
    }

    @Override
    public List<String> columns() {
        return columns;
    }

    @Override
    public List<double[]> head(int n) {
        return List.of(data).subList(0, Math.min(n, data.length));
    }

    @Override
    public RowCursor pass(int pass, Random shuffle) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle != null) {
            FitCommand.shuffle(order, shuffle);
        }
        int[] next = {0};
        return buffer -> next[0] < order.length ? data[order[next[0]++]] : null;
    }

    @Override
    public long count() {
        return data.length;
    }

    @Override
    public long skipped() {
        return skipped;
    }

    /** In fixed slices, scored in parallel and summed in order (the sum does not depend on the cores). */
    @Override
    public double logLikelihood(OnlineMixtureModel model) {
        int slices = data.length < 50_000 ? 1 : 8;
        double[] sums = new double[slices];
        java.util.stream.IntStream.range(0, slices).parallel().forEach(c -> {
            OnlineMixtureModel.Scorer scorer = model.scorer();
            double s = 0;
            for (int i = (int) ((long) data.length * c / slices); i < (int) ((long) data.length * (c + 1) / slices); i++) {
                s += scorer.logDensity(data[i]);
            }
            sums[c] = s;
        });
        double ll = 0;
        for (double v : sums) {
            ll += v;
        }
        return ll;
    }
}
