package dev.onlineem.cli;

import dev.onlineem.em.base.ModelSnapshot;
import java.util.List;
import java.util.Locale;

/**
 * {@code fit --plot}: an SVG of a fitted model for people without a running service. Left, the data (up to
 * {@value #MAX_POINTS} rows, evenly spaced through the file) on two of its columns with each component's 95%
 * ellipse and mean; right, the log-likelihood trace: each point's log-density under the model before it
 * learned from that point (prequential), averaged over consecutive blocks, with the final model's average
 * over the whole file as a dashed line.
 */
final class FitPlot {
    static final int MAX_POINTS = 5000;
    /** 95% quantile of chi-squared with 2 degrees of freedom. */
    static final double CHI2_95_2D = 5.991464547107979;
    static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"};
    private static final int W = 520;
    private static final int H = 420;
    private static final int L = 60;
    private static final int R = 20;
    private static final int T = 36;
    private static final int B = 44;

    private FitPlot() {
    }

    /**
     * @param i first plotted column (index into the model's coordinates)
     * @param j second plotted column
     * @param trace block averages of the prequential log-density: {block end row, average}; empty for a batch fit
     * @param finalAverage the final model's average log-likelihood over the file
     */
    static String render(String title, double[][] data, List<String> cols, int i, int j, ModelSnapshot s, double[][] trace, double finalAverage) {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(2 * W).append("\" height=\"").append(H)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(svg, 10, 18, 14, "start", esc(title));
        scatter(svg, data, cols, i, j, s);
        traceChart(svg, trace, finalAverage);
        return svg.append("</svg>\n").toString();
    }

    private static void scatter(StringBuilder svg, double[][] data, List<String> cols, int i, int j, ModelSnapshot s) {
        int step = Math.max(1, data.length / MAX_POINTS);
        double[][] ellipses = new double[s.components()][];
        double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY, ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < data.length; r += step) {
            double x = data[r][i], y = data[r][j];
            if (Double.isFinite(x) && Double.isFinite(y)) {
                xmin = Math.min(xmin, x);
                xmax = Math.max(xmax, x);
                ymin = Math.min(ymin, y);
                ymax = Math.max(ymax, y);
            }
        }
        for (int c = 0; c < s.components(); c++) {
            double[][] S = s.covariances()[c];
            ellipses[c] = ellipse(s.means()[c][i], s.means()[c][j], S[i][i], S[i][j], S[j][j]);
            for (int p = 0; p < ellipses[c].length; p += 2) {
                xmin = Math.min(xmin, ellipses[c][p]);
                xmax = Math.max(xmax, ellipses[c][p]);
                ymin = Math.min(ymin, ellipses[c][p + 1]);
                ymax = Math.max(ymax, ellipses[c][p + 1]);
            }
        }
        double[] xd = pad(xmin, xmax), yd = pad(ymin, ymax);
        Axis ax = new Axis(0, xd, yd);
        ax.draw(svg, cols.get(i), cols.get(j));
        svg.append("<g fill=\"#4a78b8\" fill-opacity=\"0.35\">\n");
        for (int r = 0; r < data.length; r += step) {
            double x = data[r][i], y = data[r][j];
            if (Double.isFinite(x) && Double.isFinite(y)) {
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.6\"/>", ax.x(x), ax.y(y)));
            }
        }
        svg.append("\n</g>\n");
        for (int c = 0; c < s.components(); c++) {
            String color = COLORS[c % COLORS.length];
            StringBuilder d = new StringBuilder();
            for (int p = 0; p < ellipses[c].length; p += 2) {
                d.append(p == 0 ? 'M' : 'L').append(String.format(Locale.ROOT, "%.1f,%.1f", ax.x(ellipses[c][p]), ax.y(ellipses[c][p + 1])));
            }
            svg.append(String.format(Locale.ROOT, "<path class=\"component\" d=\"%sZ\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", d, color));
            double mx = ax.x(s.means()[c][i]), my = ax.y(s.means()[c][j]);
            svg.append(String.format(Locale.ROOT, "<path d=\"M%.1f,%.1fL%.1f,%.1fM%.1f,%.1fL%.1f,%.1f\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    mx - 5, my, mx + 5, my, mx, my - 5, mx, my + 5, color));
            text(svg, L + 8, T + 14 + 14 * c, 11, "start", String.format(Locale.ROOT, "component %d: weight %.3f", c, s.weights()[c]), color);
        }
    }

    private static void traceChart(StringBuilder svg, double[][] trace, double finalAverage) {
        double ymin = finalAverage, ymax = finalAverage, xmax = 1;
        for (double[] t : trace) {
            ymin = Math.min(ymin, t[1]);
            ymax = Math.max(ymax, t[1]);
            xmax = Math.max(xmax, t[0]);
        }
        Axis ax = new Axis(W, pad(0, xmax), pad(ymin, ymax));
        ax.draw(svg, "rows streamed", "average log-density");
        text(svg, W + L + 8, T - 8, 12, "start", trace.length == 0 ? "batch EM: no online trace"
                : "online: each row scored before it is learned, block averages");
        if (trace.length > 0) {
            StringBuilder pts = new StringBuilder();
            for (double[] t : trace) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", ax.x(t[0]), ax.y(t[1])));
            }
            svg.append("<polyline class=\"trace\" fill=\"none\" stroke=\"#243b55\" stroke-width=\"1.5\" points=\"").append(pts.toString().trim()).append("\"/>\n");
        }
        svg.append(String.format(Locale.ROOT, "<line class=\"final\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" stroke-dasharray=\"6 4\"/>%n",
                ax.x(0), ax.x(xmax), ax.y(finalAverage), ax.y(finalAverage)));
        text(svg, 2 * W - R, T + 12, 11, "end", String.format(Locale.ROOT, "dashed: the final model over the whole file, %.4f", finalAverage), "#d62728");
    }

    /** A 95% ellipse of the 2x2 covariance [[a, b], [b, c]] around (mx, my), as x, y pairs. */
    static double[] ellipse(double mx, double my, double a, double b, double c) {
        double mid = (a + c) / 2, d = Math.sqrt((a - c) * (a - c) / 4 + b * b);
        double l1 = Math.max(mid + d, 0), l2 = Math.max(mid - d, 0);
        double theta = 0.5 * Math.atan2(2 * b, a - c);
        double[] out = new double[2 * 65];
        for (int p = 0; p <= 64; p++) {
            double t = 2 * Math.PI * p / 64;
            double u = Math.sqrt(CHI2_95_2D * l1) * Math.cos(t), v = Math.sqrt(CHI2_95_2D * l2) * Math.sin(t);
            out[2 * p] = mx + u * Math.cos(theta) - v * Math.sin(theta);
            out[2 * p + 1] = my + u * Math.sin(theta) + v * Math.cos(theta);
        }
        return out;
    }

    private static double[] pad(double lo, double hi) {
        if (!(hi > lo)) {
            lo -= 1;
            hi += 1;
        }
        double p = (hi - lo) * 0.05;
        return new double[] {lo - p, hi + p};
    }

    /** A panel's coordinate mapping and axes; {@code left} is the panel's offset. */
    private record Axis(int left, double[] xd, double[] yd) {
        double x(double v) {
            return left + L + (v - xd[0]) / (xd[1] - xd[0]) * (W - L - R);
        }

        double y(double v) {
            return H - B - (v - yd[0]) / (yd[1] - yd[0]) * (H - T - B);
        }

        void draw(StringBuilder svg, String xLabel, String yLabel) {
            svg.append(String.format(Locale.ROOT, "<path d=\"M%d,%dL%d,%dL%d,%d\" fill=\"none\" stroke=\"#999\"/>%n",
                    left + L, T, left + L, H - B, left + W - R, H - B));
            for (int t = 0; t <= 4; t++) {
                double xv = xd[0] + (xd[1] - xd[0]) * t / 4, yv = yd[0] + (yd[1] - yd[0]) * t / 4;
                text(svg, x(xv), H - B + 14, 10, "middle", num(xv));
                text(svg, left + L - 4, y(yv) + 3, 10, "end", num(yv));
            }
            text(svg, left + (L + W - R) / 2.0, H - 8, 12, "middle", esc(xLabel));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 %d %.1f)\">%s</text>%n",
                    left + 14, (T + H - B) / 2.0, left + 14, (T + H - B) / 2.0, esc(yLabel)));
        }
    }

    private static String num(double v) {
        double a = Math.abs(v);
        return a != 0 && (a < 1e-3 || a >= 1e5) ? String.format(Locale.ROOT, "%.2e", v) : String.format(Locale.ROOT, "%.4g", v);
    }

    private static void text(StringBuilder svg, double x, double y, int size, String anchor, String s) {
        text(svg, x, y, size, anchor, s, "#333");
    }

    private static void text(StringBuilder svg, double x, double y, int size, String anchor, String s, String color) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\" fill=\"%s\">%s</text>%n",
                x, y, size, anchor, color, s));
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
