package dev.onlineem.cli;

import dev.onlineem.em.OnlineMixtureModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

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
    public Rows.RowCursor pass(int pass, Random shuffle) throws IOException {
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

    /**
     * Two readers in parallel, each parsing and scoring every other line of the file (the lines are shared
     * by index, so the sum does not depend on the cores).
     */
    @Override
    public double logLikelihood(OnlineMixtureModel model) throws IOException {
        int readers = 2;
        double[] sums = new double[readers];
        try {
            IntStream.range(0, readers).parallel().forEach(me -> sums[me] = logLikelihoodOfLines(model.scorer(), readers, me));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return sums[0] + sums[1];
    }

    /** The sum of the log-densities of the lines whose index is {@code me} modulo {@code readers}. */
    private double logLikelihoodOfLines(OnlineMixtureModel.Scorer scorer, int readers, int me) {
        double sum = 0;
        double[] row = new double[columns.size()];
        try (CsvRows in = CsvRows.open(file, columns)) {
            long line = 0;
            int r;
            while ((r = in.advance(row, line++ % readers == me)) >= 0) {
                if (r > 0 && anyObserved(row)) {
                    sum += scorer.logDensity(row);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sum;
    }
}

