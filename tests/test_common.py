"""scikit-learn's estimator checks on both estimators, at their defaults."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_crnet import CRNetClassifier, RelationNetClassifier

# Mini-batch training cannot make an integer weight equal to repeating a sample:
# the repeats land in other batches. scikit-learn marks its own stochastic
# estimators (AdaBoost, bagging, SGD-style models) the same way.
_STOCHASTIC_WEIGHTS = ("sample_weight is not equivalent to removing/repeating samples: the "
                       "repeats land in other mini-batches than the weighted sample.")


def _expected_failures(estimator):
    return {"check_sample_weight_equivalence_on_dense_data": _STOCHASTIC_WEIGHTS}


@parametrize_with_checks([CRNetClassifier(random_state=0), RelationNetClassifier(random_state=0)],
                         expected_failed_checks=_expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
