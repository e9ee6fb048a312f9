"""scikit-learn's estimator checks on CRNetClassifier."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_crnet import CRNetClassifier

# K=2 because the checks' smallest problems are binary (K may not exceed the
# number of seen classes); more epochs and a higher rate than the defaults so
# that the checks' small blob problems (a few hundred samples) are learnt to
# their >0.83 accuracy threshold in a handful of steps.
CHECKED = CRNetClassifier(K=2, max_epochs=40, hidden_units=32, lr=1e-3, random_state=0)


@parametrize_with_checks([CHECKED])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
