"""Docstring fragments shared by the relation classifiers, and the decorator that inserts them."""

__all__ = ["Substitution"]


class Substitution:
    """Class or function decorator that replaces ``{name}`` placeholders in a docstring.

    Each keyword names a placeholder and gives its text. Only the named
    placeholders are replaced, so other braces in the docstring (``{label:
    vector}``) stay as written. Under ``python -OO`` docstrings are ``None``
    and the decorated object is returned unchanged.

    Parameters
    ----------
    **fragments : str
        Placeholder names and their replacement texts.
    """

    def __init__(self, **fragments):
        self.fragments = fragments

    def __call__(self, obj):
        """Fill the placeholders of ``obj.__doc__`` and return ``obj``.

        Parameters
        ----------
        obj : class or function
            The object whose docstring to fill.

        Returns
        -------
        obj : class or function
            The same object.
        """
        doc = obj.__doc__
        if doc is not None:
            for name, text in self.fragments.items():
                doc = doc.replace("{" + name + "}", text)
            obj.__doc__ = doc
        return obj
