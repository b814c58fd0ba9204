import numpy as np
import pytest
import torch

# Tests use tiny models; one thread avoids oversubscribing small machines.
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same global random state."""
    np.random.seed(0)
    torch.manual_seed(0)
    yield


@pytest.fixture
def restart_epochs(monkeypatch):
    """``record(cls)`` patches ``cls._restart_loss`` to note how many epochs
    each restart had trained when the restarts were compared, and returns
    the list it fills."""
    def record(cls):
        compared_at = []
        original = cls._restart_loss

        def spy(self, net):
            compared_at.append(len(net.history))
            return original(self, net)

        monkeypatch.setattr(cls, "_restart_loss", spy)
        return compared_at
    return record
