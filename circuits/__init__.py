"""The gnark-style circuit frontend, the gadgets in ``circuits.std`` and the margin model."""
