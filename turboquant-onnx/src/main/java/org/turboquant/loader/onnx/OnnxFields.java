package org.turboquant.loader.onnx;

/** Field numbers of the onnx.proto messages the reader walks (ModelProto, GraphProto, NodeProto, ...). */
final class OnnxFields {

    static final int MODEL_GRAPH = 7;
    static final int GRAPH_NODE = 1;
    static final int GRAPH_INITIALIZER = 5;
    static final int GRAPH_SPARSE_INITIALIZER = 15;
    static final int NODE_INPUT = 1;
    static final int NODE_OUTPUT = 2;
    static final int NODE_OP_TYPE = 4;
    static final int NODE_ATTRIBUTE = 5;
    static final int ATTR_NAME = 1;
    static final int ATTR_F = 2;
    static final int ATTR_I = 3;
    static final int ATTR_T = 5;
    static final int ATTR_FLOATS = 7;
    static final int ATTR_INTS = 8;
    static final int TENSOR_DIMS = 1;
    static final int TENSOR_DATA_TYPE = 2;
    static final int TENSOR_SEGMENT = 3;
    static final int TENSOR_FLOAT_DATA = 4;
    static final int TENSOR_INT32_DATA = 5;
    static final int TENSOR_INT64_DATA = 7;
    static final int TENSOR_NAME = 8;
    static final int TENSOR_RAW_DATA = 9;
    static final int TENSOR_DOUBLE_DATA = 10;
    static final int TENSOR_UINT64_DATA = 11;
    static final int TENSOR_EXTERNAL_DATA = 13;
    static final int TENSOR_DATA_LOCATION = 14;
    static final int DATA_LOCATION_EXTERNAL = 1;
    static final int ENTRY_KEY = 1;
    static final int ENTRY_VALUE = 2;

    private OnnxFields() { }
}
