"""Pure PyTorch modules, one architecture per file; no sklearn, no skorch."""
