"""Training through Hugging Face Accelerate (``accelerator=`` of every estimator).

An estimator given an ``accelerate.Accelerator`` builds its skorch net from
a class that mixes skorch's ``AccelerateMixin`` into its own net class, with
the additions below; accelerate itself is imported only then.
"""

from torch import nn


def _as_batch(batch):
    """``collate_fn`` of a ``DataLoader`` over a :class:`TensorDataset`,
    whose ``__getitems__`` already returns the whole batch."""
    return batch


class _AccelerateSteps:
    """What skmem adds to skorch's ``AccelerateMixin``.

    A loss without trainable parameters only moves to the accelerator's
    device: accelerate would wrap it in ``DistributedDataParallel`` when
    the processes run on CPUs, which torch refuses. Continued training
    (``partial_fit``, ``warm_start``) prepares the modules again; they are
    unwrapped after each training, once the callbacks are done. The losses
    recorded are the means over the processes. Gradients are unscaled (fp16
    mixed precision) before the ``on_grad_computed`` callbacks, so that
    gradient clipping sees their true norm. The composed net class, made at
    run time, pickles.
    """

    def _criteria_to_prepare(self):
        names = []
        for name in self._criteria:
            criterion = getattr(self, name + "_")
            trainable = isinstance(criterion, nn.Module) and any(
                p.requires_grad for p in criterion.parameters()
            )
            if trainable:
                names.append(name)
            elif isinstance(criterion, nn.Module) and self.accelerator.device_placement:
                criterion.to(self.accelerator.device)
        return names

    def _initialize_accelerator(self):
        if self._wrapped_with_accelerator:
            return self
        criteria = self._criteria
        self._criteria = self._criteria_to_prepare()  # what the mixin prepares
        try:
            return super()._initialize_accelerator()
        finally:
            self._criteria = criteria

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        if not self._wrapped_with_accelerator:
            for name in self._modules + self._criteria_to_prepare():
                module = getattr(self, name + "_")
                if isinstance(module, nn.Module):
                    setattr(self, name + "_", self.accelerator.prepare(module))
            self._wrapped_with_accelerator = True
        return super().on_train_begin(net, X=X, y=y, **kwargs)

    def on_train_end(self, net, X=None, y=None, **kwargs):
        # The mixin unwraps here, before the callbacks run: EarlyStopping
        # would then restore the weights it kept of the wrapped module into
        # the bare one. partial_fit unwraps after them instead.
        unwrap, self.unwrap_after_train = self.unwrap_after_train, False
        try:
            return super().on_train_end(net, X=X, y=y, **kwargs)
        finally:
            self.unwrap_after_train = unwrap

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        super().partial_fit(X, y, classes, **fit_params)
        if self.unwrap_after_train:
            self._unwrap_accelerator()
        return self

    def train_step_single(self, batch, **fit_params):
        step = super().train_step_single(batch, **fit_params)
        if self.accelerator.sync_gradients:
            optimizers = [getattr(self, name + "_") for name in self._optimizers]
            self.accelerator.unscale_gradients(optimizer=optimizers)
        return step

    # Every process records the mean loss of the processes, so that the
    # callbacks of all of them (early stopping, the pick among restarts) agree.
    def train_step(self, batch, **fit_params):
        step = super().train_step(batch, **fit_params)
        step["loss"] = self.accelerator.reduce(step["loss"].detach(), reduction="mean")
        return step

    def validation_step(self, batch, **fit_params):
        step = super().validation_step(batch, **fit_params)
        step["loss"] = self.accelerator.reduce(step["loss"], reduction="mean")
        return step

    def __reduce__(self):
        return _new_accelerated_net, (self._skmem_net_class,), self.__getstate__()

    def __setstate__(self, state):
        # skorch maps device=None to the CPU, with a warning; the accelerator's
        # device (the CPU where there is no GPU) is where the model belongs
        accelerator = state.get("accelerator")
        placed = state["device"] is None and accelerator is not None
        if placed:
            state["device"] = str(accelerator.device)
        super().__setstate__(state)
        if placed:
            self.device = None


_ACCELERATED_NETS = {}


def _accelerated_net_class(net_class):
    """``net_class`` with skorch's ``AccelerateMixin`` mixed in, one class per net class."""
    if net_class not in _ACCELERATED_NETS:
        from skorch.hf import AccelerateMixin

        _ACCELERATED_NETS[net_class] = type(
            f"Accelerated{net_class.__name__.lstrip('_')}",
            (_AccelerateSteps, AccelerateMixin, net_class),
            {"__module__": __name__, "_skmem_net_class": net_class},
        )
    return _ACCELERATED_NETS[net_class]


def _new_accelerated_net(net_class):
    """Unpickling: an empty net of the composed class; its state follows."""
    cls = _accelerated_net_class(net_class)
    return cls.__new__(cls)


def _check_accelerator(accelerator):
    try:
        from accelerate import Accelerator
    except ImportError as exc:
        raise ImportError(
            'Training with accelerator= needs Hugging Face Accelerate: '
            'pip install "skmem[accelerate]"'
        ) from exc
    if not isinstance(accelerator, Accelerator):
        raise ValueError(
            f"accelerator must be an accelerate.Accelerator or None, got "
            f"{type(accelerator).__name__}."
        )
