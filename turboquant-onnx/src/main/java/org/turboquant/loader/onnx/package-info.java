/**
 * Reads an ONNX model's initializers straight from the protobuf wire format (protobuf-java's CodedInputStream, no
 * generated classes), keeping {@code raw_data} as zero-copy slices of the mapped file, and tells from the graph how
 * each one is used (MatMul or Gemm weight, Gather table, other). Entry point: {@link org.turboquant.loader.onnx.OnnxModel}.
 */
package org.turboquant.loader.onnx;
