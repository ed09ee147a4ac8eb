"""plasticore: spiking networks trained with local learning rules on models of neuromorphic hardware.

Train from a config (as the CLI does):   plasticore.train, resume, evaluate, load_run
Train on your own NumPy arrays:          plasticore.Network (fit, step, evaluate, parameters, energy, ...)
One recurrent network's gradients:       plasticore.RecurrentSNN
Exchange with other simulators (NIR):    plasticore.to_nir, from_nir (docs/nir.md)

See docs/python.md. The compiled part is plasticore._plasticore; its version is the CLI's
(`plasticore --version`).
"""
from ._plasticore import (  # noqa: F401
    Network,
    RecurrentSNN,
    __version__,
    data_file,
    evaluate,
    from_nir,
    load_run,
    resume,
    to_nir,
    train,
)

__all__ = ["Network", "RecurrentSNN", "__version__", "data_file", "evaluate", "from_nir", "load_run", "resume", "to_nir",
           "train"]
