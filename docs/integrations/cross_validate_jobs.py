"""cross_validate with two worker processes (loky): every fold is fitted in its own process."""

from _problem import X, small_model, table, y
from sklearn.model_selection import cross_validate

from sklearn_crnet.model_selection import GZSLSplit

scores = cross_validate(small_model(), X, y, cv=GZSLSplit(n_splits=2, random_state=0), n_jobs=2,
                        params={"class_attributes": table})
print(f"cross_validate, n_jobs=2: {len(scores['test_score'])} folds scored")
