/**
 * One way to stream a model's tensors whatever its format: {@link org.turboquant.loader.source.TensorSource#open}
 * takes a .safetensors file, a checkpoint directory or an .onnx model; each
 * {@link org.turboquant.loader.source.SourceTensor} carries a {@link org.turboquant.loader.source.Usage} that tells
 * the packer which axis holds the vectors.
 */
package org.turboquant.loader.source;
