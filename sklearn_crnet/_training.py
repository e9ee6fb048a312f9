"""skorch trainer that scores each batch against the distinct classes it contains."""

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.dataset import unpack_data
from tqdm.auto import tqdm

__all__ = [
    "BatchClassesNet",
    "BatchSlicer",
    "EpochProgressBar",
    "ValidationHarmonicMean",
    "batch_logits_and_targets",
]


class BatchSlicer:
    """Mini-batch iterator that slices whole batches out of the dataset's arrays.

    Used as skorch's ``iterator_train``/``iterator_valid`` in place of a
    ``DataLoader``: indexing a batch at once avoids collating samples one by
    one, which costs as much as the decomposed forward pass at small batch
    sizes. Shuffling draws from torch's random generator, so a seeded fit is
    reproducible.

    Parameters
    ----------
    dataset : skorch.dataset.Dataset
        Holds ``X`` (n_samples, Q) and ``y`` (n_samples,) arrays.
    batch_size : int
        Samples per batch (the last batch may be smaller).
    shuffle : bool, default=False
        Visit samples in a new random order each epoch.
    """

    def __init__(self, dataset, batch_size, shuffle=False):
        self.X = torch.as_tensor(dataset.X)
        self.y = torch.as_tensor(dataset.y)
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return -(-len(self.y) // self.batch_size)

    def __iter__(self):
        n = len(self.y)
        order = torch.randperm(n) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            index = order[start : start + self.batch_size] if self.shuffle else slice(
                start, start + self.batch_size)
            yield self.X[index], self.y[index]


class EpochProgressBar(Callback):
    """A tqdm bar over epochs that shows the latest training loss."""

    def on_train_begin(self, net, **kwargs):
        self.bar_ = tqdm(total=net.max_epochs, desc="fit", unit="epoch", leave=False)

    def on_epoch_end(self, net, **kwargs):
        self.bar_.set_postfix(loss=f"{net.history[-1, 'train_loss']:.4f}")
        self.bar_.update(1)

    def on_train_end(self, net, **kwargs):
        self.bar_.close()
        del self.bar_

    def __getstate__(self):
        # A live tqdm bar holds a stream, which cannot be pickled.
        state = self.__dict__.copy()
        state.pop("bar_", None)
        return state


class ValidationHarmonicMean(Callback):
    """Record ``valid_H``, the GZSL harmonic mean on a class-disjoint validation set, each epoch.

    Parameters
    ----------
    X_val : ndarray of shape (n_val, Q)
    y_val : ndarray of shape (n_val,)
        Encoded labels; classes outside ``seen_mask`` are the validation-unseen ones.
    seen_mask : ndarray of bool, shape (n_classes,)
        Classes the monitored net trains on.
    calibration : float
        Offset subtracted from seen classes' logits, as at prediction time.
    max_pairs : int
        Scoring chunk bound, as at prediction time.
    """

    def __init__(self, X_val, y_val, seen_mask, calibration, max_pairs):
        self.X_val = X_val
        self.y_val = y_val
        self.seen_mask = seen_mask
        self.calibration = calibration
        self.max_pairs = max_pairs

    def on_epoch_end(self, net, **kwargs):
        from .metrics import harmonic_mean, mean_per_class_accuracy

        predicted = net.relation_logits(self.X_val, self.max_pairs,
                                        offsets=self.calibration * self.seen_mask, argmax=True)
        classes = np.arange(len(self.seen_mask))
        seen = mean_per_class_accuracy(self.y_val, predicted, classes[self.seen_mask])
        unseen = mean_per_class_accuracy(self.y_val, predicted, classes[~self.seen_mask])
        net.history.record("valid_H", harmonic_mean(seen, unseen))


def batch_logits_and_targets(module, features, labels):
    """Relation logits of a batch against its distinct classes, and 1/0 match targets.

    As in the authors' code, every sample of the batch is paired with every
    distinct class present in the batch: one matched pair per sample and
    ``n_distinct - 1`` mismatched ones.
    """
    batch_classes, position = torch.unique(labels, return_inverse=True)
    logits = module(features, batch_classes)
    targets = torch.zeros_like(logits)
    targets[torch.arange(len(labels), device=logits.device), position] = 1.0
    return logits, targets


class BatchClassesNet(NeuralNet):
    """``skorch.NeuralNet`` for a :class:`~sklearn_crnet._modules.RelationScorer`.

    ``y`` holds encoded class indices into the scorer's attribute table. The
    loss is ``criterion(sigmoid(logits), targets)`` with MSE as in paper
    Eq. 9 (the mean over pairs, as the authors' code uses).
    """

    def _pair_loss(self, batch, training):
        features, labels = unpack_data(batch)
        features = features.to(self.device, non_blocking=True)
        labels = labels.to(self.device, non_blocking=True)
        logits, targets = batch_logits_and_targets(self.module_, features, labels)
        loss = self.get_loss(logits, targets, X=features, training=training)
        return logits, loss

    def _zero_grad_optimizer(self, set_to_none=None):
        # Zero the gradient buffers in place rather than freeing them: fresh
        # 16 MB gradients of 2048 x 2048 weights every step cost page faults
        # that, on CPU, take as long as the decomposed matrix products.
        super()._zero_grad_optimizer(set_to_none=False)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """MSE between the relation scores ``sigmoid(y_pred)`` and 1/0 targets."""
        return self.criterion_(torch.sigmoid(y_pred), y_true)

    def train_step_single(self, batch, **fit_params):
        """One optimisation step's forward and backward pass."""
        self._set_training(True)
        logits, loss = self._pair_loss(batch, training=True)
        if not torch.isfinite(loss):
            raise FloatingPointError(
                "Training diverged: the loss became "
                f"{loss.item()}. Lower the learning rate (lr) or scale the features "
                "and attributes (e.g. StandardScaler, attribute_scaling='l2')."
            )
        loss.backward()
        return {"loss": loss, "y_pred": logits}

    def validation_step(self, batch, **fit_params):
        """Loss of a validation batch, without gradients."""
        self._set_training(False)
        with torch.no_grad():
            logits, loss = self._pair_loss(batch, training=False)
        return {"loss": loss, "y_pred": logits}

    @torch.inference_mode()
    def relation_logits(self, features, max_pairs, offsets=None, argmax=False):
        """Logits of ``features`` (ndarray) against every class, scored in chunks.

        Parameters
        ----------
        features : ndarray of shape (n_samples, Q)
        max_pairs : int
            Most (sample, class) pairs scored at once; bounds the memory of the
            ``(chunk, n_classes, H)`` hidden grid.
        offsets : ndarray of shape (n_classes,), default=None
            Subtracted from each class's logits (calibrated stacking).
        argmax : bool, default=False
            Return only the index of the best class of each sample, so that
            memory stays independent of ``n_samples * n_classes``.

        Returns
        -------
        logits : ndarray of shape (n_samples, n_classes), float32
            Or, with ``argmax``, indices of shape (n_samples,).
        """
        module = self.module_
        module.eval()
        anchor_part = module.relation.anchor_fc(module.anchors())
        n_classes = anchor_part.shape[0]
        shift = None if offsets is None else torch.as_tensor(
            offsets, dtype=anchor_part.dtype, device=anchor_part.device)
        chunk = max(1, int(max_pairs) // n_classes)
        shape = (features.shape[0],) if argmax else (features.shape[0], n_classes)
        out = np.empty(shape, dtype=np.int64 if argmax else np.float32)
        for start in range(0, features.shape[0], chunk):
            block = torch.as_tensor(features[start : start + chunk], device=self.device)
            logits = module.relation.hidden_from_parts(module.relation.feature_fc(block), anchor_part)
            if shift is not None:
                logits -= shift
            out[start : start + chunk] = (logits.argmax(dim=1) if argmax else logits).cpu().numpy()
        return out
