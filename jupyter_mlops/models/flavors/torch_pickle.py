"""The ``pickle_module`` we pass to ``torch.save`` / ``torch.load`` for whole models.

torch pickles with ``pickle_module.Pickler``; cloudpickle's ``Pickler`` also captures
classes defined in a notebook (``__main__``). Loading uses the standard ``Unpickler``.
This module's name is written to ``data/pickle_module_info.txt`` (MLflow's layout), so
MLflow imports it when it loads our PyTorch models.
"""

from pickle import Unpickler, load, loads  # noqa: F401

from cloudpickle import CloudPickler as Pickler  # noqa: F401
from cloudpickle import dump, dumps  # noqa: F401
