package dev.onlineem.cli;

import ch.randelshofer.fastdoubleparser.JavaDoubleParser;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A CSV file's selected columns, streamed row by row as doubles in constant memory: the same cells
 * as {@link CsvTable} (a header row; cells may be quoted; an empty cell, {@code NA} or {@code NaN} is
 * missing, read as NaN), read from the file's bytes with no String per cell. Numbers are parsed by
 * FastDoubleParser, which accepts exactly Java's {@code Double.parseDouble} syntax and rounds correctly.
 *
 * <p>{@link #next} allocates nothing per row except for a quoted cell. Not thread-safe.
 */
final class CsvRows implements Closeable {
    /** Rows read to decide which columns are numeric when none are named. */
    static final int SNIFF_ROWS = 1000;
    private static final int BUFFER = 1 << 20;

    private final Path file;
    private final InputStream in;
    private final List<String> columns;
    private final int headerWidth;
    /** For each cell position of a line, the selected column it fills, or -1. */
    private final int[] target;
    private byte[] buf = new byte[BUFFER];
    private int pos;
    private int limit;
    private boolean eof;
    private long lineNo = 1;

    private CsvRows(Path file, List<String> header, List<String> columns) throws IOException {
        this.file = file;
        this.columns = List.copyOf(columns);
        this.headerWidth = header.size();
        this.target = new int[header.size()];
        Arrays.fill(target, -1);
        for (int i = 0; i < columns.size(); i++) {
            int c = header.indexOf(columns.get(i));
            if (c < 0) {
                throw new IllegalArgumentException("column '" + columns.get(i) + "' is not in the header " + header);
            }
            target[c] = i;
        }
        this.in = Files.newInputStream(file);
        skipHeader();
    }

    /**
     * Opens the file at its first data row.
     *
     * @param columns the columns to read, in this order; null for every numeric column, judged on the
     *        first {@link #SNIFF_ROWS} data rows (a later cell that is not a number then fails, naming its line)
     * @throws IllegalArgumentException for an empty file, an unknown column, or no numeric column
     */
    static CsvRows open(Path file, List<String> columns) throws IOException {
        List<String> header;
        List<String> chosen = columns;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            header = CsvTable.readHeader(r, file);
            if (chosen == null) {
                chosen = numericColumns(r, header);
                if (chosen.isEmpty()) {
                    throw new IllegalArgumentException(file + " has no numeric column; name them with --columns");
                }
            }
        }
        return new CsvRows(file, header, chosen);
    }

    private static List<String> numericColumns(BufferedReader r, List<String> header) throws IOException {
        boolean[] numeric = new boolean[header.size()];
        Arrays.fill(numeric, true);
        String line;
        for (int n = 0; n < SNIFF_ROWS && (line = r.readLine()) != null; n++) {
            if (line.isBlank()) {
                continue;
            }
            String[] cells = CsvTable.split(line);
            for (int c = 0; c < Math.min(cells.length, numeric.length); c++) {
                numeric[c] &= CsvTable.isMissing(cells[c]) || CsvTable.isFiniteNumber(cells[c]);
            }
        }
        List<String> out = new ArrayList<>();
        for (int c = 0; c < numeric.length; c++) {
            if (numeric[c]) {
                out.add(header.get(c));
            }
        }
        return out;
    }

    List<String> columns() {
        return columns;
    }

    /** The file line of the row {@link #next} read last (the header is line 1). */
    long lineNumber() {
        return lineNo;
    }

    /**
     * Reads the next non-blank row's selected cells into {@code row} (NaN for a missing cell).
     *
     * @param row receives the cells, one per selected column. Modified.
     * @return false at the end of the file (row untouched)
     * @throws IllegalArgumentException naming the line and column of a cell that is not a finite number,
     *         or a line whose cell count differs from the header's
     */
    boolean next(double[] row) throws IOException {
        int r;
        while ((r = advance(row, true)) == 0) {
            // a blank line
        }
        return r > 0;
    }

    /**
     * Moves past one line: reads it into {@code row} when {@code parse} is true and it is not blank.
     * Readers that share a file's lines between them parse only their own.
     *
     * @param row receives the cells when the line is read. Modified.
     * @return -1 at the end of the file, 0 for a blank line or one not parsed, 1 for a row read
     */
    int advance(double[] row, boolean parse) throws IOException {
        int end = lineEnd();
        if (end < 0) {
            return -1;
        }
        lineNo++;
        int stop = end > pos && buf[end - 1] == '\r' ? end - 1 : end;
        int read = 0;
        if (parse && !isBlank(pos, stop)) {
            parseLine(pos, stop, row);
            read = 1;
        }
        pos = end + 1;
        return read;
    }

    private void parseLine(int from, int to, double[] row) {
        int cell = 0;
        int start = from;
        boolean quoted = false;
        boolean anyQuote = false;
        for (int i = from; i <= to; i++) {
            byte b = i < to ? buf[i] : (byte) ',';
            if (b == '"') {
                quoted = !quoted;
                anyQuote = true;
            } else if (b == ',' && (!quoted || i == to)) {
                if (cell < headerWidth && target[cell] >= 0) {
                    row[target[cell]] = anyQuote ? parseQuoted(start, i, cell) : parse(start, i, cell);
                }
                cell++;
                start = i + 1;
                anyQuote = false;
                quoted = false;
            }
        }
        if (cell != headerWidth) {
            throw new IllegalArgumentException(file + " line " + lineNo + ": " + cell + " cells, but the header has " + headerWidth);
        }
    }

    private double parse(int from, int to, int cell) {
        while (from < to && buf[from] <= ' ') {
            from++;
        }
        while (to > from && buf[to - 1] <= ' ') {
            to--;
        }
        int n = to - from;
        if (n == 0 || isMissingToken(from, n)) {
            return Double.NaN;
        }
        double v;
        try {
            v = JavaDoubleParser.parseDouble(buf, from, n);
        } catch (NumberFormatException e) {
            throw notANumber(new String(buf, from, n, StandardCharsets.UTF_8), cell);
        }
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(file + " line " + lineNo + ", column '" + columnOf(cell) + "': '"
                    + new String(buf, from, n, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT) + "' is not finite");
        }
        return v;
    }

    /** A quoted cell, unquoted as {@link CsvTable#split} does, then parsed as {@link CsvTable#parseCell} does. */
    private double parseQuoted(int from, int to, int cell) {
        // the cell's bounds came from the same quote rule as CsvTable.split, so it splits into exactly one cell
        String text = CsvTable.split(new String(buf, from, to - from, StandardCharsets.UTF_8))[0];
        if (CsvTable.isMissing(text)) {
            return Double.NaN;
        }
        try {
            return CsvTable.parseCell(text, 0, columnOf(cell));
        } catch (IllegalArgumentException e) {
            throw notANumber(text, cell);
        }
    }

    private IllegalArgumentException notANumber(String text, int cell) {
        return new IllegalArgumentException(file + " line " + lineNo + ", column '" + columnOf(cell) + "': '" + text
                + "' is not a number" + " (name the numeric columns with --columns)");
    }

    private String columnOf(int cell) {
        return columns.get(target[cell]);
    }

    private boolean isMissingToken(int from, int n) {
        if (n == 2) {
            return (buf[from] | 0x20) == 'n' && (buf[from + 1] | 0x20) == 'a';
        }
        return n == 3 && (buf[from] | 0x20) == 'n' && (buf[from + 1] | 0x20) == 'a' && (buf[from + 2] | 0x20) == 'n';
    }

    private boolean isBlank(int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] > ' ') {
                return false;
            }
        }
        return true;
    }

    /** The index of the current line's '\n' in the buffer (refilling as needed), the buffer's end for a last line without one, or -1 at EOF. */
    private int lineEnd() throws IOException {
        int scanned = pos;
        while (true) {
            for (int i = scanned; i < limit; i++) {
                if (buf[i] == '\n') {
                    return i;
                }
            }
            if (eof) {
                if (pos < limit) {
                    // a last line without a newline: pretend one follows
                    if (limit == buf.length) {
                        buf = Arrays.copyOf(buf, buf.length * 2);
                    }
                    buf[limit] = '\n';
                    return limit++;
                }
                return -1;
            }
            scanned = limit - pos;
            fill();
        }
    }

    /** Moves the unread bytes to the front and reads more, growing the buffer for a line longer than it. */
    private void fill() throws IOException {
        int rest = limit - pos;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, rest);
        } else if (rest == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        pos = 0;
        limit = rest;
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    private void skipHeader() throws IOException {
        int end = lineEnd();
        pos = end < 0 ? limit : end + 1;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
