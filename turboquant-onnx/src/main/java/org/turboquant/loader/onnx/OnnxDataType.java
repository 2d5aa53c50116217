package org.turboquant.loader.onnx;

import org.turboquant.loader.safetensors.DType;

/** ONNX {@code TensorProto.DataType} codes and the dtypes they map to; the others are not supported. */
final class OnnxDataType {

    private OnnxDataType() { }

    /** The dtype for ONNX code {@code code}, or null when it has none (strings, complex, unsigned > 8 bit, FP8). */
    static DType toDType(int code) {
        return switch (code) {
            case 1 -> DType.F32;
            case 2 -> DType.U8;
            case 3 -> DType.I8;
            case 5 -> DType.I16;
            case 6 -> DType.I32;
            case 7 -> DType.I64;
            case 9 -> DType.BOOL;
            case 10 -> DType.F16;
            case 11 -> DType.F64;
            case 16 -> DType.BF16;
            default -> null;
        };
    }

    static String describe(int code) {
        return switch (code) {
            case 0 -> "UNDEFINED";
            case 4 -> "UINT16";
            case 8 -> "STRING";
            case 12 -> "UINT32";
            case 13 -> "UINT64";
            case 14 -> "COMPLEX64";
            case 15 -> "COMPLEX128";
            default -> {
                DType t = toDType(code);
                yield t != null ? t.name() : "code " + code;
            }
        };
    }
}
