package dev.onlineem.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvRowsTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadTheSameCellsAsTheWholeFileReaderAcrossBufferRefills() throws Exception {
        // a byte-order mark, CRLF and LF lines, quoted cells (one with a comma), NA / NaN / empty cells, blank lines,
        // exponents, a text column, no newline at the end, and more bytes than one read buffer (1 MiB)
        StringBuilder csv = new StringBuilder("\uFEFFa,label,b,c\r\n");
        Random r = new Random(5);
        for (int i = 0; i < 40_000; i++) {
            String a = i % 97 == 0 ? "NA" : Double.toString(r.nextGaussian() * Math.pow(10, r.nextInt(30) - 15));
            String b = i % 89 == 0 ? "" : i % 83 == 0 ? "\"" + (r.nextInt(1000) - 500) + "\"" : Double.toString(r.nextDouble());
            String c = i % 79 == 0 ? "nan" : String.format("%.6e", r.nextGaussian());
            csv.append(a).append(",\"x, ").append(i).append("\",").append(b).append(',').append(c).append(i % 2 == 0 ? "\r\n" : "\n");
            if (i % 5000 == 0) {
                csv.append("\n");
            }
        }
        csv.append("1.5,last,2.5,3.5");
        Path file = dir.resolve("awkward.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        assertTrue(Files.size(file) > 2 << 20, "more than two buffers");

        double[][] expected = CsvTable.read(file).matrix(List.of("a", "b", "c"));
        List<double[]> actual = new ArrayList<>();
        try (CsvRows rows = CsvRows.open(file, null)) {
            assertEquals(List.of("a", "b", "c"), rows.columns(), "the text column is not numeric");
            double[] row = new double[3];
            while (rows.next(row)) {
                actual.add(row.clone());
            }
        }
        assertEquals(expected.length, actual.size());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual.get(i), 0.0, "row " + i);
        }
    }

    @Test
    void shouldNameTheLineAndColumnOfACellThatIsNotANumber() throws Exception {
        Path file = dir.resolve("bad.csv");
        StringBuilder csv = new StringBuilder("x,y\n");
        for (int i = 0; i < 1500; i++) {
            csv.append(i).append(',').append(i == 1200 ? "oops" : "1").append('\n');
        }
        Files.writeString(file, csv);
        try (CsvRows rows = CsvRows.open(file, null)) { // y looks numeric in the first 1,000 rows
            double[] row = new double[2];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                while (rows.next(row)) {
                    // read on
                }
            });
            assertTrue(e.getMessage().contains("line 1202, column 'y': 'oops' is not a number"), e.getMessage());
        }
        try (CsvRows rows = CsvRows.open(file, List.of("x"))) {
            double[] row = new double[1];
            int n = 0;
            while (rows.next(row)) {
                n++;
            }
            assertEquals(1500, n, "an unselected column is never parsed");
            assertFalse(rows.next(row));
        }
    }
}
