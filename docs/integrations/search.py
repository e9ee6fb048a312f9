"""GridSearchCV, RandomizedSearchCV and HalvingGridSearchCV on class-disjoint folds."""

from _problem import X, small_model, table, y
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, RandomizedSearchCV

from sklearn_crnet.model_selection import GZSLSplit

grid = {"K": [1, 3]}
cv = GZSLSplit(n_splits=2, random_state=0)  # validation classes are held out of training
for search in (GridSearchCV(small_model(), grid, cv=cv),
               RandomizedSearchCV(small_model(), grid, n_iter=2, cv=cv, random_state=0),
               HalvingGridSearchCV(small_model(), grid, cv=cv, min_resources=200, random_state=0)):
    search.fit(X, y, class_attributes=table)
    print(f"{type(search).__name__}: best {search.best_params_}")
