package dev.onlineem.cli;

import dev.onlineem.em.OnlineMixtureModel;
import java.io.IOException;
import java.util.List;
import java.util.Random;

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

    /** One pass over the rows. */
    interface RowCursor {
        /**
         * The next row: {@code buffer} filled, or a row of the cursor's own; null at the end.
         *
         * @param buffer may receive the row. Modified.
         */
        double[] next(double[] buffer) throws IOException;
    }
}
