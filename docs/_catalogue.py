"""The loss catalogue, generated from the registry: one page per loss with its facts, plot and
docstring (formula, derivation, references). Run by conf.py at every build."""
import os

import matplotlib.pyplot as plt

import boostobj as bo
from boostobj import plot

# losses whose constructor needs data: the catalogue draws them with these
EXAMPLE_ARGUMENTS = {"soft_target_softmax": {"targets": [[0.7, 0.2, 0.1]]}}


def _facts(loss):
    cls = type(loss)
    policy = loss.params.get("hessian")
    rows = [
        ("registry name", f"``{loss.name}``  (``bo.get_loss({loss.name!r}, ...)``)"),
        ("task", loss.task),
        ("link", f"``{loss.link!r}``"),
        ("labels", loss.domain.describe(loss.n_classes)),
        ("Hessian policies", ", ".join(f"``{p}``" for p in loss.hessian_policies) + ", or a float floor"
         + (f" (default ``{policy}``)" if policy is not None else "")),
        ("exact Hessian can be negative", "yes" if loss.hessian_may_be_negative else "no"),
        ("start score", f"``{cls.start!r}``: {cls.start.describe()}"),
        ("leaf refresh", f"``{cls.leaf_rule!r}``" if cls.leaf_rule is not None else "no (Newton leaves)"),
        ("batch loss", "yes: the statistics of the rows of each call" if loss.is_batch else "no"),
    ]
    if loss.task != "regression":
        rows.append(("class posterior", "yes (``predict_proba``)" if loss.has_posterior else "none: margins are scores"))
    width = max(len(k) for k, _ in rows)
    value_width = max(len(v) for _, v in rows)
    rule = "=" * width + " " + "=" * value_width
    lines = [rule] + [f"{k:<{width}} {v}" for k, v in rows] + [rule]
    return "\n".join(lines)


def write_catalogue(out_dir):
    os.makedirs(os.path.join(out_dir, "plots"), exist_ok=True)
    names = sorted(bo.available_losses())
    index = ["Loss catalogue", "==============", "",
             "Every registered loss (``bo.available_losses()``), generated from the registry at build time:",
             "its facts, the value, gradient and Hessian against the margin (``boostobj.plot.plot_loss``:",
             "the loss's default Hessian policy solid, the exact Hessian dashed where it differs), and its",
             "documentation (formula, derivation, engine equivalents, references).", "",
             ".. toctree::", "   :maxdepth: 1", ""]
    for name in names:
        cls = bo.available_losses()[name]
        loss = cls(**EXAMPLE_ARGUMENTS.get(name, {}))
        fig, _ = plot.plot_loss(loss)
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, "plots", f"{name}.png"), dpi=80)
        plt.close(fig)
        title = f"{name}: {cls.__name__}"
        page = [title, "=" * len(title), "", _facts(loss), "",
                f".. image:: plots/{name}.png", f"   :alt: value, gradient and Hessian of {cls.__name__}", "",
                f".. autoclass:: boostobj.{cls.__name__}", "   :noindex:", "   :members: none", ""]
        _write_if_changed(os.path.join(out_dir, f"{name}.rst"), "\n".join(page))
        index.append(f"   {name}")
    _write_if_changed(os.path.join(out_dir, "index.rst"), "\n".join(index) + "\n")


def _write_if_changed(path, text):
    if os.path.exists(path) and open(path).read() == text:
        return
    with open(path, "w") as f:
        f.write(text)
