package org.turboquant.core;

/** TODO(core). */
public final class QrRotation implements Rotation {
    QrRotation() { throw new UnsupportedOperationException("TODO"); }
    @Override public int dim() { throw new UnsupportedOperationException("TODO"); }
    @Override public RotationKind kind() { throw new UnsupportedOperationException("TODO"); }
    @Override public long seed() { throw new UnsupportedOperationException("TODO"); }
    @Override public void rotate(float[] src, int srcOff, float[] dst, int dstOff) { throw new UnsupportedOperationException("TODO"); }
    @Override public void unrotate(float[] src, int srcOff, float[] dst, int dstOff) { throw new UnsupportedOperationException("TODO"); }
    @Override public void rotate(double[] src, int srcOff, double[] dst, int dstOff) { throw new UnsupportedOperationException("TODO"); }
    @Override public void unrotate(double[] src, int srcOff, double[] dst, int dstOff) { throw new UnsupportedOperationException("TODO"); }
}
