"""The Relation Network baseline (``_relation_net.py``): the same estimator with another projection."""


from sklearn_crnet import CRNetClassifier, RelationNetClassifier
from sklearn_crnet._base import BaseRelationClassifier
from sklearn_crnet._modules import CooperationModule, MLPProjection

from .conftest import FAST


def test_rn_shares_the_estimator_and_differs_in_projection(synthetic):
    assert issubclass(RelationNetClassifier, BaseRelationClassifier)
    assert RelationNetClassifier.fit is CRNetClassifier.fit
    rn = RelationNetClassifier(**FAST).fit(synthetic.X_train, synthetic.y_train,
                                           class_attributes=synthetic.class_attributes)
    cr = CRNetClassifier(K=2, **FAST).fit(synthetic.X_train, synthetic.y_train,
                                          class_attributes=synthetic.class_attributes)
    assert isinstance(rn.net_.module_.projection, MLPProjection)
    assert isinstance(cr.net_.module_.projection, CooperationModule)
    assert type(rn.net_.module_.relation) is type(cr.net_.module_.relation)
    assert rn.predict_proba(synthetic.X_test).shape == (len(synthetic.X_test), 20)
