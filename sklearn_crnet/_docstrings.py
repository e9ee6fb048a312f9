"""Docstring fragments shared by the relation classifiers, and the decorator that inserts them."""

import inspect
import re

__all__ = ["Substitution", "format_default"]


def format_default(value):
    """A default value as numpydoc writes it: ``"auto"`` for strings, ``1e-05`` for floats."""
    return f'"{value}"' if isinstance(value, str) else repr(value)


class Substitution:
    """Class or function decorator that replaces ``{name}`` placeholders in a docstring.

    Each keyword names a placeholder and gives its text. Only the named
    placeholders are replaced, so other braces in the docstring (``{label:
    vector}``) stay as written. On a class, ``<default:name>`` then becomes
    the default of parameter ``name`` in its ``__init__``, so that shared
    parameter texts state each estimator's own defaults. Under
    ``python -OO`` docstrings are ``None`` and the decorated object is
    returned unchanged.

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
            if isinstance(obj, type):  # <default:name>: the default of ``name`` in __init__
                parameters = inspect.signature(obj.__init__).parameters
                doc = re.sub(r"<default:(\w+)>",
                             lambda m: format_default(parameters[m.group(1)].default), doc)
            obj.__doc__ = doc
        return obj
