package dev.onlineem.cli;

import dev.onlineem.em.OnlineMixtureModel;
import dev.onlineem.em.mixture.BatchEm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

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
    public Rows.RowCursor pass(int pass, Random shuffle) {
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
        return BatchEm.sumOverSlices(data.length, () -> {
            OnlineMixtureModel.Scorer scorer = model.scorer();
            return i -> scorer.logDensity(data[i]);
        });
    }
}
