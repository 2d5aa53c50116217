package org.turboquant.loader.source;

/**
 * What a tensor is used for in its model, which tells the packer whether and along which axis its rows are vectors.
 */
public enum Usage {
    /** A linear layer's weight stored [out, in] (PyTorch nn.Linear; ONNX Gemm B with transB=1): rows are outputs. */
    LINEAR_WEIGHT,
    /** Input B of an ONNX MatMul (or Gemm with transB=0), stored [in, out]: columns are outputs. */
    MATMUL_WEIGHT,
    /** An embedding look-up table (ONNX Gather data input): each row is one token's vector. */
    GATHER_TABLE,
    /** Anything else: biases, norms, integer tensors, tensors of rank other than 2. */
    OTHER
}
