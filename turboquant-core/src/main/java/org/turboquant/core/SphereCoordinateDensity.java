package org.turboquant.core;

/**
 * One coordinate t of a uniform point on S^{g−1}: density f(t) ∝ (1 − t²)^α on [−1, 1], α = (g − 3)/2. All
 * quantities are unnormalized (they share the factor 1/∫f), which is all the Lloyd–Max centroids need, and are
 * taken over upper tails [u, 1], u ≥ 0: the quantizer is symmetric, so only t ≥ 0 is ever solved.
 *
 * <p>With a = α + 1 = (g − 1)/2 and x = (1 − u)/2 the substitution t = 1 − 2s gives
 * ∫_u^1 (1 − t²)^α dt = (1 − u²)^a / (2a) · K(x; a, a), where K is the continued fraction of the regularized
 * incomplete beta function I_x(a, b) = x^a (1 − x)^b / (a·B(a, b)) · K(x; a, b). The first moment
 * ∫_u^1 t (1 − t²)^α dt = (1 − u²)^a / (2a) is closed-form. No Gamma function is needed.
 */
final class SphereCoordinateDensity {
    private static final double TINY = 1e-300;
    private static final double EPS = 1e-15;
    private static final int MAX_TERMS = 100_000;

    private final double alpha;
    private final double a;

    /** The density of exponent α (α = (g − 3)/2 for the sphere; any α &gt; −1 works). */
    SphereCoordinateDensity(double alpha) {
        if (!(alpha > -1)) throw new IllegalArgumentException("alpha must be > -1, got " + alpha);
        this.alpha = alpha;
        this.a = alpha + 1;
    }

    static SphereCoordinateDensity forDimension(int dim) {
        return new SphereCoordinateDensity((dim - 3) / 2.0);
    }

    double alpha() {
        return alpha;
    }

    /** f(t) = (1 − t²)^α, unnormalized. */
    double density(double t) {
        return Math.exp(alpha * Math.log1p(-t * t));
    }

    /** ∫_u^1 t·f(t) dt for u in [0, 1]. */
    double upperMoment(double u) {
        if (u >= 1) return 0;
        return Math.exp(a * Math.log1p(-u * u)) / (2 * a);
    }

    /** ∫_u^1 f(t) dt for u in [0, 1]. */
    double upperMass(double u) {
        if (u >= 1) return 0;
        return upperMoment(u) * betaContinuedFraction((1 - u) / 2, a, a);
    }

    /**
     * K(x; a, b) by the modified Lentz method: 1/(1+ d1/(1+ d2/(1+ ...))) with d_{2m+1} = −(a+m)(a+b+m)x /
     * ((a+2m)(a+2m+1)) and d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)). Converges for x ≤ (a+1)/(a+b+2), which holds
     * here since x ≤ 1/2 and a = b.
     */
    static double betaContinuedFraction(double x, double a, double b) {
        double c = 1;
        double d = 1 - (a + b) * x / (a + 1);
        if (Math.abs(d) < TINY) d = TINY;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= MAX_TERMS; m++) {
            int m2 = 2 * m;
            double even = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + even * d;
            if (Math.abs(d) < TINY) d = TINY;
            c = 1 + even / c;
            if (Math.abs(c) < TINY) c = TINY;
            d = 1 / d;
            h *= d * c;
            double odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + odd * d;
            if (Math.abs(d) < TINY) d = TINY;
            c = 1 + odd / c;
            if (Math.abs(c) < TINY) c = TINY;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < EPS) return h;
        }
        throw new ArithmeticException("incomplete beta continued fraction did not converge (x=" + x + ", a=" + a + ")");
    }
}
