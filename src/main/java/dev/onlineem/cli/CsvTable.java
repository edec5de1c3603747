package dev.onlineem.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A CSV file with a header row, read whole. Cells may be quoted; an empty cell, {@code NA} or
 * {@code NaN} is a missing value. A column is numeric when every non-missing cell parses as a number.
 */
public final class CsvTable {
    private final List<String> header;
    private final List<String[]> rows;

    private CsvTable(List<String> header, List<String[]> rows) {
        this.header = header;
        this.rows = rows;
    }

    public static CsvTable read(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<String> header = readHeader(r, file);
            List<String[]> rows = new ArrayList<>();
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = split(line);
                if (cells.length != header.size()) {
                    throw new IllegalArgumentException(file + " line " + lineNo + ": " + cells.length
                            + " cells, but the header has " + header.size());
                }
                rows.add(cells);
            }
            return new CsvTable(header, rows);
        }
    }

    /** The header row's cells, the first line of {@code r} (a byte-order mark dropped). */
    static List<String> readHeader(BufferedReader r, Path file) throws IOException {
        String first = r.readLine();
        if (first == null) {
            throw new IllegalArgumentException(file + " is empty: a header row is expected");
        }
        return Arrays.asList(split(stripBom(first)));
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    static String[] split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                cells.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        cells.add(cur.toString().trim());
        return cells.toArray(new String[0]);
    }

    public List<String> header() {
        return header;
    }

    public int rowCount() {
        return rows.size();
    }

    static boolean isMissing(String cell) {
        return cell.isEmpty() || cell.equalsIgnoreCase("NA") || cell.equalsIgnoreCase("NaN");
    }

    /** Columns whose every non-missing cell is a finite number. */
    public List<String> numericColumns() {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) {
            boolean numeric = true;
            for (String[] row : rows) {
                String cell = row[c];
                if (!isMissing(cell) && !isFiniteNumber(cell)) {
                    numeric = false;
                    break;
                }
            }
            if (numeric) {
                out.add(header.get(c));
            }
        }
        return out;
    }

    static boolean isFiniteNumber(String s) {
        try {
            return Double.isFinite(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * A cell as a double: NaN when missing.
     *
     * @throws IllegalArgumentException naming the row and column when the cell is not a finite number
     */
    static double parseCell(String cell, int row, String column) {
        if (isMissing(cell)) {
            return Double.NaN;
        }
        double v;
        try {
            v = Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("row " + row + ", column '" + column + "': '" + cell + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("row " + row + ", column '" + column + "': '" + cell.toLowerCase(Locale.ROOT) + "' is not finite");
        }
        return v;
    }

    /**
     * The named columns as rows of doubles, NaN for a missing cell.
     *
     * @throws IllegalArgumentException naming an unknown column or a cell that is not a number
     */
    public double[][] matrix(List<String> columns) {
        int[] idx = new int[columns.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = header.indexOf(columns.get(i));
            if (idx[i] < 0) {
                throw new IllegalArgumentException("column '" + columns.get(i) + "' is not in the header " + header);
            }
        }
        double[][] out = new double[rows.size()][idx.length];
        for (int r = 0; r < rows.size(); r++) {
            for (int i = 0; i < idx.length; i++) {
                out[r][i] = parseCell(rows.get(r)[idx[i]], r + 1, columns.get(i));
            }
        }
        return out;
    }
}
