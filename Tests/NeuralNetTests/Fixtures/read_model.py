"""Reads a Galen model file with h5py the way a Keras user would, and prints what it finds as JSON:
the architecture's class name, and for every weight named in `weight_names` its shape and values."""
import json
import sys

import h5py

with h5py.File(sys.argv[1], "r") as f:
    config = json.loads(f.attrs["model_config"])
    weights = {}
    group = f["model_weights"]
    for layer in group.attrs["layer_names"]:
        layer = layer.decode() if isinstance(layer, bytes) else layer
        for name in group[layer].attrs["weight_names"]:
            name = name.decode() if isinstance(name, bytes) else name
            data = group[layer][name]
            assert data.dtype == "float32", (name, data.dtype)
            weights[name] = {"shape": list(data.shape), "values": data[()].ravel().tolist()}
    print(json.dumps({"class_name": config["class_name"], "backend": f.attrs["backend"], "weights": weights}))
