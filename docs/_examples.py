"""What sphinx-gallery needs from conf.py as importable names (its configuration must pickle)."""
import os

# the examples that average over seeds run with fewer in the docs build; README tables use 5 (make bench)
FEWER_SEEDS = {"mape_objective.py", "distillation.py", "ghm_label_noise.py", "imbalanced_breast_cancer.py"}


def reset_argv(gallery_conf, script_vars):
    return ["--seeds", "2"] if os.path.basename(script_vars["src_file"]) in FEWER_SEEDS else []
