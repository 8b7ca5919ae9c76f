# PYTHONSTARTUP of kernels started by a jupyter server with jupyter-mlops: registers the
# %track magics, then runs the user's own startup file (see jupyter_mlops.magics.autoload).
# It runs in the user's namespace, so it defines no names of its own.
__import__("jupyter_mlops.magics.autoload", fromlist=["load_into_kernel"]).load_into_kernel(
    globals()
)
