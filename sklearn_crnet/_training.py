"""The skorch boundary: the trainer that scores each batch against its distinct classes, its
callbacks, and the net an estimator's settings make."""

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping
from skorch.dataset import Dataset
from skorch.helper import predefined_split
from skorch.history import History
from tqdm.auto import tqdm

from ._inplace_grad import prepare_kept_gradients, zero_unwritten_gradients
from ._torch_utils import REGULARIZATION_FORMS, fused_adam_supported

# This is the only package module that imports skorch: the names the rest of the package
# needs are re-exported here, and the estimator imports this module only on first use.
__all__ = [
    "BatchClassesNet",
    "Callback",
    "Dataset",
    "EarlyStopping",
    "History",
    "predefined_split",
    "BatchSlicer",
    "EpochProgressBar",
    "PenaltyWarmup",
    "ValidationHarmonicMean",
    "batch_logits_and_targets",
    "make_net",
    "net_inputs",
    "training_callbacks",
]


class BatchSlicer:
    """Mini-batch iterator that slices whole batches out of the dataset's arrays.

    Used as skorch's ``iterator_train``/``iterator_valid`` in place of a
    ``DataLoader``: indexing a batch at once avoids collating samples one by
    one, which costs as much as the decomposed forward pass at small batch
    sizes. Each batch is ``({"features": X, "sample_weight": w}, y)``; every
    member of an ensemble scores the same batch.

    Parameters
    ----------
    dataset : skorch.dataset.Dataset
        ``X`` is a dict of ``features`` (n_samples, Q) and ``sample_weight``
        (n_samples,); ``y`` holds encoded labels (n_samples,).
    batch_size : int
        Samples per batch (the last batch may be smaller).
    shuffle : bool, default=False
        Visit samples in a new random order each epoch.
    generator : torch.Generator, default=None
        Source of the shuffling order; the fit's own generator, so that a
        seeded fit is reproducible and independent of other fits.
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None):
        self.features = torch.as_tensor(dataset.X["features"])
        self.weights = torch.as_tensor(dataset.X["sample_weight"])
        self.y = torch.as_tensor(dataset.y)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self):
        return -(-len(self.y) // self.batch_size)

    def __iter__(self):
        n = len(self.y)
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator, device="cpu")
        else:
            order = torch.arange(n, device="cpu")
        for start in range(0, n, self.batch_size):
            index = order[start:start + self.batch_size]
            yield {"features": self.features[index], "sample_weight": self.weights[index]}, self.y[index]


class EpochProgressBar(Callback):
    """A tqdm bar over epochs that shows the latest training loss and stays on screen.

    Parameters
    ----------
    description : str, default="fit"
        Text in front of the bar.
    """

    def __init__(self, description="fit"):
        self.description = description

    def on_train_begin(self, net, **kwargs):
        self.bar_ = tqdm(total=net.max_epochs, desc=self.description, unit="epoch")

    def on_epoch_end(self, net, **kwargs):
        self.bar_.set_postfix(loss=f"{net.history[-1, 'train_loss']:.4g}")
        self.bar_.update(1)

    def on_train_end(self, net, **kwargs):
        self.bar_.close()
        del self.bar_

    def __getstate__(self):
        # A live tqdm bar holds a stream, which cannot be pickled.
        state = self.__dict__.copy()
        state.pop("bar_", None)
        return state


class PenaltyWarmup(Callback):
    """Raise the penalties alpha and beta linearly from zero over the first epochs.

    Epoch ``e`` (counted from 0) trains with ``min(1, e / n_epochs)`` times
    every parameter group's weight decay, so the first epoch is unpenalised
    and the full penalty holds from epoch ``ceil(n_epochs)`` on; the full
    weight decay is put back when training ends. A strong penalty applied
    from the first step can pull the freshly initialised relation module to
    the constant score before the data shape it, a stationary point that
    training does not leave; reaching the same objective gradually avoids it.

    Parameters
    ----------
    n_epochs : float
        Length of the ramp in epochs (positive).
    """

    def __init__(self, n_epochs):
        self.n_epochs = n_epochs

    def on_train_begin(self, net, **kwargs):
        """Remember every parameter group's full weight decay."""
        self.full_decay_ = [group["weight_decay"] for group in net.optimizer_.param_groups]

    def on_epoch_begin(self, net, **kwargs):
        """Set this epoch's share of the weight decay (skorch has already added its history row)."""
        self._set_share(net, min(1.0, (len(net.history) - 1) / self.n_epochs))

    def on_train_end(self, net, **kwargs):
        """Put the full weight decay back (also when training ends early)."""
        self._set_share(net, 1.0)

    def _set_share(self, net, share):
        for group, decay in zip(net.optimizer_.param_groups, self.full_decay_, strict=True):
            group["weight_decay"] = share * decay


class ValidationHarmonicMean(Callback):
    """Record ``valid_H``, the GZSL harmonic mean on a class-disjoint validation set, each epoch.

    The search covers the training classes and the validation classes only,
    as :func:`~sklearn_crnet.metrics.gzsl_scorer` does.

    Parameters
    ----------
    X_val : ndarray of shape (n_val, Q)
        Validation samples.
    y_val : ndarray of shape (n_val,)
        Encoded labels; classes outside ``seen_mask`` are the validation-unseen ones.
    seen_mask : ndarray of bool, shape (n_classes,)
        Classes the monitored net trains on.
    offsets : ndarray of shape (n_classes,)
        Subtracted from the classes' logits, as at prediction time.
    max_pairs : float
        Scoring chunk bound, as at prediction time.
    """

    def __init__(self, X_val, y_val, seen_mask, offsets, max_pairs):
        self.X_val = X_val
        self.y_val = y_val
        self.seen_mask = seen_mask
        self.offsets = offsets
        self.max_pairs = max_pairs

    def on_epoch_end(self, net, **kwargs):
        from .metrics import gzsl_report

        # As in gzsl_scorer: the table's other unseen classes (the test's) are not candidates.
        classes = np.arange(len(self.seen_mask))
        searched = self.seen_mask | np.isin(classes, self.y_val)
        predicted = net.module_.chunked_logits(self.X_val, self.max_pairs, offsets=self.offsets,
                                               argmax=True, candidates=np.flatnonzero(searched))
        report = gzsl_report(self.y_val, predicted, seen_classes=classes[self.seen_mask],
                             unseen_classes=classes[~self.seen_mask])
        net.history.record("valid_H", report["H"])


def batch_logits_and_targets(module, features, labels):
    """Each member's relation logits of a batch against its distinct classes, and 1/0 targets.

    As in the authors' code, every sample of the batch is paired with every
    distinct class present in the batch: one matched pair per sample and
    ``n_distinct - 1`` mismatched ones.

    Returns
    -------
    logits : Tensor of shape (n_members, n_samples, n_distinct)
    targets : Tensor of shape (n_samples, n_distinct)
    """
    batch_classes, position = torch.unique(labels, return_inverse=True)
    logits = module.member_logits(features, batch_classes)
    targets = torch.zeros(logits.shape[1:], dtype=torch.float32, device=logits.device)
    targets[torch.arange(len(labels), device=logits.device), position] = 1.0
    return logits, targets


class BatchClassesNet(NeuralNet):
    """``skorch.NeuralNet`` for a :class:`~sklearn_crnet._modules.RelationScorer`.

    ``y`` holds encoded class indices into the scorer's attribute table and
    ``X`` is a dict of ``features`` and ``sample_weight``. The pair loss of a
    batch is the squared error between the relation scores ``sigmoid(logit)``
    and the 1/0 match targets of paper Eq. 8-9, each sample's pairs weighted
    by its sample weight. ``regularization`` chooses how it is reduced and
    how alpha/beta enter (the optimiser's weight decay, set by the caller):

    ``"objective"``
        The weighted sum over the batch's pairs (Eq. 9); the optimiser's
        weight decay ``2 alpha``/``2 beta`` is the gradient of Eq. 10's
        penalty ``alpha ||w_f||^2 + beta ||w_g||^2``.
    ``"weight_decay"``
        The weighted mean over pairs with weight decay ``alpha``/``beta``,
        as the authors' code does.

    For an :class:`~sklearn_crnet._modules.EnsembleScorer` every member
    scores the whole batch and the loss is the sum of the members' losses
    (and so is the constant score's loss).

    Parameters
    ----------
    *args, **kwargs
        As for ``skorch.NeuralNet``, plus ``regularization`` (one of the
        two forms above).
    """

    def __init__(self, *args, regularization="objective", precision="float32", **kwargs):
        super().__init__(*args, **kwargs)
        self.regularization = regularization
        self.precision = precision

    def pair_loss(self, batch, training):
        """Logits of a batch against its distinct classes, its pair loss and a constant's loss.

        The third value is the loss of the best constant score (the share
        of matched pairs) on the same batch: a trained model should do far
        better, and :meth:`on_epoch_end` records its epoch mean as
        ``train_constant_loss``. For an ensemble the loss and the constant's
        loss are the sums over the members, each member scoring the whole
        batch, and the logits are the members' mean.
        """
        inputs, labels = batch
        features = inputs["features"].to(self.device, non_blocking=True)
        weights = inputs["sample_weight"].to(self.device, non_blocking=True)
        labels = labels.to(self.device, non_blocking=True)
        with torch.autocast(torch.device(self.device).type, dtype=torch.bfloat16,
                            enabled=self.precision == "bfloat16"):
            logits, targets = batch_logits_and_targets(self.module_, features, labels)
        n_members, _, n_classes = logits.shape
        errors = (torch.sigmoid(logits.float()) - targets).square_().sum(dim=2)
        loss = (errors @ weights).sum()
        total_weight = float(inputs["sample_weight"].sum())  # on the CPU: no device sync
        constant = n_members * total_weight * (n_classes - 1) / n_classes
        _, summed = REGULARIZATION_FORMS[self.regularization]
        if not summed:
            loss = loss / (total_weight * n_classes)
            constant = constant / (total_weight * n_classes)
        return logits.mean(dim=0), loss, constant

    def on_epoch_begin(self, net, **kwargs):
        """Reset the running mean of the constant score's loss."""
        super().on_epoch_begin(net, **kwargs)
        self._constant_sums = [0.0, 0]

    def on_epoch_end(self, net, **kwargs):
        """Record ``train_constant_loss``, averaged over batches as skorch averages the loss."""
        super().on_epoch_end(net, **kwargs)
        total, count = getattr(self, "_constant_sums", (0.0, 0))
        if count:
            self.history.record("train_constant_loss", total / count)

    def zero_grad_in_place(self):
        """Prepare the gradients for a step by the in-place protocol (:mod:`._inplace_grad`)."""
        in_place = torch.device(self.device).type == "cpu" and self.precision == "float32"
        prepare_kept_gradients(self._kept_gradients(), self.module_.parameters(), in_place)

    def _kept_gradients(self):
        return [param for param in self.module_.in_place_gradient_weights() if param.grad is not None]

    def _zero_grad_optimizer(self, set_to_none=None):
        self.zero_grad_in_place()

    def train_step_single(self, batch, **fit_params):
        """One optimisation step's forward and backward pass."""
        self._set_training(True)
        logits, loss, constant = self.pair_loss(batch, training=True)
        batch_size = len(batch[1])
        self._constant_sums[0] += constant * batch_size
        self._constant_sums[1] += batch_size
        if not torch.isfinite(loss):
            raise FloatingPointError(
                "Training diverged: the loss became "
                f"{loss.item()}. Lower the learning rate (lr) or scale the features "
                "and attributes (e.g. StandardScaler, attribute_scaling='l2')."
            )
        loss.backward()
        zero_unwritten_gradients(self._kept_gradients())
        return {"loss": loss, "y_pred": logits}

    def validation_step(self, batch, **fit_params):
        """Loss of a validation batch, without gradients."""
        self._set_training(False)
        with torch.no_grad():
            logits, loss, _ = self.pair_loss(batch, training=False)
        return {"loss": loss, "y_pred": logits}

    def train(self, X, y, epochs=None):
        """Train for ``epochs`` (``max_epochs`` when None), continuing from the current weights.

        A KeyboardInterrupt propagates (a Ctrl-C, or one raised by any
        callback), so that the estimator keeps its previous state; only the
        one that skorch's ``EarlyStopping`` (or a subclass) raises in its
        ``on_epoch_end`` ends training normally.

        Parameters
        ----------
        X : dict
            ``{"features": ndarray (n, Q), "sample_weight": ndarray (n,)}``.
        y : ndarray of shape (n,)
            Encoded labels.
        epochs : int, default=None
            Number of epochs.

        Returns
        -------
        self : BatchClassesNet
        """
        if not self.initialized_:
            self.initialize()
        self.notify("on_train_begin", X=X, y=y)
        try:
            self.fit_loop(X, y, epochs=epochs)
        except KeyboardInterrupt as exc:
            if not _raised_by_early_stopping(exc):
                raise
        finally:
            self.notify("on_train_end", X=X, y=y)
        return self


def _raised_by_early_stopping(exc):
    """Whether a KeyboardInterrupt was raised by ``EarlyStopping.on_epoch_end``, skorch's way to stop.

    A Ctrl-C arrives wherever Python is at the time: in the training step or
    in any callback, whose frames this test does not accept.
    """
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return (tb is not None and tb.tb_frame.f_code.co_name == "on_epoch_end"
            and isinstance(tb.tb_frame.f_locals.get("self"), EarlyStopping))


def net_inputs(X, sample_weight):
    """The ``X`` of a :class:`BatchClassesNet`: features and per-sample weights."""
    return {"features": X, "sample_weight": np.asarray(sample_weight, dtype=np.float32)}


def make_net(estimator, scorer, n_epochs, projection_lr_multiplier, generator=None, validation=None):
    """The :class:`BatchClassesNet` that trains ``scorer`` with ``estimator``'s settings.

    Parameters
    ----------
    estimator : BaseRelationClassifier
        Supplies its parameters and the fitted ``lr_`` and ``device_``.
    scorer : RelationScorer or EnsembleScorer
        The module to train.
    n_epochs : int
        Epochs to train for (at most, with validation).
    projection_lr_multiplier : float
        The projection's learning rate is ``lr_`` times this.
    generator : torch.Generator, default=None
        Draws the order of the training batches.
    validation : tuple (X_val, y_val, monitor), default=None
        Validation samples (encoded labels) and the callback that records
        their H as ``valid_H``; training stops after ``patience`` epochs
        without a better one.

    Returns
    -------
    net : BatchClassesNet
        Not yet initialised.
    """
    train_split = None
    scheduled = []
    if validation is not None:
        X_val, y_val, monitor = validation
        train_split = predefined_split(Dataset(net_inputs(X_val, np.ones(len(y_val))), y_val))
        scheduled = [
            ("valid_H", monitor),
            ("early_stopping", EarlyStopping(monitor="valid_H", lower_is_better=False,
                                             patience=estimator.patience, load_best=False)),
        ]
    if estimator.penalty_warmup > 0 and (estimator.alpha > 0 or estimator.beta > 0):
        # The schedule is a share of max_epochs, not of n_epochs, so that the final
        # fit after early stopping follows the schedule its epochs were chosen with.
        scheduled.append(("penalty_warmup",
                          PenaltyWarmup(estimator.penalty_warmup * estimator.max_epochs)))
    decay, _ = REGULARIZATION_FORMS[estimator.regularization]
    return BatchClassesNet(
        module=scorer,
        criterion=torch.nn.MSELoss,  # unused: BatchClassesNet.pair_loss computes the loss
        optimizer=torch.optim.Adam,
        optimizer__fused=fused_adam_supported(estimator.device_),
        optimizer__weight_decay=decay * estimator.beta,
        optimizer__param_groups=[("*projection.*", {
            "lr": estimator.lr_ * projection_lr_multiplier, "weight_decay": decay * estimator.alpha})],
        lr=estimator.lr_,
        max_epochs=n_epochs,
        batch_size=estimator.batch_size,
        iterator_train=BatchSlicer,
        iterator_valid=BatchSlicer,
        iterator_train__shuffle=True,
        iterator_train__generator=generator,
        train_split=train_split,
        callbacks=training_callbacks(estimator.callbacks, estimator.verbose, scheduled),
        device=estimator.device_,
        verbose=1 if estimator.verbose >= 2 else 0,
        regularization=estimator.regularization,
        precision=estimator.precision,
    )


def training_callbacks(user_callbacks, verbose, scheduled=()):
    """The named callbacks of a training run: progress bar, ``scheduled``, then the user's.

    Raises ``TypeError`` naming the first item of ``user_callbacks`` that is
    neither a skorch ``Callback`` (instance or class) nor a ``(name, callback)`` pair.
    """
    callbacks = [("progress", EpochProgressBar())] if verbose == 1 else []
    callbacks += list(scheduled)
    for i, callback in enumerate(user_callbacks or []):
        if isinstance(callback, tuple):
            callbacks.append(callback)
        elif isinstance(callback, Callback) or (isinstance(callback, type)
                                                 and issubclass(callback, Callback)):
            callbacks.append((f"user_{i}_{getattr(callback, '__name__', type(callback).__name__)}",
                              callback))
        else:
            raise TypeError(
                f"callbacks must hold skorch Callback instances or (name, callback) pairs; "
                f"item {i} is {type(callback).__name__}."
            )
    return callbacks
