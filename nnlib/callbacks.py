"""What ``fit`` returns: the per-epoch record of training, as Keras's ``History``.

``history.history`` maps each name to one value per epoch: ``loss`` and the compiled metrics (for
example ``accuracy``) measured on the training batches during the epoch, and ``val_loss``,
``val_accuracy`` measured on the validation data after the epoch. Keys are sorted as in Keras 3.

Examples
--------
>>> h = History()
>>> h.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
>>> h.history
{'accuracy': [0.75], 'loss': [0.5]}
>>> h.epoch
[0]
"""

__all__ = ["History"]


class History:
    """Records the logs of every epoch.

    Attributes
    ----------
    history : dict of str -> list of float
    epoch : list of int
        The epoch indices recorded (0-based, as Keras).
    params : dict
        ``{"verbose": ..., "epochs": ..., "steps": ...}`` of the ``fit`` call.
    model : Model or None
    """

    def __init__(self):
        self.history = {}
        self.epoch = []
        self.params = {}
        self.model = None

    def set_params(self, params):
        self.params = dict(params)

    def set_model(self, model):
        self.model = model

    def on_epoch_end(self, epoch, logs):
        self.epoch.append(epoch)
        for key in sorted(logs):
            self.history.setdefault(key, []).append(float(logs[key]))
        self.history = {key: self.history[key] for key in sorted(self.history)}

    def __repr__(self):
        return f"<History epochs={len(self.epoch)} keys={list(self.history)}>"
