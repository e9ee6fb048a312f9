"""scikit-optimize's BayesSearchCV."""

from _problem import X, small_model, table, y
from skopt import BayesSearchCV
from skopt.space import Integer

from sklearn_crnet.model_selection import GZSLSplit

search = BayesSearchCV(small_model(), {"K": Integer(1, 4)}, n_iter=2, n_points=1,
                       cv=GZSLSplit(n_splits=2, random_state=0), random_state=0)
search.fit(X, y, class_attributes=table)
print(f"BayesSearchCV: best {dict(search.best_params_)}")
