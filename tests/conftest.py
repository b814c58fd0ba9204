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
