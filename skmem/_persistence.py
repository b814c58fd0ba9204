"""Saving fitted models without pickle: weights in safetensors, the rest in JSON.

A pickle runs code when it is loaded. :func:`save` writes one
``.safetensors`` file instead: the tensors of every torch module in the
model, and, in the file's metadata, a JSON description of the estimator
(its class, its parameters and its fitted attributes, such as classes and
vocabularies). :func:`load` rebuilds the estimator from that description,
importing only scikit-learn pipelines and classes of ``skmem``.
"""

import importlib
import json
import numbers
from pathlib import Path

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from skorch.history import History

FORMAT = "skmem-safetensors"
VERSION = 1
_TRUSTED = (Pipeline,)  # outside skmem, the only classes load may build


def _class_path(obj):
    cls = type(obj)
    return f"{cls.__module__}:{cls.__qualname__}"


def _import_class(path):
    module_name, _, qualname = path.partition(":")
    if not (module_name == "skmem" or module_name.startswith("skmem.")
            or path in {f"{c.__module__}:{c.__qualname__}" for c in _TRUSTED}):
        raise ValueError(f"Refusing to load class {path!r}: only skmem estimators and "
                         f"scikit-learn pipelines are loaded.")
    try:
        obj = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"The file names class {path!r}, which this version of skmem "
                         f"does not have.") from exc
    if not (isinstance(obj, type) and issubclass(obj, BaseEstimator)):
        raise ValueError(f"{path!r} is not an estimator class.")
    return obj


class _Encoder:
    """Turns an estimator into JSON-able data and collects its torch modules."""

    def __init__(self):
        self.modules = {}

    def estimator(self, est, where):
        if getattr(est, "callbacks", None):
            raise TypeError(
                f"{where}: user callbacks cannot be saved without pickle; save a "
                f"clone with callbacks=None, or pickle the model."
            )
        fitted = {}
        for name, value in vars(est).items():
            if not name.endswith("_") or name.startswith("_") or name in ("net_", "history_"):
                continue
            fitted[name] = self.value(value, f"{where}.{name}")
        params = est.get_params(deep=False)
        if params.get("accelerator") is not None:
            params["accelerator"] = None  # how it was trained, not part of the model
        data = {
            "class": _class_path(est),
            "params": {k: self.value(v, f"{where}.{k}") for k, v in params.items()},
            "fitted": fitted,
        }
        net = getattr(est, "net_", None)
        if net is not None:
            key = f"m{len(self.modules)}"
            self.modules[key] = net.module_
            data["module"] = key
            data["history"] = self.value(list(net.history), f"{where}.history_")
        return data

    def value(self, value, where):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real):
            return float(value)
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "biufUO":
                raise TypeError(f"{where}: arrays of dtype {value.dtype} cannot be saved.")
            items = [self.value(v, where) for v in value.ravel().tolist()] if value.dtype.kind == "O" \
                else value.ravel().tolist()
            return {"__ndarray__": items, "dtype": value.dtype.str if value.dtype.kind != "O" else "O",
                    "shape": list(value.shape)}
        if isinstance(value, np.generic):
            return self.value(value.item(), where)
        if isinstance(value, tuple):
            return {"__tuple__": [self.value(v, where) for v in value]}
        if isinstance(value, list):
            return [self.value(v, where) for v in value]
        if isinstance(value, dict):
            if all(isinstance(k, str) for k in value):
                return {"__dict__": {k: self.value(v, f"{where}[{k!r}]") for k, v in value.items()}}
            return {"__items__": [[self.value(k, where), self.value(v, where)] for k, v in value.items()]}
        if isinstance(value, BaseEstimator):
            return {"__estimator__": self.estimator(value, where)}
        raise TypeError(
            f"{where}: a {type(value).__name__} cannot be saved without pickle; use plain "
            f"values (numbers, strings, arrays, lists, dicts) or pickle the model."
        )


class _Decoder:
    """Rebuilds estimators from their description; their networks are
    created untrained and collected in ``modules`` for the weights."""

    def __init__(self, device):
        self.device = device
        self.modules = {}

    def value(self, data):
        if isinstance(data, list):
            return [self.value(v) for v in data]
        if not isinstance(data, dict):
            return data
        if "__ndarray__" in data:
            if data["dtype"] == "O":
                items = np.empty(len(data["__ndarray__"]), dtype=object)
                items[:] = [self.value(v) for v in data["__ndarray__"]]
                return items.reshape(data["shape"])
            return np.asarray(data["__ndarray__"], dtype=np.dtype(data["dtype"])).reshape(data["shape"])
        if "__tuple__" in data:
            return tuple(self.value(v) for v in data["__tuple__"])
        if "__dict__" in data:
            return {k: self.value(v) for k, v in data["__dict__"].items()}
        if "__items__" in data:
            return {self.value(k): self.value(v) for k, v in data["__items__"]}
        if "__estimator__" in data:
            return self.estimator(data["__estimator__"])
        raise ValueError(f"Unknown entry in the model description: {sorted(data)}.")

    def estimator(self, data):
        cls = _import_class(data["class"])
        params = {k: self.value(v) for k, v in data["params"].items()}
        if self.device is not None and "device" in params:
            params["device"] = self.device
        est = cls(**params)
        for name, value in data["fitted"].items():
            setattr(est, name, self.value(value))
        if "module" in data:
            net = est._build_net()
            net.initialize()
            self.modules[data["module"]] = net.module_
            net.history = History(self.value(data["history"]))
            est.net_, est.history_ = net, net.history
        return est


def save(model, path):
    """Save a fitted skmem model to a ``.safetensors`` file, without pickle.

    The weights of every network in ``model`` go in as tensors; the
    estimator's class, parameters and fitted attributes (classes,
    vocabularies, input shapes, training history) go in the file's metadata
    as JSON. The optimizer state is not kept: a loaded model predicts
    exactly as the saved one, and further training starts a fresh optimizer.

    Parameters
    ----------
    model : estimator or Pipeline
        A skmem estimator or transformer, or a scikit-learn ``Pipeline`` of
        them, fitted or not. User ``callbacks`` and non-string ``optimizer``
        classes cannot be written without pickle and raise ``TypeError``.
        An ``accelerator`` is not written: the loaded model has
        ``accelerator=None`` and predicts on its ``device``.
    path : str or path-like
        File to write (conventionally ending in ``.safetensors``).

    See Also
    --------
    load : Read the file back.

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np
    >>> import skmem
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.randint(2, 6, size=(40, 5)), rng.randint(0, 2, 40)
    >>> clf = skmem.RNNClassifier(hidden_size=8, max_epochs=2, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "rnn.safetensors")
    >>> skmem.save(clf, path)
    >>> bool((skmem.load(path).predict_proba(X) == clf.predict_proba(X)).all())
    True
    """
    from safetensors.torch import save_model

    encoder = _Encoder()
    description = encoder.value(model, "model")
    container = torch.nn.ModuleDict(encoder.modules)
    metadata = {"format": FORMAT, "version": str(VERSION), "model": json.dumps(description)}
    save_model(container, str(Path(path)), metadata=metadata)


def load(path, *, device=None):
    """Load a model written by :func:`save`; nothing is unpickled.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save`.
    device : str, default=None
        Put the networks on this device (e.g. ``"cpu"`` for a model trained
        on a GPU); ``None`` keeps the saved ``device`` parameter.

    Returns
    -------
    model : estimator or Pipeline
        The model, predicting exactly as when it was saved.

    Raises
    ------
    ValueError
        If the file is not a skmem model file, is corrupted, names a class
        outside skmem and scikit-learn pipelines, or holds weights that do
        not fit the network its parameters describe.
    """
    from safetensors import SafetensorError, safe_open
    from safetensors.torch import load_model

    path = str(Path(path))
    try:
        with safe_open(path, framework="pt") as handle:
            metadata = handle.metadata() or {}
    except (SafetensorError, OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(f"{path} is not a readable safetensors file: {exc}") from exc
    if metadata.get("format") != FORMAT:
        raise ValueError(f"{path} is a safetensors file but not one written by skmem.save.")
    if int(metadata.get("version", 0)) > VERSION:
        raise ValueError(f"{path} was written by a newer skmem (format version "
                         f"{metadata['version']}); upgrade skmem to load it.")
    try:
        description = json.loads(metadata["model"])
    except (KeyError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: the model description is missing or corrupted.") from exc
    decoder = _Decoder(device)
    model = decoder.value(description)
    try:
        load_model(torch.nn.ModuleDict(decoder.modules), path, strict=True)
    except (RuntimeError, SafetensorError) as exc:
        raise ValueError(
            f"{path}: the weights do not fit the networks its description builds "
            f"(edited or mismatched file): {exc}"
        ) from exc
    return model
