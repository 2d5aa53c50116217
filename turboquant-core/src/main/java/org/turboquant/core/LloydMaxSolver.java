package org.turboquant.core;

/**
 * Solves the Lloyd–Max conditions for the symmetric density of {@link SphereCoordinateDensity}: every level is
 * the centroid of its cell and every inner boundary the midpoint of its two levels. Only the K = 2^(b−1) levels
 * in (0, 1) are unknowns (0 is always a boundary by symmetry).
 *
 * <p>Start: the high-rate optimum, whose level density is ∝ f^{1/3}, i.e. the quantiles of (1 − t²)^{α/3}.
 * Iteration: Newton on G(c) = c − centroids(c), whose Jacobian is tridiagonal (a centroid depends only on its
 * two boundaries), damped so the levels stay ordered and |G| decreases, falling back to a plain Lloyd step.
 */
final class LloydMaxSolver {
    private static final int MAX_ITERATIONS = 500;
    private static final int QUANTILE_BISECTIONS = 60;

    private final SphereCoordinateDensity density;
    private final int levels;
    private final double tolerance;

    /** Upper-half solver for {@code levels} positive levels, converged when max |c − centroid(c)| ≤ tolerance. */
    LloydMaxSolver(SphereCoordinateDensity density, int levels, double tolerance) {
        this.density = density;
        this.levels = levels;
        this.tolerance = tolerance;
    }

    /** The K positive levels, ascending. */
    double[] solve() {
        double[] c = companderStart();
        double[] mu = new double[levels];
        double residual = residual(c, mu);
        for (int iter = 0; iter < MAX_ITERATIONS; iter++) {
            if (residual <= tolerance) return c;
            double[] step = newtonStep(c, mu);
            double[] next = new double[levels];
            double[] nextMu = new double[levels];
            double nextResidual = Double.POSITIVE_INFINITY;
            for (double damping = 1; damping > 1e-3; damping /= 2) {
                for (int i = 0; i < levels; i++) next[i] = c[i] - damping * step[i];
                if (isOrderedInUnitInterval(next)) {
                    nextResidual = residual(next, nextMu);
                    if (nextResidual < residual) break;
                }
            }
            if (nextResidual < residual) {
                c = next;
                mu = nextMu;
                residual = nextResidual;
            } else {
                c = mu.clone(); // Lloyd step: always valid, always decreases the distortion.
                residual = residual(c, mu);
            }
        }
        if (residual <= tolerance) return c;
        throw new ArithmeticException("Lloyd-Max did not converge: residual " + residual + " > " + tolerance);
    }

    /** Fills mu with the centroids of the cells that c induces; returns max |c − mu|. */
    private double residual(double[] c, double[] mu) {
        double lowerMass = density.upperMass(0), lowerMoment = density.upperMoment(0);
        double max = 0;
        for (int i = 0; i < levels; i++) {
            double upper = i + 1 < levels ? (c[i] + c[i + 1]) / 2 : 1;
            double upperMass = density.upperMass(upper), upperMoment = density.upperMoment(upper);
            mu[i] = (lowerMoment - upperMoment) / (lowerMass - upperMass);
            max = Math.max(max, Math.abs(c[i] - mu[i]));
            lowerMass = upperMass;
            lowerMoment = upperMoment;
        }
        return max;
    }

    /** Solves J·step = c − mu with J = I − ∂mu/∂c (tridiagonal), by the Thomas algorithm. */
    private double[] newtonStep(double[] c, double[] mu) {
        int k = levels;
        double[] sub = new double[k], diag = new double[k], sup = new double[k], rhs = new double[k];
        double lower = 0, lowerMass = density.upperMass(0);
        for (int i = 0; i < k; i++) {
            double upper = i + 1 < k ? (c[i] + c[i + 1]) / 2 : 1;
            double upperMass = density.upperMass(upper);
            double mass = lowerMass - upperMass;
            // Moving a boundary shifts the cell's centroid by f(boundary)·(distance to centroid)/mass.
            double dLower = i > 0 ? density.density(lower) * (mu[i] - lower) / mass : 0;
            double dUpper = i + 1 < k ? density.density(upper) * (upper - mu[i]) / mass : 0;
            sub[i] = -dLower / 2;
            sup[i] = -dUpper / 2;
            diag[i] = 1 - dLower / 2 - dUpper / 2;
            rhs[i] = c[i] - mu[i];
            lower = upper;
            lowerMass = upperMass;
        }
        for (int i = 1; i < k; i++) {
            double w = sub[i] / diag[i - 1];
            diag[i] -= w * sup[i - 1];
            rhs[i] -= w * rhs[i - 1];
        }
        double[] step = new double[k];
        step[k - 1] = rhs[k - 1] / diag[k - 1];
        for (int i = k - 2; i >= 0; i--) step[i] = (rhs[i] - sup[i] * step[i + 1]) / diag[i];
        return step;
    }

    /** Levels at the (i − ½)/K quantiles of the upper half of (1 − t²)^{α/3}. */
    private double[] companderStart() {
        SphereCoordinateDensity compander = new SphereCoordinateDensity(density.alpha() / 3);
        double total = compander.upperMass(0);
        double[] c = new double[levels];
        double lo = 0;
        for (int i = 0; i < levels; i++) {
            double target = total * (1 - (i + 0.5) / levels);
            double hi = 1;
            for (int it = 0; it < QUANTILE_BISECTIONS; it++) {
                double mid = (lo + hi) / 2;
                if (compander.upperMass(mid) > target) lo = mid; else hi = mid;
            }
            c[i] = (lo + hi) / 2;
        }
        return c;
    }

    private static boolean isOrderedInUnitInterval(double[] c) {
        if (!(c[0] > 0) || !(c[c.length - 1] < 1)) return false;
        for (int i = 1; i < c.length; i++) if (!(c[i] > c[i - 1])) return false;
        return true;
    }
}
