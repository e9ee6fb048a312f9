"""Optuna's OptunaSearchCV (package optuna-integration)."""

import optuna
from _problem import X, small_model, table, y
from optuna.distributions import IntDistribution
from optuna_integration import OptunaSearchCV

from sklearn_crnet.model_selection import GZSLSplit

optuna.logging.set_verbosity(optuna.logging.WARNING)
search = OptunaSearchCV(small_model(), {"K": IntDistribution(1, 4)},
                        cv=GZSLSplit(n_splits=2, random_state=0), n_trials=2, random_state=0)
search.fit(X, y, class_attributes=table)
print(f"OptunaSearchCV: best {search.best_params_}")
