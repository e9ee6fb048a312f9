"""Docstring sections of the parameters and attributes every relation classifier shares.

Inserted into the class docstrings by :class:`~sklearn_crnet._docstrings.Substitution`.
The defaults were chosen on class-disjoint validation digits (docs/defaults.rst);
keep the two in step.
"""

__all__ = ["SHARED_ATTRIBUTES_DOC", "SHARED_PARAMETERS_DOC"]

SHARED_PARAMETERS_DOC = """    alpha : float, default=<default:alpha>
        Coefficient of the projection's L2 penalty ``alpha ||w_f||^2``
        (paper Eq. 10-11), at the paper's scale (see ``regularization``).
    beta : float, default=<default:beta>
        Coefficient of the relation module's L2 penalty ``beta ||w_g||^2``.
    regularization : {"objective", "weight_decay"}, default=<default:regularization>
        How the loss and alpha/beta are defined. "objective" minimises
        paper Eq. 11 on each batch: the (weighted) sum of squared errors over
        the batch's pairs plus ``alpha ||w_f||^2 + beta ||w_g||^2`` (the
        penalty's gradient enters Adam as weight decay ``2 alpha`` and
        ``2 beta``). "weight_decay" follows the authors' code: the mean over
        pairs plus Adam weight decay ``alpha``/``beta``, i.e. the objective
        ``mean + alpha/2 ||w_f||^2 + beta/2 ||w_g||^2``. At equal numbers the
        penalty of "weight_decay" is ``n_pairs / 2`` times stronger
        (``n_pairs``: samples x distinct classes of a batch, about 700 at
        AwA2's ~22 classes per batch of 32): "weight_decay" with alpha
        equals "objective" with ``alpha * n_pairs / 2``.
    penalty_warmup : float in [0, 1], default=<default:penalty_warmup>
        Share of ``max_epochs`` over which alpha and beta rise linearly from
        zero to their values (epoch ``e``, from 0, uses ``e / (penalty_warmup
        * max_epochs)`` of them, at most all). The objective is unchanged;
        only the path to it is. Without it, a strong penalty (beta of about
        1 on the digits) pulls the fresh relation module to a constant score
        in the first steps, a stationary point training never leaves,
        although learned solutions have a lower objective; the smaller
        problems of a grid search's folds escape it where the refit on all
        the data does not. 0 applies the full penalty from the first step,
        as the authors' code does (``from_paper`` sets 0). ``warm_start``
        continues with the full penalty; after ``early_stopping`` the final
        fit follows the same schedule, so with ``best_epoch_`` inside the
        ramp it ends below the full penalty. The default's rule and table:
        docs/defaults.rst, "Penalty warm-up".
    hidden_units : int, default=<default:hidden_units>
        Width of each network's relation module FC1. The paper uses 2048
        for 2048-d ResNet features (see ``from_paper``).
    ensemble_size : int, default=<default:ensemble_size>
        Number of independently initialised networks (projection and
        relation module each), trained on the same batches as one batched
        computation; prediction averages their relation logits. Each
        member's loss is its own, so each follows the trajectory it would
        follow alone. Members average out the seed-to-seed spread of one
        network; the arithmetic grows in proportion to
        ``ensemble_size * hidden_units`` (docs/defaults.rst, "Ensemble
        recipe"). The paper trains one network (``from_paper`` sets 1).
        ``anchors_`` and ``expert_responses`` are the members' means; the
        training loss is the sum of the members' losses.
    lr : "auto" or float, default=<default:lr>
        Adam learning rate of the relation module (the projection's is this
        times its multiplier). "auto" is ``0.2 / n_features``, at most 3.1e-3
        (3.1e-3 for the 64 pixels of the digits, 9.8e-5 for 2048-d CNN
        features): Adam moves each weight by about lr per step, so wider
        inputs need a smaller rate. The rate used is stored in ``lr_``. The
        paper uses 1e-5 for 250,000 steps (see ``from_paper``).
    max_epochs : int, default=<default:max_epochs>
        Passes over the training data (with ``warm_start``, per ``fit``).
    batch_size : int, default=<default:batch_size>
        Samples per optimisation step (the authors' value); each is scored
        against the distinct classes of its batch.
    attribute_scaling : None, "l2", "standard" or float, default=<default:attribute_scaling>
        Transformation of the attribute table before training: None keeps it,
        "l2" normalises each class row, "standard" z-scores each attribute
        with the seen classes' statistics, a number multiplies every value
        (the authors scale SUN and aPY ``original_att`` by 100).
    calibration : float or "auto", default=<default:calibration>
        Calibrated stacking (Chao et al. 2016): an offset subtracted from the
        seen classes' relation logits at prediction time. Positive values
        favour unseen classes. A number (finite) is used as given, and
        changing it on a fitted model takes effect at once; choose it on
        validation classes
        (:func:`~sklearn_crnet.model_selection.tune_calibration`), never on
        test data. "auto" does that inside ``fit``: ``tune_calibration`` on
        three ``GZSLSplit`` folds of the training data (whole seen classes
        held out), seeded by ``random_state``, stores the offset in
        ``calibration_`` (0 when every class is seen). It costs three more
        fits, each on about half of the data (with early stopping, for
        ``best_epoch_`` epochs), and needs at least three seen classes; a
        ``warm_start`` fit keeps the offset of the first.
    early_stopping : bool, default=<default:early_stopping>
        Choose the number of epochs on a class-disjoint validation split of
        the training data (never on test data): ``validation_fraction`` of the
        seen classes are held out whole as validation-unseen classes and the
        same share of the other classes' samples as validation-seen; a model
        trained on the rest is scored by the GZSL harmonic mean H after every
        epoch, training stops after ``patience`` epochs without improvement,
        and the final model is then trained on all the data for the best
        number of epochs (``best_epoch_``). Costs up to twice the training.
        Needs at least three seen classes.
    validation_fraction : float, default=<default:validation_fraction>
        Share of seen classes, and of the remaining classes' samples, used
        for validation when ``early_stopping`` is on.
    validation_split : splitter or None, default=<default:validation_split>
        With ``early_stopping``: where the validation data comes from. None
        means ``GZSLSplit(n_splits=1, unseen_fraction=validation_fraction,
        test_size=validation_fraction)``; pass e.g.
        ``PredefinedClassSplit(val_classes)`` to use a dataset's own
        validation classes. Only its first (train, validation) pair is used.
    patience : int, default=<default:patience>
        Epochs without a better validation H before early stopping ends.
    predict_memory_mb : float, default=<default:predict_memory_mb>
        Memory budget of one scoring chunk at prediction time; samples are
        scored in chunks so memory does not grow with
        ``n_samples * n_classes``.
    callbacks : list or None, default=<default:callbacks>
        Extra skorch callbacks (instances or ``(name, callback)`` pairs),
        appended to the estimator's own; they see every epoch and batch of
        training. Used only while fitting (not saved by ``save_model``).
    warm_start : bool, default=<default:warm_start>
        When True, a ``fit`` of a fitted model continues training it for
        ``max_epochs`` more epochs (same classes, table and features
        required), with the optimiser's state, instead of starting anew.
    precision : {"float32", "bfloat16"}, default=<default:precision>
        "bfloat16" runs the training forward and backward passes under
        ``torch.autocast`` (fast on recent GPUs); weights, optimiser and
        prediction stay float32.
    n_threads : "auto" or int, default=<default:n_threads>
        CPU threads torch uses during ``fit`` and prediction. "auto" uses
        one thread for small problems (a training step below 2e8 FLOPs,
        e.g. the digits problem at the defaults), where a second thread
        gains nothing and on a busy machine costs several times the time,
        and torch's own setting otherwise. Results are reproducible for a
        fixed thread count.
    device : str, default=<default:device>
        Torch device. "auto" resolves to "cuda" when available, else "cpu",
        at fit time (stored in ``device_``).
    random_state : int, RandomState instance or None, default=<default:random_state>
        Seeds K-means, weight initialisation and batch order through a
        generator owned by the fit: the same value gives the same model on
        CPU (for a fixed thread count), also when fits run concurrently in
        threads. The global torch random state is left untouched.
    verbose : int, default=<default:verbose>
        0 is silent, 1 shows a progress bar over epochs, 2 prints skorch's
        per-epoch table.

"""

SHARED_ATTRIBUTES_DOC = """    classes_ : ndarray of shape (n_classes,)
        Every class of the attribute table, seen and unseen.
    seen_classes_ : ndarray
        Classes that occur in the training labels.
    unseen_classes_ : ndarray
        Classes of the table without training samples.
    class_attributes_ : ndarray of shape (n_classes, n_attributes)
        The table's rows aligned with ``classes_`` (before scaling).
    attribute_scaling_ : None, str or float
        The ``attribute_scaling`` the model was fitted with; rows given to
        :meth:`set_class_attributes` are scaled by it.
    calibration_ : float
        The offset set at fit: ``calibration``, or the one that "auto" chose.
    calibration_offsets_ : ndarray of shape (n_classes,)
        What :meth:`decision_function` subtracts from each class's logit:
        the offset (``calibration``, or ``calibration_`` when it is "auto")
        for seen classes, 0 for unseen ones.
    anchors_ : ndarray of shape (n_classes, n_features)
        Feature anchors ``f(s)`` of every class (the members' mean with
        ``ensemble_size > 1``).
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` holds the torch modules (a
        ``RelationScorer``, or an ``EnsembleScorer`` of them) and
        ``net_.history`` the training history.
    device_ : str
        The device the model was trained on.
    n_threads_ : int or None
        The CPU thread count used (None: torch's own setting).
    lr_ : float
        The learning rate used (``lr``, or what ``lr="auto"`` chose).
    n_iter_ : int
        Number of epochs the model has been trained.
    best_epoch_ : int
        With ``early_stopping``: the epoch count of the best validation H.
    validation_scores_ : ndarray
        With ``early_stopping``: validation H after each epoch.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` had string column names.

"""
