/**
 * A small, strict safetensors library on Panama FFM. {@link org.turboquant.loader.safetensors.SafetensorsFile} maps a
 * file and validates its header before any data is touched; {@link org.turboquant.loader.safetensors.SafetensorsWriter}
 * streams one out deterministically; {@link org.turboquant.loader.safetensors.ShardedCheckpoint} opens a Hugging Face
 * checkpoint directory; {@link org.turboquant.loader.safetensors.FloatCodec} converts F16/BF16/F64 to and from float.
 * Malformed input always surfaces as a one-line {@link org.turboquant.loader.BadInputException}.
 */
package org.turboquant.loader.safetensors;
