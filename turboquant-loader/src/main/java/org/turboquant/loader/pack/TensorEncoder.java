package org.turboquant.loader.pack;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * Turns the rows of one matrix into its pack parts. The first part ("primary") is written row block by row
 * block as rows are encoded; the others are small (one value per block or per row, a codebook) and are written
 * once all rows are done. {@link #encodeRows} may run concurrently on disjoint row ranges.
 */
interface TensorEncoder {

    /** The part specs, primary first, in file order. */
    List<TensorSpec> parts();

    /** Roles of the parts, same order as {@link #parts()}. */
    List<String> roles();

    /** Bytes of the primary part for rows [firstRow, firstRow + n). */
    long primaryBytes(int firstRow, int n);

    /**
     * Called once before any {@link #encodeRows}, with every row of the matrix available: encoders that decide
     * something from the whole tensor (the mixed-width encoder's block energies) do it here.
     */
    default void prepare(RowReader rows) {}

    /** Encodes {@code n} rows starting at row {@code firstRow}, read from {@code rows}, into {@code primary}. */
    void encodeRows(float[] rows, int firstRow, int n, MemorySegment primary);

    /** Writes the secondary parts, in order. */
    void writeSecondaryParts(PartSink out) throws IOException;

    /** Receives part bytes in file order. */
    interface PartSink {
        void write(MemorySegment bytes) throws IOException;
    }
}
